// The certificates and keys a control plane needs, issued by a CA of its own. node:crypto cannot
// issue X.509 certificates, so this drives the `openssl` CLI; the service-account key pair is a bare
// key pair and comes from node:crypto.
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { access, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

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

// The only extensions we want are the ones we pass; the system openssl.cnf would add v3_ca to every
// certificate `req -x509` makes, turning leaf certificates into CAs.
const MINIMAL_CONFIG = "[req]\ndistinguished_name=dn\nprompt=no\n[dn]\n";
const VALIDITY_DAYS = "3650";
const SERVER_NAMES = [
  "IP:127.0.0.1",
  "DNS:localhost",
  "DNS:kubernetes",
  "DNS:kubernetes.default",
  "DNS:kubernetes.default.svc",
  "DNS:kubernetes.default.svc.cluster.local",
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
 * 2. Otherwise issue all of it (ECDSA P-256, ten years; about 50 ms).
 *
 * Guarantees: private keys are written with mode 0600.
 *
 * Errors: rejects with an explanation when `openssl` is missing or fails.
 */
export async function ensurePki(dir: string): Promise<Pki> {
  const pki = pkiPaths(dir);
  if (await exists(pki.serviceAccountPub)) return pki;

  await mkdir(dir, { recursive: true, mode: 0o700 });
  const config = join(dir, "openssl.cnf");
  await writeFile(config, MINIMAL_CONFIG);
  const issue = (subject: string, cert: string, key: string, extensions: string[], signer?: string[]) =>
    openssl([
      "req",
      "-x509",
      "-config",
      config,
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      VALIDITY_DAYS,
      "-subj",
      subject,
      "-keyout",
      key,
      "-out",
      cert,
      ...(signer ?? []),
      ...extensions.flatMap((ext) => ["-addext", ext]),
    ]);

  await issue("/CN=azure-gallery-operator-local-ca", pki.caCert, pki.caKey, [
    "basicConstraints=critical,CA:TRUE",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  const byCa = ["-CA", pki.caCert, "-CAkey", pki.caKey];
  const leaf = ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature"];
  await Promise.all([
    issue(
      "/CN=kube-apiserver",
      pki.serverCert,
      pki.serverKey,
      [...leaf, "extendedKeyUsage=serverAuth", `subjectAltName=${SERVER_NAMES.join(",")}`],
      byCa,
    ),
    issue(
      "/O=system:masters/CN=admin",
      pki.adminCert,
      pki.adminKey,
      [...leaf, "extendedKeyUsage=clientAuth"],
      byCa,
    ),
  ]);

  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  await writeFile(pki.serviceAccountKey, privateKey.export({ type: "pkcs8", format: "pem" }), {
    mode: 0o600,
  });
  // Written last: its presence is what step 1 checks for a complete set.
  await writeFile(pki.serviceAccountPub, publicKey.export({ type: "spki", format: "pem" }));
  return pki;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run("openssl", args); // openssl itself creates -keyout files with mode 0600
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new Error(
        "openssl is required to issue the control plane's certificates (apt-get install openssl)",
      );
    }
    const stderr = (err as { stderr?: string }).stderr ?? "";
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || String(err)}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
