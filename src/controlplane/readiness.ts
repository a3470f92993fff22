import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { sleep } from "./process-group.js";

export interface ReadyzClient {
  server: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
}

/**
 * Polls `<server>/readyz` until it answers 200.
 *
 * Flow: every 100 ms, an HTTPS GET with the admin client certificate, verified against the CA.
 *
 * Guarantees: resolves only after a 200 (every readiness check passed: etcd reachable, RBAC bootstrap
 * roles and the other post-start hooks done).
 *
 * Errors: rejects when `failed()` returns a reason (a process died: no point waiting) or after
 * `timeoutMs`, with the last answer seen.
 */
export async function waitForReadyz(
  client: ReadyzClient,
  timeoutMs: number,
  failed: () => string | undefined,
): Promise<void> {
  const [ca, cert, key] = await Promise.all([
    readFile(client.caCert),
    readFile(client.clientCert),
    readFile(client.clientKey),
  ]);
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  for (;;) {
    const failure = failed();
    if (failure) throw new Error(`control plane did not become ready: ${failure}`);
    if (Date.now() > deadline) {
      throw new Error(`control plane not ready after ${timeoutMs} ms: ${client.server}/readyz said ${last}`);
    }
    last = await getReadyz(`${client.server}/readyz`, { ca, cert, key });
    if (last === "200") return;
    await sleep(100);
  }
}

function getReadyz(url: string, tls: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<string> {
  return new Promise((resolve) => {
    const req = request(url, { ...tls, timeout: 2_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(String(res.statusCode)));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (err) => resolve(err.message));
    req.end();
  });
}
