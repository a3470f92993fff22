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
  ) {
    super(`${request}: ${code} ${reason ? `${reason}: ` : ""}${message}`);
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

/** A readable one-liner for logs and events. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
