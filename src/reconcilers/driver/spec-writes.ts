// The PUT and DELETE writes of kinds whose Azure resource is one ARM object (image definitions,
// image versions, galleries): the same actions, events and notes, each kind naming what it writes.
import type { LroProgress } from "../../azure/index.js";
import type { ArmWrite } from "./arm-kind.js";
import type { ReconcilerContext } from "./context.js";

export interface PutSpec {
  /** Prefixes the event reasons: `ImageDefinition` → `ImageDefinitionCreating`, `…Created`, `…Updating`, `…Updated`. */
  events: string;
  /** What is written, for notes: `image definition img1`. */
  what: string;
  /** Set for an update: the fields it corrects (empty: the whole spec again, a resync). */
  diffs?: string[];
  /** Notes of a create: when it is sent, and once Azure finished it. */
  creating: string;
  created: string;
  /** The ARM id of the resource the PUT writes (ArmWrite.sends). */
  id: string;
  start(): Promise<LroProgress<unknown>>;
}

/** The PUT of a spec, as a create or (with `diffs`) an update naming the fields it corrects. */
export function putWrite(put: PutSpec): ArmWrite {
  const { events, what, diffs, start } = put;
  const sends = { method: "PUT" as const, id: put.id };
  if (!diffs) {
    return {
      action: "CreateOrUpdate",
      eventReason: `${events}Creating`,
      note: put.creating,
      onSuccess: { reason: `${events}Created`, note: put.created },
      start,
      sends,
    };
  }
  const fields = diffs.join(", ") || "resync";
  return {
    action: "CreateOrUpdate",
    eventReason: `${events}Updating`,
    note: `updating ${what}: ${fields}`,
    fields: diffs.map((field) => ({ field })),
    onSuccess: { reason: `${events}Updated`, note: `${what} updated: ${fields}` },
    start,
    sends,
  };
}

/** The DELETE of the resource `id`: `deleting` when sent, `deleted` once Azure finished it. */
export function deleteWrite(
  events: string,
  id: string,
  deleting: string,
  deleted: string,
  start: () => Promise<LroProgress<unknown>>,
): ArmWrite {
  return {
    action: "Delete",
    eventReason: `${events}Deleting`,
    note: deleting,
    onSuccess: { reason: `${events}Deleted`, note: deleted },
    start,
    sends: { method: "DELETE", id },
  };
}

/** Builds the PUT of `obj`'s spec into `location`: a create, or (with `update`) an update of the fields in `diffs`. */
export type PutFn<T, Target, Actual> = (
  obj: T,
  target: Target,
  location: string,
  ctx: ReconcilerContext,
  update?: { actual: Actual; diffs: string[] },
) => ArmWrite;

/**
 * Where a PUT goes: the parent's region the target carries, else the region Azure has the
 * resource in. Errors: neither is known (a cleanup target, which never plans a PUT).
 */
export function putLocation(
  target: { location?: string },
  actual: { location?: string } | undefined,
  what: string,
): string {
  const location = target.location ?? actual?.location;
  if (location === undefined) throw new Error(`an ${what} target without a location (cleanup only)`);
  return location;
}
