// Issues X.509 certificates with node:crypto alone: node:crypto signs bytes and exports keys, and
// der.ts assembles the certificate around them. The simulator's CA and the local control plane's
// PKI both come from here, so neither needs the `openssl` CLI on the machine.
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
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
  unsignedInteger,
  utf8String,
} from "./der.js";

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extendedKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
} as const;

const DAY_MS = 86_400_000;

export interface DistinguishedName {
  commonName: string;
  /** Kubernetes reads a client certificate's O as the user's groups (`system:masters`). */
  organization?: string;
}

export interface Issuer {
  name: DistinguishedName;
  key: KeyObject;
}

export interface CertificateRequest {
  subject: DistinguishedName;
  /** The subject's private key; the certificate carries its public half. */
  key: KeyObject;
  /** Who signs; absent for a self-signed certificate. */
  issuer?: Issuer;
  /** A CA certificate (keyCertSign, cRLSign) rather than a leaf (digitalSignature). */
  ca?: boolean;
  usages?: Array<"serverAuth" | "clientAuth">;
  dnsNames?: string[];
  ipAddresses?: string[];
  validDays: number;
}

/** A P-256 private key, the curve every certificate here uses. */
export function newKey(): KeyObject {
  return generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
}

/** The DER bytes of a certificate for `request`, valid from a day ago (clock skew) for `validDays`. */
export function issueCertificate(request: CertificateRequest): Buffer {
  const issuer = request.issuer ?? { name: request.subject, key: request.key };
  const spki = publicKeyInfo(request.key);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const now = Date.now();
  const algorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(serial),
    algorithm,
    distinguishedName(issuer.name),
    sequence(time(new Date(now - DAY_MS)), time(new Date(now + request.validDays * DAY_MS))),
    distinguishedName(request.subject),
    spki,
    explicit(3, sequence(...extensions(request, spki, keyIdentifier(publicKeyInfo(issuer.key))))),
  );
  return sequence(tbs, algorithm, bitString(sign("sha256", tbs, issuer.key)));
}

function extensions(request: CertificateRequest, spki: Buffer, issuerKeyId: Buffer): Buffer[] {
  const own = extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spki)));
  if (request.ca) {
    return [
      extension(OID.basicConstraints, true, sequence(booleanTrue())),
      // keyCertSign (bit 5) and cRLSign (bit 6): 0b0000011x, one unused bit.
      extension(OID.keyUsage, true, bitString(Buffer.from([0x06]), 1)),
      own,
    ];
  }
  const names = [
    ...(request.dnsNames ?? []).map((name) => implicitPrimitive(2, Buffer.from(name, "ascii"))),
    ...(request.ipAddresses ?? []).map((ip) => implicitPrimitive(7, ipBytes(ip))),
  ];
  return [
    extension(OID.basicConstraints, true, sequence()),
    // digitalSignature (bit 0) only: seven unused bits.
    extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)),
    ...(request.usages?.length
      ? [
          extension(
            OID.extendedKeyUsage,
            false,
            sequence(...request.usages.map((u) => objectIdentifier(OID[u]))),
          ),
        ]
      : []),
    ...(names.length ? [extension(OID.subjectAltName, false, sequence(...names))] : []),
    own,
    extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, issuerKeyId))),
  ];
}

function distinguishedName(name: DistinguishedName): Buffer {
  const attribute = (oid: string, value: string) => set(sequence(objectIdentifier(oid), utf8String(value)));
  return sequence(
    ...(name.organization === undefined ? [] : [attribute(OID.organization, name.organization)]),
    attribute(OID.commonName, name.commonName),
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

// A SAN iPAddress is the address's network-order bytes: 4 for IPv4, 16 for IPv6.
function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split(".").map(Number));
  if (!isIPv6(ip)) throw new Error(`not an IP address: ${ip}`);
  const [head = "", tail = ""] = ip.split("::");
  const groups = (part: string) => (part ? part.split(":").map((g) => Number.parseInt(g, 16)) : []);
  const front = groups(head);
  const back = ip.includes("::") ? groups(tail) : [];
  const words = [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  return Buffer.from(words.flatMap((w) => [w >> 8, w & 0xff]));
}
