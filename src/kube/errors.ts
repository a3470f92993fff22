// Errors the runtime raises, named for what failed so a log line reads as a sentence. Callers branch
// on the class and on `code`/`reason`, never on message text.

/** The API server answered with an error `Status` (or a bare HTTP error). */
export class KubeApiError extends Error {
  override readonly name = "KubeApiError";

  constructor(
    /** HTTP status code (404, 409, 410, 422...). */
    readonly code: number,
    /** The Status `reason` ("NotFound", "Conflict", "Expired", "Invalid"...), or "" if none. */
    readonly reason: string,
    message: string,
    /** What was asked, e.g. "PATCH /apis/g/v1/namespaces/n/widgets/w/status". */
    readonly request: string,
    /** The Status `details.causes`: the fields a validation failure names; none for a failed patch. */
    readonly causes: readonly { field?: string; message?: string }[] = [],
    /** The Status `details.name`: the object a validation failure is about. */
    readonly objectName: string = "",
  ) {
    super(`${request}: ${code} ${reason ? `${reason}: ` : ""}${message}`);
  }

  /** A JSON Patch `test` failed (a 422 about no object and no field), not a validation failure. */
  get patchTestFailed(): boolean {
    return this.code === 422 && this.causes.length === 0 && this.objectName === "";
  }
}

/** A watch stream delivered nothing (not even a bookmark) for longer than its idle timeout. */
export class WatchIdleError extends Error {
  override readonly name = "WatchIdleError";

  constructor(readonly idleMs: number) {
    super(`watch stream silent for ${idleMs} ms; assuming the connection is dead`);
  }
}

/** The object has gone or the resourceVersion is too old: the caller must list again. */
export function isGone(err: unknown): boolean {
  return (
    err instanceof KubeApiError && (err.code === 410 || err.reason === "Expired" || err.reason === "Gone")
  );
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 404;
}

/** A write lost a race: resourceVersion precondition (409) or a JSON Patch `test` that failed (422). */
export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 409;
}

export function isAlreadyExists(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 409 && err.reason === "AlreadyExists";
}

/** The server rejected the request's content (422): validation, or a JSON Patch `test` that failed. */
export function isInvalid(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 422;
}

/**
 * The operator's own optimistic-concurrency guard lost a race: a write with a stale resourceVersion
 * (409 Conflict) or a JSON Patch whose `test` failed (422 without field causes: the API server
 * reports a failed patch as a bare 422, a validation failure names the object and its fields).
 * Looks through `cause` (errors that wrap the API error). Such errors are retried from a fresh
 * read; they are not failures anyone needs to see.
 */
export function isWriteRace(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; depth++) {
    if (e instanceof KubeApiError) {
      return (e.code === 409 && e.reason === "Conflict") || (e.code === 422 && e.patchTestFailed);
    }
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

/** A readable one-liner for logs and events. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
