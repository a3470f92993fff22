// How an ARM failure shows up for the user: which Ready reason, what message, when to look again,
// and whether the controller should back off (transient) or wait for the user (their input).
import { ArmError } from "../../azure/index.js";

export interface FailureOutcome {
  reason: string;
  message: string;
  /** Set when the failure waits on something known: Retry-After, or the user fixing the spec. */
  requeueAfterMs?: number;
  /** Transient: rethrow so the work queue backs off exponentially. */
  backoff: boolean;
  /** The user must act: record a Warning event. */
  warn: boolean;
}

/** Ready reasons of failures that pass by themselves (the queue backs off, or Retry-After). */
export const TRANSIENT_REASONS: ReadonlySet<string> = new Set(["AzureError", "ReconcileError", "Throttled"]);

/** A failure the user must fix is looked at again this often (an edit wakes the object first). */
export const USER_RETRY_MS = 5 * 60_000;
/** A conflict with Azure's state (an operation running, a 409) is tried again this often. */
export const CONFLICT_RETRY_MS = 30_000;

/** Condition reasons are CamelCase identifiers; ARM codes almost always are, and this makes sure. */
export function reasonFromCode(code: string, fallback: string): string {
  const cleaned = code.replace(/[^A-Za-z0-9]/g, "");
  return /^[A-Za-z]/.test(cleaned) ? cleaned : fallback;
}

/**
 * Maps a classified ARM error to what the reconciler reports and does.
 *
 * - Throttled: reason `Throttled`, look again after ARM's Retry-After (no backoff growth).
 * - UserError / Auth: ARM's own code as the reason and its message, a Warning event, and no retry
 *   storm: the spec (or a role assignment) must change first; look again after 5 minutes anyway.
 * - Inaccessible (ARM would not say whether the resource exists): ARM's code, a message saying what
 *   to fix, a Warning event and exponential backoff. Nothing is written or forgotten meanwhile: an
 *   object being deleted keeps its finalizer (a delete ends only on a "gone" 404 or a DELETE that
 *   succeeded), since the resource may well be there, under a subscription the identity cannot see.
 * - NotFound (a parent or the source is missing in Azure) and Conflict: ARM's code, retried later.
 * - Retryable / Unknown: reason `AzureError`, exponential backoff.
 */
export function failureOutcome(err: unknown): FailureOutcome {
  if (!(err instanceof ArmError)) {
    return { reason: "ReconcileError", message: errorText(err), backoff: true, warn: false };
  }
  const message = err.target ? `${err.message} (field: ${err.target})` : err.message;
  switch (err.kind) {
    case "Throttled":
      return {
        reason: "Throttled",
        message: `Azure is throttling requests: ${throttledBucket(err)} is used up (${err.code}); the operator retries in ${Math.ceil((err.retryAfterMs ?? 0) / 1000)} s`,
        requeueAfterMs: err.retryAfterMs ?? CONFLICT_RETRY_MS,
        backoff: false,
        warn: false,
      };
    case "UserError":
    case "Auth":
      return {
        reason: reasonFromCode(err.code, err.kind === "Auth" ? "AuthorizationFailed" : "InvalidSpec"),
        message,
        requeueAfterMs: USER_RETRY_MS,
        backoff: false,
        warn: true,
      };
    case "Inaccessible":
      return {
        reason: reasonFromCode(err.code, "AzureInaccessible"),
        message: `${sentence(message)} The operator cannot tell whether the Azure resource exists, so it changes nothing until it can: check spec.subscriptionId and spec.resourceGroup, and that the operator's identity can read them (to let go of the Azure resource of an object being deleted, set spec.deletionPolicy to Orphan)`,
        backoff: true,
        warn: true,
      };
    case "NotFound":
    case "Conflict":
      return {
        reason: reasonFromCode(err.code, err.kind),
        message,
        requeueAfterMs: CONFLICT_RETRY_MS,
        backoff: false,
        warn: true,
      };
    default:
      return { reason: "AzureError", message: `${err.code}: ${message}`, backoff: true, warn: false };
  }
}

/**
 * Which limit a 429 hit: the Compute rate-limit bucket ARM names in the error's details (or the
 * operator's own reserve names in `target`), else ARM's per-subscription request limit.
 */
function throttledBucket(err: ArmError): string {
  const bucket = err.target ?? err.details.find((d) => d.target)?.target;
  return bucket ? `rate-limit bucket ${bucket}` : "the subscription's ARM request limit";
}

/** Ends `text` with a full stop, so that another sentence can follow. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
