// The certificates and keys a control plane needs, issued by a CA of its own with tools/x509 (the
// same code that makes the simulator's CA), so no `openssl` CLI is needed. The service-account key
// pair is a bare key pair.
import { createPublicKey, type KeyObject } from "node:crypto";
import { access, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type CertificateRequest, issueCertificate, newKey } from "../x509/certificate.js";
import { toPem } from "../x509/der.js";

export interface Pki {
  caCert: string;
  caKey: string;
  /** kube-apiserver's serving certificate (SANs: 127.0.0.1, localhost, kubernetes.default.svc...). */
  serverCert: string;
  serverKey: string;
  /** Client certificate of user `admin` in group `system:masters`. */
  adminCert: string;
  adminKey: string;
  /** Service-account token signing key (private) and its public half for verification. */
  serviceAccountKey: string;
  serviceAccountPub: string;
}

const VALIDITY_DAYS = 3650;
const SERVER_DNS_NAMES = [
  "localhost",
  "kubernetes",
  "kubernetes.default",
  "kubernetes.default.svc",
  "kubernetes.default.svc.cluster.local",
];

/** Where `ensurePki(dir)` puts each file (nothing is created). */
export function pkiPaths(dir: string): Pki {
  return {
    caCert: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    serverCert: join(dir, "apiserver.crt"),
    serverKey: join(dir, "apiserver.key"),
    adminCert: join(dir, "admin.crt"),
    adminKey: join(dir, "admin.key"),
    serviceAccountKey: join(dir, "sa.key"),
    serviceAccountPub: join(dir, "sa.pub"),
  };
}

/**
 * Makes sure `dir` holds a CA, the apiserver serving certificate, an admin client certificate and a
 * service-account key pair, and returns their paths.
 *
 * Flow:
 * 1. If `dir/sa.pub` (written last) exists, everything was issued before: reuse it (a restarted
 *    control plane keeps its identity, so old kubeconfigs and service-account tokens stay valid).
 * 2. Otherwise issue all of it (ECDSA P-256, ten years; a few milliseconds).
 *
 * Guarantees: private keys are written with mode 0600.
 *
 * Errors: rejects when `dir` cannot be written.
 */
export async function ensurePki(dir: string): Promise<Pki> {
  const pki = pkiPaths(dir);
  if (await exists(pki.serviceAccountPub)) return pki;

  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = { name: { commonName: "azure-gallery-operator-local-ca" }, key: newKey() };
  await writePair(pki.caCert, pki.caKey, {
    subject: ca.name,
    key: ca.key,
    ca: true,
    validDays: VALIDITY_DAYS,
  });
  await writePair(pki.serverCert, pki.serverKey, {
    subject: { commonName: "kube-apiserver" },
    key: newKey(),
    issuer: ca,
    usages: ["serverAuth"],
    dnsNames: SERVER_DNS_NAMES,
    ipAddresses: ["127.0.0.1"],
    validDays: VALIDITY_DAYS,
  });
  await writePair(pki.adminCert, pki.adminKey, {
    subject: { commonName: "admin", organization: "system:masters" },
    key: newKey(),
    issuer: ca,
    usages: ["clientAuth"],
    validDays: VALIDITY_DAYS,
  });

  const serviceAccount = newKey();
  await writeKey(pki.serviceAccountKey, serviceAccount);
  // Written last: its presence is what step 1 checks for a complete set.
  await writeFile(
    pki.serviceAccountPub,
    createPublicKey(serviceAccount).export({ type: "spki", format: "pem" }),
  );
  return pki;
}

async function writePair(certPath: string, keyPath: string, request: CertificateRequest): Promise<void> {
  await writeKey(keyPath, request.key);
  await writeFile(certPath, toPem("CERTIFICATE", issueCertificate(request)));
}

function writeKey(path: string, key: KeyObject): Promise<void> {
  return writeFile(path, key.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
