// The HTTPS server: reads each request, routes `/_sim/*` to the control API and everything else
// through the ARM pipeline, applies injected faults and configured latency, writes the answer
// with ARM's headers and records it in the request log.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { metadataEndpoints } from "../arm/metadata.js";
import { formatArmTime } from "../clock.js";
import { handleControl } from "../control/api.js";
import type { SimulatorCore } from "../core.js";
import type { SimCertificates } from "../tls/certificates.js";
import { type ArmOutcome, handleArmCall } from "./arm-pipeline.js";
import type { HttpFault } from "./faults.js";
import { armResponseHeaders, type RequestIds, requestIds } from "./headers.js";
import type { RequestRecord } from "./request-log.js";

const CONTROL_PREFIX = "/_sim/";
const METADATA_PATH = "/metadata/endpoints";

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Splits a request target into path and query. Not `new URL(target, base)`: classic AutoRest
 * clients send `//subscriptions/...` for scopes with a leading slash, which URL parsing would take
 * for a host. Repeated slashes are collapsed, as ARM does.
 */
interface RequestTarget {
  pathname: string;
  search: string;
  searchParams: URLSearchParams;
}

function splitTarget(target: string): RequestTarget {
  const queryAt = target.indexOf("?");
  const rawPath = queryAt < 0 ? target : target.slice(0, queryAt);
  const search = queryAt < 0 ? "" : target.slice(queryAt);
  return {
    pathname: rawPath.replace(/\/{2,}/g, "/") || "/",
    search,
    searchParams: new URLSearchParams(search),
  };
}

function isLoopback(address: string | undefined): boolean {
  return address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1";
}

function writeJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, [
    "content-type",
    "application/json; charset=utf-8",
    "content-length",
    String(Buffer.byteLength(body)),
  ]);
  res.end(body);
}

function flatten(headers: [string, string][]): string[] {
  const flat: string[] = [];
  for (const [name, value] of headers) flat.push(name, value);
  return flat;
}

function clientHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Writes an injected `respond` fault: its status, body and headers, plus the request ids. */
function writeFaultAnswer(
  res: ServerResponse,
  fault: Extract<HttpFault, { kind: "respond" }>,
  ids: RequestIds,
  now: number,
): void {
  const headers: [string, string][] = [["content-length", String(Buffer.byteLength(fault.body))]];
  if (fault.body) headers.push(["content-type", "application/json; charset=utf-8"]);
  headers.push(
    ...fault.headers,
    ["x-ms-request-id", ids.requestId],
    ["x-ms-correlation-request-id", ids.correlationId],
    ["date", new Date(now).toUTCString()],
  );
  res.writeHead(fault.status, flatten(headers));
  res.end(fault.body);
}

/** Copies what the pipeline learned (bucket, subscription, caller) into the log record. */
function describeOutcome(record: RequestRecord, outcome: ArmOutcome): void {
  record.status = outcome.response.status;
  if (outcome.bucket) record.bucket = outcome.bucket;
  if (outcome.subscriptionId) record.subscriptionId = outcome.subscriptionId;
  if (outcome.caller) {
    const { tenantId, objectId, appId } = outcome.caller;
    record.identity = { tenantId, ...(objectId ? { objectId } : {}), ...(appId ? { appId } : {}) };
  }
  if (outcome.auxiliary.length > 0)
    record.auxiliaryTenants = outcome.auxiliary.map((identity) => identity.tenantId);
}

interface ParsedRequest {
  method: string;
  target: RequestTarget;
  body: Buffer;
}

/** An ARM request: injected faults first (as the network would), then the ARM pipeline. */
async function serveArm(
  core: SimulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  request: ParsedRequest,
  port: number,
): Promise<void> {
  const started = performance.now();
  const { method, target, body } = request;
  const now = core.settle();
  const ids = requestIds(clientHeader(req, "x-ms-correlation-request-id"));
  const record: RequestRecord = {
    seq: core.log.nextSequence(),
    time: formatArmTime(now),
    method,
    path: target.pathname,
    query: target.search,
    status: 0,
    requestId: ids.requestId,
    correlationId: ids.correlationId,
    durationMs: 0,
  };
  const finish = () => {
    record.durationMs = performance.now() - started;
    core.log.add(record);
  };
  const fault = core.faults.takeHttp(method, target.pathname);
  if (fault) record.fault = fault.kind;
  if (fault?.kind === "drop") {
    finish();
    req.socket.destroy();
    return;
  }
  if (fault?.kind === "respond") {
    record.status = fault.status;
    writeFaultAnswer(res, fault, ids, now);
    finish();
    return;
  }
  if (fault?.kind === "delay") await sleep(fault.delayMs);
  const baseUrl = `https://${req.headers.host ?? `127.0.0.1:${port}`}`;
  const call = {
    method,
    path: target.pathname,
    query: target.searchParams,
    headers: req.headers,
    body,
    baseUrl,
  };
  const outcome = handleArmCall(core, call, now);
  if (method !== "GET" && method !== "HEAD") core.changed();
  const latency = core.options.latencyMs[outcome.callClass];
  if (latency) await sleep(latency);
  res.writeHead(outcome.response.status, flatten(armResponseHeaders({ ...outcome, ids, now })));
  res.end(method === "HEAD" ? undefined : outcome.response.body);
  describeOutcome(record, outcome);
  finish();
}

async function handleRequest(
  core: SimulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  port: number,
): Promise<void> {
  const body = await readBody(req);
  const method = (req.method ?? "GET").toUpperCase();
  const target = splitTarget(req.url ?? "/");
  // Served without a token, as ARM serves it (discovery precedes login).
  if (method === "GET" && target.pathname.toLowerCase() === METADATA_PATH) {
    const baseUrl = `https://${req.headers.host ?? `127.0.0.1:${port}`}`;
    return writeJson(res, 200, metadataEndpoints(baseUrl, target.searchParams.get("api-version")));
  }
  if (!target.pathname.startsWith(CONTROL_PREFIX))
    return serveArm(core, req, res, { method, target, body }, port);
  if (!isLoopback(req.socket.remoteAddress))
    return writeJson(res, 403, { error: "the control API is loopback-only" });
  const answer = handleControl(
    core,
    method,
    target.pathname.slice(CONTROL_PREFIX.length),
    target.searchParams,
    body,
  );
  writeJson(res, answer.status, answer.body);
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Starts the HTTPS server on 127.0.0.1.
 *
 * Guarantees: resolves once listening; `close()` stops accepting, drops idle keep-alive
 * connections and resolves when the server is closed. A handler bug answers 500 with an ARM-shaped
 * `InternalServerError` instead of crashing the process.
 */
export function startServer(
  core: SimulatorCore,
  certificates: SimCertificates,
  port: number,
): Promise<RunningServer> {
  let actualPort = port;
  const server: Server = createServer(
    { key: certificates.serverKeyPem, cert: certificates.serverCertPem, keepAliveTimeout: 30_000 },
    (req, res) => {
      handleRequest(core, req, res, actualPort).catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const message = error instanceof Error ? error.message : String(error);
        writeJson(res, 500, {
          error: { code: "InternalServerError", message: `simulator error: ${message}` },
        });
      });
    },
  );
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      actualPort = (server.address() as AddressInfo).port;
      resolve({
        port: actualPort,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
