// Where ARM's answer to a write lives (docs/runtime.md, "Safe writes"): two annotations saved in
// one merge patch, the resume token and which intent it answers. Not in status: `kubectl describe`
// prints status whole and cuts annotations to 140 characters (ARM's operation URLs are signed and
// run to about 2 kB). One metadata write carries both, so accepting an operation costs a single
// API-server write; `status.operation.acceptedAt` follows with the operation's next status write.
// Reading only: the writes that save the answer are retried like the intent's (intent.ts).
import { GROUP } from "../../api/index.js";
import type { ArmObject } from "./arm-kind.js";

export const OPERATION_TOKEN_ANNOTATION = `${GROUP}/operation-token`;
/** `{"intentId": …, "acceptedAt": …}` of the intent the token annotation answers. */
export const OPERATION_ACCEPTED_ANNOTATION = `${GROUP}/operation-accepted`;

/** Which intent ARM accepted, and when. */
export interface AcceptedAnswer {
  intentId: string;
  acceptedAt: string;
}

/** The annotations that record ARM's acceptance of intent `intentId` with `token`. */
export function answerAnnotations(answer: AcceptedAnswer, token: string): Record<string, string> {
  return {
    [OPERATION_TOKEN_ANNOTATION]: token,
    [OPERATION_ACCEPTED_ANNOTATION]: JSON.stringify(answer),
  };
}

/**
 * The acceptance recorded for the intent `status.operation` holds; undefined when none is (no
 * annotation, one left by an earlier operation, or a value that does not parse).
 */
export function acceptedAnswer(obj: ArmObject): AcceptedAnswer | undefined {
  const intentId = obj.status?.operation?.intentId;
  const raw = obj.metadata.annotations?.[OPERATION_ACCEPTED_ANNOTATION];
  if (!intentId || !raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { intentId: named, acceptedAt } = parsed as Partial<Record<keyof AcceptedAnswer, unknown>>;
  if (named !== intentId || typeof acceptedAt !== "string") return undefined;
  return { intentId, acceptedAt };
}

/**
 * Whether ARM's answer to the write in `status.operation` is saved: its acceptance annotation
 * names this intent, or status marks it accepted (`acceptedAt`, written by the operation's polls
 * and by earlier versions), or holds the token itself (earlier versions still).
 */
export function answered(obj: ArmObject): boolean {
  const operation = obj.status?.operation;
  if (!operation) return false;
  return !!operation.acceptedAt || !!operation.resumeToken || acceptedAnswer(obj) !== undefined;
}

/** When ARM accepted the running operation, as saved; undefined before its answer was. */
export function acceptedAtOf(obj: ArmObject): string | undefined {
  return obj.status?.operation?.acceptedAt ?? acceptedAnswer(obj)?.acceptedAt;
}

/**
 * The token of the accepted operation `status.operation` names; undefined when there is none. A
 * token annotation the status does not mark answered belongs to an earlier operation and is ignored.
 */
export function savedToken(obj: ArmObject): string | undefined {
  const operation = obj.status?.operation;
  if (operation?.resumeToken) return operation.resumeToken;
  return answered(obj) ? obj.metadata.annotations?.[OPERATION_TOKEN_ANNOTATION] : undefined;
}
