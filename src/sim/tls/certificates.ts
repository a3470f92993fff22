// The simulator's TLS identity: a private CA and a server certificate for 127.0.0.1 and
// localhost signed by it. The Azure SDK's bearer-token policy refuses plain HTTP, so tests need
// HTTPS, and a CA (rather than a self-signed leaf) is what Node's `ca` option and
// NODE_EXTRA_CA_CERTS expect.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  bitString,
  booleanTrue,
  explicit,
  implicitPrimitive,
  objectIdentifier,
  octetString,
  sequence,
  set,
  smallInteger,
  time,
  toPem,
  unsignedInteger,
  utf8String,
} from "./der.js";

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

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extendedKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
} as const;

const FILES = { ca: "ca.pem", caKey: "ca-key.pem", cert: "server.pem", key: "server-key.pem" } as const;
const DAY_MS = 86_400_000;

function distinguishedName(commonName: string): Buffer {
  return sequence(
    set(sequence(objectIdentifier(OID.organization), utf8String("azure-gallery-operator simulator"))),
    set(sequence(objectIdentifier(OID.commonName), utf8String(commonName))),
  );
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(objectIdentifier(oid), booleanTrue(), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

function publicKeyInfo(privateKey: KeyObject): Buffer {
  return createPublicKey(privateKey).export({ type: "spki", format: "der" });
}

function keyIdentifier(spki: Buffer): Buffer {
  return createHash("sha1").update(spki).digest();
}

interface CertificateSpec {
  subject: string;
  subjectKey: KeyObject;
  issuer: string;
  issuerKey: KeyObject;
  issuerKeyId: Buffer;
  isCa: boolean;
  validDays: number;
}

function issueCertificate(spec: CertificateSpec): Buffer {
  const spki = publicKeyInfo(spec.subjectKey);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const now = Date.now();
  const algorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  const extensions = spec.isCa
    ? [
        extension(OID.basicConstraints, true, sequence(booleanTrue())),
        // keyCertSign (bit 5) and cRLSign (bit 6): 0b0000011x, one unused bit.
        extension(OID.keyUsage, true, bitString(Buffer.from([0x06]), 1)),
        extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spki))),
      ]
    : [
        extension(OID.basicConstraints, true, sequence()),
        // digitalSignature (bit 0) only: seven unused bits.
        extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)),
        extension(OID.extendedKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
        extension(
          OID.subjectAltName,
          false,
          sequence(
            implicitPrimitive(2, Buffer.from("localhost", "ascii")),
            implicitPrimitive(7, Buffer.from([127, 0, 0, 1])),
            implicitPrimitive(7, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
          ),
        ),
        extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spki))),
        extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, spec.issuerKeyId))),
      ];
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(serial),
    algorithm,
    distinguishedName(spec.issuer),
    sequence(time(new Date(now - DAY_MS)), time(new Date(now + spec.validDays * DAY_MS))),
    distinguishedName(spec.subject),
    spki,
    explicit(3, sequence(...extensions)),
  );
  const signature = sign("sha256", tbs, spec.issuerKey);
  return sequence(tbs, algorithm, bitString(signature));
}

function newKey(): KeyObject {
  return generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
}

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
  const caName = "azure-gallery-operator simulator CA";
  const caKeyId = keyIdentifier(publicKeyInfo(caKey));
  const caDer = issueCertificate({
    subject: caName,
    subjectKey: caKey,
    issuer: caName,
    issuerKey: caKey,
    issuerKeyId: caKeyId,
    isCa: true,
    validDays: 5 * 365,
  });
  const serverKey = newKey();
  const serverDer = issueCertificate({
    subject: "localhost",
    subjectKey: serverKey,
    issuer: caName,
    issuerKey: caKey,
    issuerKeyId: caKeyId,
    isCa: false,
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
