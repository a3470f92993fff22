// Long-running operations without blocking: start one and come back with a resume token, or
// poll once from a token and come back with the new one. The token is the SDK poller's own
// serialized state, so a restarted operator polls the SAME operation instead of writing again.
import { type ComputeManagementClient, restorePoller } from "@azure/arm-compute";
import { deserializeState, type OperationState, type PollerLike } from "@azure/core-lro";
import { isRestError } from "@azure/core-rest-pipeline";
import { ArmError, classifyArmError } from "./errors.js";

export type LroPoller<T> = PollerLike<OperationState<T>, T>;

/** The SDK operation a token came from (restorePoller names it in its errors). */
export type LroSource = Parameters<typeof restorePoller>[2];

/**
 * Where an operation stands after one step.
 * - running: save `resumeToken` (e.g. in Kubernetes status) and poll again later.
 * - succeeded: drop the token; `result` is the final resource (undefined for delete/share).
 * - failed: ARM ran the operation and it failed; drop the token and report `error`.
 */
export type LroProgress<T> =
  | { done: false; status: "running"; resumeToken: string }
  | { done: true; status: "succeeded"; result: T }
  | { done: true; status: "failed"; error: ArmError };

/** The final HTTP answer of an operation, for a custom `deserialize`. */
export interface LroFinalResponse {
  status: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface PollLroOptions<T> {
  /**
   * Replaces the SDK's deserializer for the final response. Needed where ARM's final answer does
   * not fit the SDK: the share action's monitor URL answers 200 with an empty body, on which
   * the SDK's deserializer throws (docs/arm-behaviour.md#operation-status).
   */
  deserialize?: (response: LroFinalResponse) => T;
  /** Ends the poll's requests, on the wire or waiting to go (a retry's backoff included). */
  abortSignal?: AbortSignal;
}

/** A token that is not a serialized poller state of a Compute operation. */
export class InvalidResumeTokenError extends Error {
  override name = "InvalidResumeTokenError";
}

/** What a resume token points at, for logs and for checking it belongs to the object at hand. */
export interface ResumeTokenInfo {
  /** The method of the request that started the operation: PUT, POST or DELETE. */
  method: string;
  /** The URL of that request (the resource, or its action such as `/share`). */
  requestUrl: string;
  /** The URL polled for status, as ARM handed it out (opaque). */
  operationUrl?: string;
}

/**
 * Sends the initial request of an operation and returns at once.
 *
 * Flow: 1. `begin()` must return the SDK poller (for example
 * `() => client.galleries.createOrUpdate(rg, name, body)`); this sends the initial request;
 * 2. wait for that request only; 3. report: done at once (ARM answered synchronously) or
 * running with a resume token.
 * Guarantees: exactly one initial request; no polling request is sent.
 * Errors: ArmError when the initial request fails (nothing was started then).
 * Caveats: never `await` the poller itself (nor return it from an async function): a PollerLike
 * is a thenable that polls until done.
 */
export async function startLro<T>(begin: () => LroPoller<T>): Promise<LroProgress<T>> {
  let poller: LroPoller<T>;
  try {
    poller = begin();
    await poller.submitted();
  } catch (err) {
    throw classifyArmError(err);
  }
  return progressOf(poller);
}

/**
 * `startLro` for operations whose result says nothing (delete, the share action), typed so that
 * their progress mixes with a resource's: `result` is always undefined.
 */
export async function startLroWithoutResult(
  begin: () => LroPoller<unknown>,
): Promise<LroProgress<undefined>> {
  const progress = await startLro(begin);
  return progress.status === "succeeded" ? { ...progress, result: undefined } : progress;
}

/**
 * Polls an operation once from its resume token.
 *
 * Flow: 1. restore the SDK poller from the token; 2. one status request (plus, when the
 * operation has just succeeded, the final GET of the resource); 3. report where it stands.
 * Guarantees: no write is ever sent; when still running, the returned token replaces the old one
 * (ARM may move the status URL).
 * Errors: InvalidResumeTokenError for a token that cannot be restored; ArmError when a request
 * failed (the old token stays valid: poll again after the error's backoff). NotFound here means
 * the operation or its resource is gone: drop the token and read the resource again.
 */
export async function pollLro<T>(
  client: ComputeManagementClient,
  resumeToken: string,
  source: LroSource,
  options: PollLroOptions<T> = {},
): Promise<LroProgress<T>> {
  describeResumeToken(resumeToken);
  const deserialize = options.deserialize;
  let poller: LroPoller<unknown>;
  try {
    poller = restorePoller(client, resumeToken, source, {
      abortSignal: options.abortSignal,
      ...(deserialize
        ? { processResponseBody: async (response: LroFinalResponse) => deserialize(response) }
        : {}),
    });
  } catch (err) {
    throw new InvalidResumeTokenError(`cannot resume operation: ${(err as Error).message}`, { cause: err });
  }
  try {
    await poller.poll({ abortSignal: options.abortSignal });
  } catch (err) {
    if (!operationFailed(poller, err)) throw classifyArmError(err);
  }
  // restorePoller types its result from `source`; `deserialize` or the SDK op behind the token
  // produced a T.
  return progressOf(poller as LroPoller<T>);
}

/**
 * Reads a resume token without using it.
 * Errors: InvalidResumeTokenError when it is not a serialized poller state.
 */
export function describeResumeToken(resumeToken: string): ResumeTokenInfo {
  let config: { initialRequestUrl?: string; requestMethod?: string; operationLocation?: string } | undefined;
  try {
    config = deserializeState(resumeToken)?.config;
  } catch (e) {
    throw new InvalidResumeTokenError("resume token is not a serialized operation state", { cause: e });
  }
  if (!config?.initialRequestUrl || !config.requestMethod) {
    throw new InvalidResumeTokenError("resume token has no initial request");
  }
  return {
    method: config.requestMethod.toUpperCase(),
    requestUrl: config.initialRequestUrl,
    ...(config.operationLocation ? { operationUrl: config.operationLocation } : {}),
  };
}

async function progressOf<T>(poller: LroPoller<T>): Promise<LroProgress<T>> {
  const state = poller.operationState;
  switch (state?.status) {
    case "succeeded":
      return { done: true, status: "succeeded", result: poller.result as T };
    case "failed":
      return {
        done: true,
        status: "failed",
        error: classifyArmError(state.error ?? new Error("The long-running operation has failed")),
      };
    case "canceled":
      return {
        done: true,
        status: "failed",
        error: new ArmError({ kind: "Conflict", code: "Canceled", message: "The operation was canceled" }),
      };
    default:
      return { done: false, status: "running", resumeToken: await poller.serialize() };
  }
}

// The SDK marks its state failed both when ARM reported the operation failed and when a poll
// request itself failed (a RestError). Only the first ends the operation.
function operationFailed(poller: LroPoller<unknown>, err: unknown): boolean {
  const status = poller.operationState?.status;
  return (status === "failed" || status === "canceled") && !isRestError(err) && !(err instanceof ArmError);
}
