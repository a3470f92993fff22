// Everything a control plane needs on disk before any binary starts, whoever then runs the binaries
// (child processes here, containers in test/support).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Ports } from "./flags.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { ensurePki, type Pki } from "./pki.js";
import { freeLoopbackPorts } from "./ports.js";

/** The fixed layout of a control-plane data directory. */
export interface DataLayout {
  root: string;
  pki: string;
  etcd: string;
  /** Scratch directory kube-apiserver insists on having (`--cert-dir`). */
  apiserverCerts: string;
  logs: string;
  kubeconfig: string;
  /** The ports of the last start, tried first on the next. */
  ports: string;
}

export interface PreparedControlPlane {
  layout: DataLayout;
  pki: Pki;
  ports: Ports;
  /** `https://127.0.0.1:<port>` */
  server: string;
}

export function dataLayout(root: string): DataLayout {
  return {
    root,
    pki: join(root, "pki"),
    etcd: join(root, "etcd"),
    apiserverCerts: join(root, "apiserver-certs"),
    logs: join(root, "logs"),
    kubeconfig: join(root, "kubeconfig"),
    ports: join(root, "ports.json"),
  };
}

/**
 * Lays out `root`, issues (or reuses) the certificates, picks free loopback ports and writes an admin
 * kubeconfig for them.
 *
 * Guarantees: a `root` prepared before keeps its etcd data, certificates and kubeconfig path, and
 * its ports too when they are still free (clients that stayed up across a restart reconnect);
 * otherwise the ports, and so the kubeconfig's server address, are new.
 */
export async function prepareControlPlane(root: string): Promise<PreparedControlPlane> {
  const layout = dataLayout(root);
  await Promise.all(
    [layout.etcd, layout.apiserverCerts, layout.logs].map((d) => mkdir(d, { recursive: true, mode: 0o700 })),
  );
  const pki = await ensurePki(layout.pki);
  const previous = await readFile(layout.ports, "utf8").then(
    (text) => JSON.parse(text) as Ports,
    () => undefined,
  );
  const [etcdClient = 0, etcdPeer = 0, apiserver = 0] = await freeLoopbackPorts(
    3,
    previous ? [previous.etcdClient, previous.etcdPeer, previous.apiserver] : [],
  );
  const ports: Ports = { etcdClient, etcdPeer, apiserver };
  await writeFile(layout.ports, JSON.stringify(ports));
  const server = `https://127.0.0.1:${apiserver}`;
  await writeKubeconfig(layout.kubeconfig, {
    server,
    caCert: pki.caCert,
    clientCert: pki.adminCert,
    clientKey: pki.adminKey,
  });
  return { layout, pki, ports, server };
}
