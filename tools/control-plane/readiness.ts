// Waiting for a component to answer its health endpoint, with early failure when it died meanwhile.
import { readFile } from "node:fs/promises";
import { type ClientRequest, get as httpGet, type IncomingMessage } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { Pki } from "./pki.js";
import { sleep } from "./process-group.js";

/** Returns why the wait is pointless (a process exited), or undefined to keep waiting. */
export type FailureCheck = () => string | undefined;

/**
 * Polls kube-apiserver's `/readyz` until it answers 200.
 *
 * Flow: every 50 ms, an HTTPS GET with the admin client certificate, verified against the CA.
 *
 * Guarantees: resolves only after a 200 (every readiness check passed: etcd reachable, RBAC bootstrap
 * roles and the other post-start hooks done).
 *
 * Errors: rejects when `failed()` returns a reason (a process died: no point waiting) or after
 * `timeoutMs`, with the last answer seen.
 */
export async function waitForReadyz(
  server: string,
  pki: Pick<Pki, "caCert" | "adminCert" | "adminKey">,
  timeoutMs: number,
  failed: FailureCheck,
): Promise<void> {
  const [ca, cert, key] = await Promise.all([
    readFile(pki.caCert),
    readFile(pki.adminCert),
    readFile(pki.adminKey),
  ]);
  const url = `${server}/readyz`;
  const probe = () => status((done) => httpsRequest(url, { ca, cert, key, ...TIMEOUT }, done).end());
  await pollUntilOk(url, probe, { timeoutMs, failed });
}

/**
 * Polls etcd's plain-HTTP `/health` on loopback until it answers 200.
 *
 * Why wait at all: a kube-apiserver started before etcd listens fills its log with a thousand
 * connection-refused warnings and backs off its gRPC reconnects; etcd is up within ~100 ms anyway.
 */
export async function waitForEtcd(clientUrl: string, timeoutMs: number, failed: FailureCheck): Promise<void> {
  const url = `${clientUrl}/health`;
  await pollUntilOk(url, () => status((done) => httpGet(url, TIMEOUT, done)), { timeoutMs, failed });
}

const TIMEOUT: RequestOptions = { timeout: 2_000 };

async function pollUntilOk(
  url: string,
  probe: () => Promise<string>,
  { timeoutMs, failed }: { timeoutMs: number; failed: FailureCheck },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  for (;;) {
    const failure = failed();
    if (failure) throw new Error(`${url} will not answer: ${failure}`);
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms: last answer ${last}`);
    last = await probe();
    if (last === "200") return;
    await sleep(50);
  }
}

// Resolves with the status code, or the error message when there was no answer.
function status(send: (done: (res: IncomingMessage) => void) => ClientRequest): Promise<string> {
  return new Promise((resolve) => {
    const req = send((res) => {
      res.resume();
      res.on("end", () => resolve(String(res.statusCode)));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (err) => resolve(err.message));
  });
}
