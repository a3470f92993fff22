// The simulator's TLS identity: a private CA and a server certificate for 127.0.0.1 and
// localhost signed by it. The Azure SDK's bearer-token policy refuses plain HTTP, so tests need
// HTTPS, and a CA (rather than a self-signed leaf) is what Node's `ca` option and
// NODE_EXTRA_CA_CERTS expect.
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { issueCertificate, newKey } from "../../x509/certificate.js";
import { toPem } from "../../x509/der.js";

export interface SimCertificates {
  /** Absolute path of the CA certificate (PEM) clients must trust. */
  caFile: string;
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  /** DER bytes of the server certificate (the `c` parameter of signed operation URLs). */
  serverCertDer: Buffer;
  /** Signs operation URLs, as the RP signs its own. */
  serverKey: KeyObject;
}

const FILES = { ca: "ca.pem", caKey: "ca-key.pem", cert: "server.pem", key: "server-key.pem" } as const;
const DAY_MS = 86_400_000;
const ORGANIZATION = "azure-gallery-operator simulator";

function keyPem(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode: 0o600 });
  await rename(temporary, path);
}

async function loadCached(dir: string): Promise<SimCertificates | undefined> {
  const paths = Object.values(FILES).map((file) => join(dir, file));
  if (!paths.every((path) => existsSync(path))) return undefined;
  const [caPem, , serverCertPem, serverKeyPem] = await Promise.all(
    paths.map((path) => readFile(path, "utf8")),
  );
  if (!caPem || !serverCertPem || !serverKeyPem) return undefined;
  try {
    const server = new X509Certificate(serverCertPem);
    const ca = new X509Certificate(caPem);
    const expiresSoon = Date.parse(server.validTo) - Date.now() < DAY_MS;
    if (expiresSoon || !server.verify(ca.publicKey)) return undefined;
    return {
      caFile: join(dir, FILES.ca),
      caPem,
      serverCertPem,
      serverKeyPem,
      serverCertDer: server.raw,
      serverKey: createPrivateKey(serverKeyPem),
    };
  } catch {
    return undefined;
  }
}

/**
 * Returns the CA and server certificate kept in `dir`, creating them first when absent, invalid
 * or about to expire.
 *
 * Flow: 1. reuse `ca.pem`, `ca-key.pem`, `server.pem`, `server-key.pem` from `dir` if the server
 * certificate verifies against the CA and is valid for more than a day; 2. otherwise make a new
 * P-256 CA (5 years) and a server certificate (2 years) for `localhost`, `127.0.0.1` and `::1`,
 * and write the four files.
 *
 * Guarantees: `caFile` is an absolute path when `dir` is; keys are written with mode 0600; each
 * file is replaced atomically (write then rename), so a concurrent reader never sees half a PEM.
 *
 * Caveats: two processes creating certificates in the same empty `dir` at the same moment may
 * each write their own set; the last rename wins per file, so give concurrent simulators
 * distinct directories.
 */
export async function loadOrCreateCertificates(dir: string): Promise<SimCertificates> {
  const cached = await loadCached(dir);
  if (cached) return cached;
  await mkdir(dir, { recursive: true });
  const caKey = newKey();
  const caName = { commonName: "azure-gallery-operator simulator CA", organization: ORGANIZATION };
  const caDer = issueCertificate({ subject: caName, key: caKey, ca: true, validDays: 5 * 365 });
  const serverKey = newKey();
  const serverDer = issueCertificate({
    subject: { commonName: "localhost", organization: ORGANIZATION },
    key: serverKey,
    issuer: { name: caName, key: caKey },
    usages: ["serverAuth"],
    dnsNames: ["localhost"],
    ipAddresses: ["127.0.0.1", "::1"],
    validDays: 2 * 365,
  });
  const caPem = toPem("CERTIFICATE", caDer);
  const serverCertPem = toPem("CERTIFICATE", serverDer);
  const serverKeyPem = keyPem(serverKey);
  await writeAtomically(join(dir, FILES.caKey), keyPem(caKey));
  await writeAtomically(join(dir, FILES.key), serverKeyPem);
  await writeAtomically(join(dir, FILES.cert), serverCertPem);
  await writeAtomically(join(dir, FILES.ca), caPem);
  return {
    caFile: join(dir, FILES.ca),
    caPem,
    serverCertPem,
    serverKeyPem,
    serverCertDer: serverDer,
    serverKey,
  };
}
