// HTTP to the API server, authenticated by a KubeConfig. One transport for every call the runtime
// makes, so errors come back as one type (KubeApiError) and watch streams can be watched for silence.
// Why not the generated clients: custom resources come back untyped there, namespaced and
// cluster-scoped kinds need twin calls, and `Watch` aborts any stream quiet for 30 s, which cannot be
// tuned to the API server's bookmark interval.
import http from "node:http";
import https from "node:https";
import { KeepAliveAgents } from "./agents.js";
import { KubeApiError, WatchIdleError } from "./errors.js";
import type { KubeCredentials } from "./kubeconfig.js";

export type QueryParams = Record<string, string | number | boolean | undefined>;

export interface ApiRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: QueryParams;
  /** Serialised as JSON. */
  body?: unknown;
  /** Defaults to application/json; patches pass their patch type. */
  contentType?: string;
  signal?: AbortSignal;
}

export interface StreamOptions {
  signal: AbortSignal;
  /** Fail with `WatchIdleError` when no byte arrives for this long. */
  idleTimeoutMs: number;
}

/** One request to the API server as it ended (for `rest_client_requests_total`). */
export interface KubeRequestEvent {
  method: ApiRequest["method"];
  /** host:port of the API server. */
  host: string;
  /** The HTTP status, or "<error>" when no answer came (client-go's label for that case). */
  code: string;
}

export interface KubeTransportOptions {
  requestTimeoutMs?: number;
  /** Told of every request (watch streams when their response headers arrive). Must not throw. */
  onRequest?(event: KubeRequestEvent): void;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const USER_AGENT = "azure-gallery-operator";

/**
 * Sends requests to the cluster of a KubeConfig's current context.
 *
 * Guarantees: credentials are applied per request (rotated service-account tokens and exec plugins keep
 * working); connections are kept alive and reused per TLS identity (agents.ts), and a request that
 * went out on a reused connection the server had just closed is sent once more on a new one; a
 * non-2xx answer rejects with `KubeApiError` carrying the Status code and reason.
 */
export class KubeTransport {
  private readonly requestTimeoutMs: number;
  private readonly agents = new KeepAliveAgents();

  constructor(
    readonly kubeConfig: KubeCredentials,
    private readonly options: KubeTransportOptions = {},
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /**
   * Sends one request and returns the parsed JSON body.
   *
   * Errors: `KubeApiError` for an error status; the abort reason when `signal` aborts or the request
   * takes longer than the transport's timeout; network errors as Node raises them.
   */
  async request<T>(req: ApiRequest): Promise<T> {
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const res = await this.open(req, signal);
    const text = await readBody(res);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Opens a streaming GET and calls `onLine` for each newline-terminated line until the server ends
   * the stream.
   *
   * Guarantees: resolves only on a clean end of the response; rejects with `WatchIdleError` when nothing
   * arrived for `idleTimeoutMs`, with the abort reason on `signal`, with whatever `onLine` threw (the
   * stream is closed first), or with the network error. The connection is closed whenever it settles.
   */
  async stream(
    path: string,
    query: QueryParams,
    onLine: (line: string) => void,
    opts: StreamOptions,
  ): Promise<void> {
    const res = await this.open({ method: "GET", path, query }, opts.signal);
    return new Promise<void>((resolve, reject) => {
      let buffered = "";
      let idle: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        opts.signal.removeEventListener("abort", onAbort);
        res.destroy();
        if (err === undefined) resolve();
        else reject(err);
      };
      const armIdle = () => {
        clearTimeout(idle);
        idle = setTimeout(() => settle(new WatchIdleError(opts.idleTimeoutMs)), opts.idleTimeoutMs);
      };
      const onAbort = () => settle(opts.signal.reason);
      if (opts.signal.aborted) return settle(opts.signal.reason);
      opts.signal.addEventListener("abort", onAbort);
      res.setEncoding("utf8");
      armIdle();
      res.on("data", (chunk: string) => {
        armIdle();
        buffered += chunk;
        let newline = buffered.indexOf("\n");
        while (newline >= 0 && !settled) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          try {
            if (line) onLine(line);
          } catch (err) {
            settle(err);
          }
          newline = buffered.indexOf("\n");
        }
      });
      res.on("end", () => settle());
      res.on("error", (err) => settle(err));
      res.on("close", () => settle(new Error(`${path}: stream closed before the response ended`)));
    });
  }

