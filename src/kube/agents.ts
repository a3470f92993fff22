// Keep-alive connections to the API server. client-node's `applyToHTTPSOptions` hands out one
// cached https.Agent per cluster and user with keep-alive off, so every request paid a TCP and TLS
// handshake (and the operator held a TLS context per connection in flight). This keeps one
// keep-alive pool per TLS identity instead: the same server, CA and client certificate reuse
// their connections; a rotated client certificate (an exec plugin's, say) gets a new pool.
import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";

/**
 * How long an idle connection is kept. Below the idle timeouts servers and proxies in front of
 * them use (Node servers 5 s, Go's net/http and cloud load balancers longer), so the client
 * closes first; the transport still retries once when a server closed a reused socket as a
 * request went out (the race no timeout closes).
 */
export const FREE_SOCKET_TIMEOUT_MS = 4_000;

/** The request options that decide which TLS identity a connection has. */
const IDENTITY_FIELDS = [
  "ca",
  "cert",
  "key",
  "pfx",
  "passphrase",
  "rejectUnauthorized",
  "servername",
] as const satisfies readonly (keyof https.RequestOptions)[];

/**
 * Hands out keep-alive agents.
 *
 * Guarantees: requests with the same protocol, server and TLS options share one agent (and its
 * idle connections); a request whose identity differs gets a new agent, and the previous one is
 * left to finish its requests and close its idle sockets by their timeout (a watch on it is not cut).
 * Idle sockets do not keep the process alive (Node unrefs them).
 */
export class KeepAliveAgents {
  private current: { key: string; agent: http.Agent } | undefined;

  /** The agent for a request to `url` with these (already credentialed) options. */
  agentFor(url: URL, options: https.RequestOptions): http.Agent {
    const key = identityKey(url, options);
    if (this.current?.key === key) return this.current.agent;
    const settings = { keepAlive: true, timeout: FREE_SOCKET_TIMEOUT_MS, scheduling: "lifo" as const };
    const agent =
      url.protocol === "http:"
        ? new http.Agent(settings)
        : new https.Agent({ ...settings, ...pick(options, IDENTITY_FIELDS) });
    this.current = { key, agent };
    return agent;
  }
}

function identityKey(url: URL, options: https.RequestOptions): string {
  const hash = createHash("sha256").update(`${url.protocol}//${url.host}\n`);
  for (const field of IDENTITY_FIELDS) {
    const value = options[field];
    for (const part of Array.isArray(value) ? value : [value]) {
      hash.update(`${field}=`);
      if (part === undefined) hash.update("-");
      else if (typeof part === "string" || Buffer.isBuffer(part)) hash.update(part);
      else hash.update(JSON.stringify(part));
      hash.update("\n");
    }
  }
  return hash.digest("hex");
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
