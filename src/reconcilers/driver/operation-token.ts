// Where a running operation's resume token lives: in an annotation, which `kubectl describe` cuts
// to 140 characters, not in status, which it prints whole (ARM's operation URLs are signed and run
// to about 2 kB). `status.operation` keeps what a person reads: action, request, since when.
// The token is saved before the status that marks the operation accepted (`acceptedAt`), so an
// accepted operation always has its token; a token of an operation status does not mark accepted
// is ignored (docs/api.md).
import { GROUP } from "../../api/index.js";
import type { ResourceClient } from "../../kube/index.js";
import type { ArmObject } from "./arm-kind.js";
import { stubbornly } from "./intent.js";

export const OPERATION_TOKEN_ANNOTATION = `${GROUP}/operation-token`;

/**
 * The token of the accepted operation `status.operation` names; undefined when there is none.
 * Status written by an operator before the annotation carries it in `status.operation.resumeToken`.
 */
export function savedToken(obj: ArmObject): string | undefined {
  const operation = obj.status?.operation;
  if (operation?.resumeToken) return operation.resumeToken;
  return operation?.acceptedAt ? obj.metadata.annotations?.[OPERATION_TOKEN_ANNOTATION] : undefined;
}

/**
 * Makes the annotation hold `token` (retried like the operation's status, see intent.ts); returns
 * the object as the API server has it afterwards.
 */
export function saveToken<T extends ArmObject>(
  client: ResourceClient<T>,
  obj: T,
  token: string,
  signal?: AbortSignal,
): Promise<T> {
  if (obj.metadata.annotations?.[OPERATION_TOKEN_ANNOTATION] === token) return Promise.resolve(obj);
  // A merge patch adds the key and keeps every other annotation, whoever wrote it.
  const patch = { metadata: { annotations: { [OPERATION_TOKEN_ANNOTATION]: token } } };
  return stubbornly(() => client.mergePatch(obj.metadata, patch), signal);
}
