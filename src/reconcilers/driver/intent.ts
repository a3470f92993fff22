// Write-ahead intents (docs/runtime.md, "Exactly one write"): before an ARM write the driver saves
// in `status.operation` what it is about to send, and only then sends it. A process that finds an
// intent ARM's answer was never saved for (operation-token.ts) cannot know whether the write left;
// it decides from Azure, and waits out the time the write would take to show before sending it again.
import { randomUUID } from "node:crypto";
import type { PendingOperation } from "../../api/index.js";
import { ArmError } from "../../azure/index.js";
import { backoffDelay, isNotFound, type ResourceClient } from "../../kube/index.js";
import type { ArmObject, ArmWrite } from "./arm-kind.js";
import {
  type AcceptedAnswer,
  answerAnnotations,
  answered,
  OPERATION_TOKEN_ANNOTATION,
} from "./operation-token.js";

/**
 * How long a share may take to show in the gallery's groups: ARM changes them only when the
 * operation ends, about 45 s after it was accepted in the recordings, 0.03 s on other days
 * (docs/arm-behaviour.md, "How long operations take"). Twice the longest recorded: a share sent
 * twice spends one unit of the scarce share quota and changes nothing more, while every second
 * of this wait is a second a removed subscription keeps its access when the wait is for a
 * `Remove` (the chaos campaign's I4 caught ten minutes here: docs/reliability.md).
 */
export const SHARE_SHOWS_WITHIN_MS = 90_000;

/** A PUT or a DELETE shows at once (`Creating`/`Updating`/`Deleting`, or gone): a few seconds cover ARM's read replicas. */
const DEFAULT_SHOWS_WITHIN_MS = 5_000;

/** Retries of the status write that records what ARM answered: quick at first, never above 5 s. */
const SAVE_BACKOFF = { baseMs: 100, capMs: 5_000, jitter: 0.2 };

/** The intent to send `step` for `obj`, as saved before sending. */
export function intentOf(obj: ArmObject, step: ArmWrite, now: Date): PendingOperation & { intentId: string } {
  return {
    action: step.action,
    intentId: randomUUID(),
    request: step.note,
    startedAt: now.toISOString(),
    // Read by people, not by the operator (which decides from Azure): `kubectl get -o yaml` shows
    // whether the running write carries the latest edit. The CRDs require it, and `helm upgrade`
    // leaves installed CRDs as they are, so an operator that stopped writing it would have every
    // intent refused by clusters that keep an older CRD.
    generation: obj.metadata.generation ?? 0,
    ...(step.onSuccess ? { onSuccess: step.onSuccess } : {}),
  };
}

/**
 * The intent in `obj`'s status, when ARM's answer to it was never recorded (the process may have
 * died between saving the intent and saving the answer).
 */
export function unconfirmed(obj: ArmObject): PendingOperation | undefined {
  const operation = obj.status?.operation;
  return operation && !answered(obj) ? operation : undefined;
}

/**
 * How much longer to wait before sending `step` again, when an unconfirmed intent in `obj`'s
 * status, of an earlier attempt (maybe another process), asked for the very same write: it may
 * have reached ARM and not show yet. Undefined: send now (another write, or the wait is over and
 * it did not show). `timeScale` shortens the wait against a faster ARM (the project's simulator,
 * `--arm-time-scale`).
 */
export function waitForEarlierWrite(
  obj: ArmObject,
  step: ArmWrite,
  now: Date,
  timeScale = 1,
): number | undefined {
  const intent = unconfirmed(obj);
  if (!intent || intent.action !== step.action || intent.request !== step.note) return undefined;
  const window = (step.showsWithinMs ?? DEFAULT_SHOWS_WITHIN_MS) * timeScale;
  const left = Date.parse(intent.startedAt) + window - now.getTime();
  return left > 0 ? left : undefined;
}

/** Node's codes for a connection that never opened: the request cannot have reached ARM. */
const NEVER_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * Whether a write that failed certainly changed nothing in Azure: ARM refused it (a 4xx answer),
 * or it never left (held back by the operator's own rate budget, no token, no connection). A 5xx,
 * a timeout or a reset connection may come after ARM took the write: those keep the intent.
 */
export function certainlyNotSent(err: unknown): boolean {
  if (!(err instanceof ArmError)) return false;
  if (err.status !== undefined) return err.status < 500;
  return err.code === "RateLimitReserve" || err.kind === "Auth" || NEVER_CONNECTED.has(err.code);
}

/**
 * An error of a write sent after its intent was saved, with the object as that save left it: what
 * reports the failure must write over that status, not the one read before.
 */
export class FailedAfterIntent<T> extends Error {
  override name = "FailedAfterIntent";
  constructor(
    readonly error: unknown,
    readonly latest: T,
  ) {
    super(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/**
 * Records `operation` (or its absence, with null) in `obj`'s status, whatever else changed meanwhile.
 *
 * Flow: a merge patch of `status.operation` alone (no resourceVersion precondition: a concurrent
 * label, spec or status edit cannot refuse it), retried with a short capped backoff until the API
 * server takes it.
 * Guarantees: on return the operation is saved. Why so stubborn: the write went to ARM already,
 * and an unsaved answer costs the next reconcile a wait (or, for a share, a second write).
 * Errors: the object is gone (404), or `signal` aborted (leadership lost: the next leader
 * decides from Azure).
 */
export async function saveOperation<T extends ArmObject>(
  client: ResourceClient<T>,
  obj: T,
  operation: PendingOperation | null,
  signal?: AbortSignal,
): Promise<T> {
  const ref = { namespace: obj.metadata.namespace, name: obj.metadata.name };
  return stubbornly(
    () => client.mergePatch(ref, { status: { operation } }, { subresource: "status" }),
    signal,
  );
}

/**
 * Records that ARM accepted the intent `answer.intentId` and gave `token` to resume its operation
 * from: one merge patch of two annotations (operation-token.ts), retried like `saveOperation`.
 * A merge patch adds the keys and keeps every other annotation, whoever wrote it.
 */
export function saveAnswer<T extends ArmObject>(
  client: ResourceClient<T>,
  obj: T,
  answer: AcceptedAnswer,
  token: string,
  signal?: AbortSignal,
): Promise<T> {
  return saveAnnotations(client, obj, answerAnnotations(answer, token), signal);
}

/** Replaces the saved resume token with the one a poll returned, when ARM moved it (see saveAnswer). */
export function saveToken<T extends ArmObject>(client: ResourceClient<T>, obj: T, token: string): Promise<T> {
  if (obj.metadata.annotations?.[OPERATION_TOKEN_ANNOTATION] === token) return Promise.resolve(obj);
  return saveAnnotations(client, obj, { [OPERATION_TOKEN_ANNOTATION]: token });
}

function saveAnnotations<T extends ArmObject>(
  client: ResourceClient<T>,
  obj: T,
  annotations: Record<string, string>,
  signal?: AbortSignal,
): Promise<T> {
  return stubbornly(() => client.mergePatch(obj.metadata, { metadata: { annotations } }), signal);
}

/**
 * Runs `patch` until the API server takes it, with a short capped backoff (see `saveOperation`).
 * Errors: the object is gone (404), or `signal` aborted.
 */
export async function stubbornly<T>(patch: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await patch();
    } catch (err) {
      if (isNotFound(err) || signal?.aborted) throw err;
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, SAVE_BACKOFF)));
    }
  }
}
