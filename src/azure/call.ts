// The few moves every resource facade makes: run a call and rethrow its failure classified,
// read with "absent" as undefined, and resume an operation only on the resource it belongs to.
import type { ComputeManagementClient } from "@azure/arm-compute";
import type { ArmClients } from "./clients.js";
import { classifyArmError } from "./errors.js";
import { normalizeArmId, parseArmId } from "./ids.js";
import {
  describeResumeToken,
  InvalidResumeTokenError,
  type LroProgress,
  type LroSource,
  type PollLroOptions,
  pollLro,
  type ResumeTokenInfo,
} from "./lro.js";

/** Runs one ARM call. Errors: ArmError for any failure. */
export async function armCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw classifyArmError(err);
  }
}

/** Runs one ARM read. Guarantees: undefined when ARM says NotFound. Errors: ArmError otherwise. */
export async function armGet<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    const classified = classifyArmError(err);
    if (classified.kind === "NotFound") return undefined;
    throw classified;
  }
}

/** How to resume a token on a given client: which SDK operation it came from and how to read its end. */
export type ResumePlan<T> = (
  client: ComputeManagementClient,
  token: ResumeTokenInfo,
) => {
  source: LroSource;
} & PollLroOptions<T>;

/** Where `resumeOn` polls: the resource's clients and id, and the signal that ends the poll. */
export interface ResumeTarget {
  clients: ArmClients;
  resourceId: string;
  signal?: AbortSignal;
}

/**
 * Polls once an operation that must belong to the resource `on.resourceId`.
 *
 * Guarantees: the token's request was made on the resource itself or on one of its actions
 * (`{id}/share`); the client is the one for the subscription in the token; `on.signal` ends the
 * poll request, on the wire or waiting to go.
 * Errors: InvalidResumeTokenError when the token is unreadable or belongs to another resource;
 * ArmError as `pollLro`.
 */
export async function resumeOn<T>(
  on: ResumeTarget,
  resumeToken: string,
  plan: ResumePlan<T>,
): Promise<LroProgress<T>> {
  const info = describeResumeToken(resumeToken);
  const path = normalizeArmId(decodeURIComponent(new URL(info.requestUrl).pathname));
  const id = normalizeArmId(on.resourceId);
  const onResource = path.endsWith(id) || path.endsWith(`${id}/share`);
  if (!onResource) {
    throw new InvalidResumeTokenError(
      `resume token belongs to ${info.method} ${path}, not to ${on.resourceId}`,
    );
  }
  const subscriptionId = parseArmId(on.resourceId).subscriptionId;
  if (!subscriptionId) throw new InvalidResumeTokenError(`${on.resourceId} names no subscription`);
  const client = on.clients.compute(subscriptionId);
  const { source, ...options } = plan(client, info);
  return pollLro(client, resumeToken, source, { ...options, abortSignal: on.signal });
}
