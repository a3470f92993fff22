// The pipeline policy that keeps the operator inside ARM's rate limits: it reads the
// `x-ms-ratelimit-remaining-*` headers of every response into a shared BudgetTracker, holds a
// request back while its buckets are at their reserve, and turns a 429 whose Retry-After is too
// long to sleep through into a Throttled ArmError so the controller requeues instead of a worker
// blocking. Short 429 waits are left to the SDK's own retry policy, which honours Retry-After.
import {
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
  RestError,
} from "@azure/core-rest-pipeline";
import type { Admission, BudgetTracker } from "./budget.js";
import { ArmError, classifyArmError } from "./errors.js";
import { parseArmId } from "./ids.js";
import { parseRateLimitHeaders } from "./ratelimit-headers.js";
import { retryAfterMs } from "./retry-after.js";

export const rateLimitPolicyName = "armRateLimitPolicy";

/** The longest a request waits for budget inside a worker unless told otherwise; longer waits hold it back. */
export const DEFAULT_MAX_WAIT_MS = 5000;

/** What identifies a request to the rate budget and the metrics. */
interface RequestIdentity {
  /** Lower-case subscription id, or "" for requests outside a subscription. */
  subscriptionId: string;
  method: string;
  /** Method plus the resource-type path, names elided: `PUT microsoft.compute/galleries/*`. */
  requestClass: string;
  /** The resource-provider buckets this request spends (as far as known). */
  buckets: string[];
}

/** One HTTP attempt, as the metrics layer sees it. Retries by the SDK are separate events. */
export interface ArmRequestEvent extends RequestIdentity {
  /** HTTP status; undefined when no response came (network error or held back locally). */
  status?: number;
  /** Time on the wire, without the pacing delay. */
  durationMs: number;
  /** Time the request waited for budget before being sent. */
  delayedMs: number;
  /** `heldBack`: not sent at all because the wait was longer than `maxWaitMs`. */
  outcome: "response" | "error" | "heldBack";
  retryAfterMs?: number;
}

export interface RateLimitPolicyOptions {
  tracker: BudgetTracker;
  /** The longest a request may wait inside a worker (pacing or a 429). Default 5000 ms. */
  maxWaitMs?: number;
  /** Refill time assumed for ARM's subscription buckets. Default per kind (reads 10 s, writes and deletes 20 s). */
  subscriptionWindowMs?: number;
  /**
   * Multiplies every bucket's window. 1 (the default) against Azure; the project's ARM simulator
   * runs Azure's clock faster and shrinks its windows by its time scale, and so must the pacing
   * (`--arm-time-scale`, docs/simulator.md).
   */
  windowScale?: number;
  /** Retry-After assumed for a 429 that carries none. Default 10 s. */
  defaultRetryAfterMs?: number;
  /** Called after every attempt; must not throw (errors are swallowed). */
  onRequest?: (event: ArmRequestEvent) => void;
}

/**
 * Builds the rate-limit policy. Add it with `afterPhase: "Sign"` so it sees every attempt,
 * retries included, right before the wire.
 *
 * Flow per attempt: 1. find the buckets the request spends (method + learned request class);
 * 2. if the tracker's wait is over `maxWaitMs`, throw Throttled without sending; otherwise debit
 * the buckets and sleep the wait; 3. send; 4. record the response's remaining budgets; 5. on
 * 429, block the exhausted buckets for Retry-After and, when that is over `maxWaitMs`, throw
 * Throttled (an ArmError is not a RestError, so the SDK retry policy passes it straight up);
 * 6. report the attempt to `onRequest`.
 * Guarantees: a held-back request never reaches ARM; a Throttled ArmError always has `retryAfterMs`.
 * Errors: ArmError (Throttled); transport errors pass through unchanged.
 */
export function rateLimitPolicy(options: RateLimitPolicyOptions): PipelinePolicy {
  const { tracker } = options;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const windowMs = options.subscriptionWindowMs;
  const windowScale = options.windowScale ?? 1;
  const defaultRetryAfterMs = options.defaultRetryAfterMs ?? 10_000;
  const report = reporter(options.onRequest);

  return {
    name: rateLimitPolicyName,
    async sendRequest(request: PipelineRequest, next): Promise<PipelineResponse> {
      const method = request.method.toUpperCase();
      const path = new URL(request.url).pathname;
      const { admission, buckets, event, held } = admit(tracker, method, path, maxWaitMs, report);
      if (held) throw held;
      const { subscriptionId, requestClass } = event;
      tracker.spend(subscriptionId, buckets);
      if (admission.delayMs > 0) await sleep(admission.delayMs, request.abortSignal);

      const started = performance.now();
      const sentAt = tracker.time();
      let response: PipelineResponse;
      try {
        response = await next(request);
      } catch (err) {
        const status = err instanceof RestError ? err.statusCode : undefined;
        report({
          ...event,
          status,
          durationMs: since(started),
          delayedMs: admission.delayMs,
          outcome: "error",
        });
        throw err;
      }
      const durationMs = since(started);
      const budgets = parseRateLimitHeaders(response.headers, windowMs).map((b) =>
        windowScale === 1 ? b : { ...b, windowMs: b.windowMs * windowScale },
      );
      tracker.observe(subscriptionId, budgets, { sentAt, paced: buckets });
      tracker.learn(requestClass, budgets);
      const learned = { ...event, buckets: resourceBuckets(tracker.bucketsOf(method, requestClass)) };

      if (response.status === 429) {
        const wait = retryAfterMs(response.headers) ?? defaultRetryAfterMs;
        const exhausted = budgets.filter((b) => b.remaining === 0).map((b) => b.bucket);
        tracker.block(subscriptionId, exhausted.length > 0 ? exhausted : buckets, wait);
        report({
          ...learned,
          status: 429,
          durationMs,
          delayedMs: admission.delayMs,
          outcome: "response",
          retryAfterMs: wait,
        });
        if (wait > maxWaitMs) throw throttled(request, response, wait);
        return response;
      }
      report({
        ...learned,
        status: response.status,
        durationMs,
        delayedMs: admission.delayMs,
        outcome: "response",
      });
      return response;
    },
  };
}