  private async open(req: ApiRequest, signal: AbortSignal): Promise<http.IncomingMessage> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster");
    const url = new URL(`${cluster.server.replace(/\/+$/, "")}${req.path}`);
    for (const [name, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const options: https.RequestOptions = {
      method: req.method,
      headers: {
        Accept: "application/json",
        "User-Agent": USER_AGENT,
        ...(body === undefined ? {} : { "Content-Type": req.contentType ?? "application/json" }),
      },
      signal,
    };
    await this.kubeConfig.applyToHTTPSOptions(options);
    // A proxy's agent (client-node builds one for `proxy-url`) is kept: it owns the tunnel.
    if (!cluster.proxyUrl) options.agent = this.agents.agentFor(url, options);
    const what = `${req.method} ${req.path}`;
    let res: http.IncomingMessage | undefined;
    for (let attempt = 1; res === undefined; attempt++) {
      try {
        res = await this.send(url, options, body, what);
      } catch (err) {
        const stale = err instanceof StaleSocketError;
        // The server closed an idle connection as we reused it: it never read the request.
        if (stale && attempt === 1 && !signal.aborted) continue;
        this.report(req.method, url, "<error>");
        throw stale ? err.cause : err;
      }
    }
    const code = res.statusCode ?? 0;
    this.report(req.method, url, String(code));
    if (code >= 200 && code < 300) return res;
    throw statusError(code, await readBody(res).catch(() => ""), what);
  }

  /**
   * One attempt. Errors: `StaleSocketError` when a reused connection was reset or closed before
   * any answer arrived; any other network error as Node raises it.
   */
  private send(
    url: URL,
    options: https.RequestOptions,
    body: string | undefined,
    what: string,
  ): Promise<http.IncomingMessage> {
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      const client = url.protocol === "http:" ? http : https;
      // Bounds the wait for response headers only: a stream's signal must not end a healthy watch,
      // but a server that accepted the connection and never answers must not hang us either.
      const noAnswer = setTimeout(
        () => outgoing.destroy(new Error(`${what}: no response within ${this.requestTimeoutMs} ms`)),
        this.requestTimeoutMs,
      );
      const outgoing = client.request(url, options, (res) => {
        clearTimeout(noAnswer);
        resolve(res);
      });
      outgoing.on("error", (err: NodeJS.ErrnoException) => {
        clearTimeout(noAnswer);
        const stale = outgoing.reusedSocket && (err.code === "ECONNRESET" || err.code === "EPIPE");
        reject(stale ? new StaleSocketError(err) : err);
      });
      outgoing.end(body);
    });
  }

  private report(method: ApiRequest["method"], url: URL, code: string): void {
    try {
      this.options.onRequest?.({ method, host: url.host, code });
    } catch {
      // Metrics must never break a request.
    }
  }
}

/** A reused keep-alive connection failed before any answer: safe to send the request again. */
class StaleSocketError extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}

/** Turns an error answer (a Status object, or anything else) into a KubeApiError. */
export function statusError(code: number, text: string, request: string): KubeApiError {
  let reason = "";
  let message = text.slice(0, 500) || http.STATUS_CODES[code] || "error";
  let details: { name?: string; causes?: { field?: string; message?: string }[] } = {};
  try {
    const status = JSON.parse(text) as { reason?: string; message?: string; details?: typeof details };
    reason = status.reason ?? "";
    message = status.message ?? message;
    details = status.details ?? {};
  } catch {
    // Not JSON (a proxy's HTML page, say): keep the raw text.
  }
  return new KubeApiError(code, reason, message, request, details.causes ?? [], details.name ?? "");
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (chunk: Buffer) => chunks.push(chunk));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", reject);
  });
}
