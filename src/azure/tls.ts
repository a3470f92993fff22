// Trusting one more CA for ARM traffic (the simulator's self-signed root, a private cloud's CA)
// without NODE_EXTRA_CA_CERTS, which only works when set before Node starts.
import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { createSecureContext, rootCertificates } from "node:tls";

export class CaFileError extends Error {
  override name = "CaFileError";
}

export interface TrustOptions {
  /** Path to a PEM file with one or more CA certificates. */
  caFile?: string;
  /** The same, already in memory. */
  caPem?: string;
}

/**
 * Builds the HTTPS agent ARM clients use: keep-alive, trusting Node's public roots plus the
 * extra CA, so public Azure keeps working next to the simulator.
 *
 * Guarantees: undefined when no extra CA is given (the SDK's default agent is then used).
 * The trusted roots go in one TLS context built here, not as the agent's `ca` option: Node names
 * an agent's connection pool by concatenating every TLS option into a string on each request and
 * each freed socket, so about 120 PEMs cost a 180 KB string three times per ARM call, and each new
 * connection parsed every root into a context of its own (docs/benchmarks.md, "Fourth round").
 * Errors: CaFileError when the file cannot be read or holds no PEM certificate.
 */
export function createTrustingAgent(options: TrustOptions): Agent | undefined {
  const pems: string[] = [];
  if (options.caPem) pems.push(options.caPem);
  if (options.caFile) {
    try {
      pems.push(readFileSync(options.caFile, "utf8"));
    } catch (err) {
      throw new CaFileError(`cannot read CA file ${options.caFile}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  if (pems.length === 0) return undefined;
  for (const pem of pems) {
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
      throw new CaFileError(`${options.caFile ?? "caPem"} holds no PEM certificate`);
    }
  }
  return new Agent({
    keepAlive: true,
    secureContext: createSecureContext({ ca: [...rootCertificates, ...pems] }),
  });
}