/**
 * Asks, before anything is sent, whether a `method` request to `path` would be held back now (the
 * policy's first step, for a caller with work to skip when it would: the driver saves no intent
 * for a write that cannot leave). Undefined: it may go, and nothing was taken (the request spends
 * when it is sent). Otherwise the Throttled error the request would fail with, its turn taken and
 * reported exactly as if the policy had held it back.
 */
export function heldBack(
  tracker: BudgetTracker,
  method: string,
  path: string,
  maxWaitMs: number,
  onRequest?: (event: ArmRequestEvent) => void,
): ArmError | undefined {
  return admit(tracker, method.toUpperCase(), path, maxWaitMs, reporter(onRequest)).held;
}

function reporter(onRequest: ((event: ArmRequestEvent) => void) | undefined) {
  return (event: ArmRequestEvent): void => {
    try {
      onRequest?.(event);
    } catch {
      // Metrics must never break an ARM call.
    }
  };
}

/**
 * The policy's first step: the buckets a request spends and its wait, or, when the wait is longer
 * than a worker may sleep, the Throttled error that holds it back. Its turn, not the first free
 * slot: held-back requests come back one slot apart.
 */
function admit(
  tracker: BudgetTracker,
  method: string,
  path: string,
  maxWaitMs: number,
  report: (event: ArmRequestEvent) => void,
): { admission: Admission; buckets: string[]; event: RequestIdentity; held: ArmError | undefined } {
  const subscriptionId = subscriptionOf(path);
  const requestClass = requestClassOf(method, path);
  const buckets = tracker.bucketsOf(method, requestClass);
  const event = { subscriptionId, method, requestClass, buckets: resourceBuckets(buckets) };
  const admission = tracker.peek(subscriptionId, buckets);
  if (admission.delayMs <= maxWaitMs) return { admission, buckets, event, held: undefined };
  const retryAfterMs = tracker.holdBack(subscriptionId, buckets);
  report({ ...event, durationMs: 0, delayedMs: 0, outcome: "heldBack", retryAfterMs });
  const held = new ArmError({
    kind: "Throttled",
    code: "RateLimitReserve",
    message: `Held back: rate-limit bucket ${admission.bucket} is at its reserve; retry in ${retryAfterMs} ms`,
    retryAfterMs,
    target: admission.bucket,
  });
  return { admission, buckets, event, held };
}

/** The subscription a request is billed to: the segment after `/subscriptions/`, lower case. */
export function subscriptionOf(path: string): string {
  return /\/subscriptions\/([^/?#]+)/i.exec(path)?.[1]?.toLowerCase() ?? "";
}

/**
 * A request's rate-limit identity: method plus the resource types after the last
 * `/providers/{namespace}`, names replaced by `*`, in lower case after the method:
 * `GET microsoft.compute/galleries/*`, `POST microsoft.compute/galleries/*\/share`. Query strings
 * ($expand, $select) do not matter.
 */
export function requestClassOf(method: string, path: string): string {
  const parsed = parseArmId(path.startsWith("/") ? path : `/${path}`);
  const types = parsed.provider
    ? [parsed.provider, ...parsed.segments.map((s) => (s.name ? `${s.type}/*` : s.type))]
    : [parsed.parentScope.split("/")[1] ?? ""];
  return `${method.toUpperCase()} ${types.join("/").toLowerCase()}`;
}

// Classified like any other ARM answer, but with the wait actually used (a missing Retry-After
// still needs a positive requeue delay).
function throttled(request: PipelineRequest, response: PipelineResponse, wait: number): ArmError {
  const cause = new RestError(`Too many requests (429), retry after ${wait} ms`, {
    statusCode: 429,
    request,
    response,
  });
  return new ArmError({ ...classifyArmError(cause).toJSON(), kind: "Throttled", retryAfterMs: wait, cause });
}

function resourceBuckets(buckets: readonly string[]): string[] {
  return buckets.filter((b) => !b.startsWith("subscription-") && !b.startsWith("tenant-"));
}

function since(started: number): number {
  return Math.round(performance.now() - started);
}

function sleep(ms: number, signal: PipelineRequest["abortSignal"]): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function abortError(): Error {
  const err = new Error("The request was aborted while waiting for rate-limit budget");
  err.name = "AbortError";
  return err;
}
