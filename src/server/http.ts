// The operator's HTTP endpoints: /metrics for Prometheus, /healthz for the liveness probe, /readyz for
// the readiness probe. Plain node:http: three GET routes do not need a framework.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { parseListenAddress } from "./address.js";
import type { OperatorMetrics } from "./metrics.js";
import type { Readiness } from "./readiness.js";

export interface OperatorServerOptions {
  /** `host:port` or `:port` (every IPv4 interface); port 0 lets the OS choose (see `port`). */
  address: string;
  metrics: Pick<OperatorMetrics, "registry">;
  /** Asked on every `/readyz`; `ReadinessState.check` fits. */
  readiness: () => Readiness;
  logger: Logger;
}

export interface OperatorServer {
  /** The port actually bound (the chosen one when the address asked for 0). */
  readonly port: number;
  /** Stops accepting connections and resolves once open requests finished. Safe to call twice. */
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: string;
  contentType?: string;
}

type Route = () => Promise<Reply>;

const TEXT = "text/plain; charset=utf-8";

/**
 * Serves the operator's metrics and probes.
 *
 * Routes (GET or HEAD; any other method on them is 405):
 * - `/metrics`: the registry in Prometheus text format, with the registry's content type.
 * - `/healthz`: 200 "ok" whenever the process can answer at all — liveness must not depend on Azure or
 *   the API server, or an outage of either would make the kubelet restart every replica for nothing.
 * - `/readyz`: 200 with the readiness detail when `readiness()` says ready, otherwise 503 with it.
 * - anything else: 404.
 *
 * Guarantees: resolves once listening; query strings are ignored; a failing route (e.g. a metrics
 * collector that throws) answers 500 and is logged, and never takes the server down.
 * Caveats: requests are not logged one by one — probes and scrapes arrive every few seconds and would
 * drown the reconcile log lines.
 * Errors: rejects when the address is malformed or cannot be bound (e.g. EADDRINUSE).
 */
export async function startOperatorServer(options: OperatorServerOptions): Promise<OperatorServer> {
  const { host, port } = parseListenAddress(options.address);
  const log = options.logger.child({ component: "http" });
  const routes = new Map<string, Route>([
    ["/metrics", () => renderMetrics(options.metrics)],
    ["/healthz", async () => ({ status: 200, body: "ok" })],
    ["/readyz", async () => renderReadiness(options.readiness())],
  ]);

  const server = createServer((req, res) => {
    void handle(routes, req, log).then((reply) => send(res, reply));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => log.error({ error }, "HTTP server error"));
  const bound = (server.address() as AddressInfo).port;
  log.info({ host, port: bound }, "serving /metrics, /healthz and /readyz");

  let closing: Promise<void> | undefined;
  return {
    port: bound,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Scrapers keep connections alive between scrapes; idle ones would hold close() open.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

async function handle(routes: Map<string, Route>, req: IncomingMessage, log: Logger): Promise<Reply> {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  const route = routes.get(path);
  if (!route) return { status: 404, body: "not found" };
  if (req.method !== "GET" && req.method !== "HEAD") return { status: 405, body: "method not allowed" };
  try {
    return await route();
  } catch (error) {
    log.warn({ path, error }, "HTTP route failed");
    return { status: 500, body: `${path} failed` };
  }
}

async function renderMetrics(metrics: Pick<OperatorMetrics, "registry">): Promise<Reply> {
  const { registry } = metrics;
  return { status: 200, body: await registry.metrics(), contentType: registry.contentType };
}

function renderReadiness(readiness: Readiness): Reply {
  return { status: readiness.ready ? 200 : 503, body: readiness.detail };
}

function send(res: ServerResponse, reply: Reply): void {
  res.statusCode = reply.status;
  res.setHeader("content-type", reply.contentType ?? TEXT);
  if (reply.status === 405) res.setHeader("allow", "GET, HEAD");
  // Node drops the body of a HEAD response itself, keeping the headers GET would send.
  res.end(reply.body);
}
