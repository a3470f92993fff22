// How a failed reconcile step reaches the operator's log. Azure's answers are what an operator on
// call needs (warn: ARM's code, message and request id, to quote to Azure support); the operator's
// own optimistic-concurrency guards losing a race are routine (debug, no stack: they are retried
// from a fresh read at once); anything else stays at debug here, since the controller logs the
// reconcile's outcome with it.
import { isRestError } from "@azure/core-rest-pipeline";
import type { Logger } from "pino";
import { ArmError } from "../../azure/index.js";
import { describeError, isWriteRace } from "../../kube/index.js";
import type { ArmObject } from "./arm-kind.js";

/** ARM's ids of the request an error answered, when an HTTP answer came back. */
export function armRequestIds(err: ArmError): { requestId?: string; correlationId?: string } {
  const cause = err.cause;
  if (!isRestError(cause)) return {};
  const header = (name: string) => cause.response?.headers.get(name) ?? undefined;
  const requestId = header("x-ms-request-id");
  const correlationId = header("x-ms-correlation-request-id");
  return { ...(requestId ? { requestId } : {}), ...(correlationId ? { correlationId } : {}) };
}

/** Logs a reconcile step that failed with `err`, which status reports as `reason`. */
export function logStepFailure(log: Logger, obj: ArmObject, err: unknown, reason: string): void {
  const subject = { namespace: obj.metadata.namespace, name: obj.metadata.name, reason };
  if (err instanceof ArmError) {
    const azure = { code: err.code, message: err.message, status: err.status, ...armRequestIds(err) };
    // A throttled call is pacing, not a failure: it is retried when ARM said.
    if (err.kind === "Throttled") log.info({ ...subject, azure }, "Azure throttled a request");
    else log.warn({ ...subject, azure }, "Azure answered with an error");
    return;
  }
  if (isWriteRace(err)) {
    log.debug({ ...subject, race: describeError(err) }, "lost a write race to a concurrent change; retrying");
    return;
  }
  log.debug({ ...subject, error: describeError(err) }, "reconcile step failed");
}
