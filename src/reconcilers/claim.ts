// Before its first create in Azure, an object records the ARM id it is about to create in
// `status.id`. The CRDs let the user fix where an object lives (subscription, resource group,
// location, Azure name) only while `status.id` and `status.operation` are unset (docs/api.md,
// "Fixing a typo"), so recording it first means the spec can no longer move while a create may be
// under way, and nothing is left behind under the old name. When Azure refuses the create
// outright, nothing exists, and the id is dropped again so that the typo can be fixed.
import { ArmError, type ArmErrorKind } from "../azure/index.js";
import type { ArmObject, ArmWrite } from "./arm-kind.js";

/** ARM answers to a create that prove it created nothing: the request was refused as a whole. */
const REFUSED: ReadonlySet<ArmErrorKind> = new Set([
  "UserError",
  "Auth",
  "NotFound",
  "Inaccessible",
  "Throttled",
]);

const refusedCreates = new WeakSet<object>();

/** The id `step` would create, when the object has not recorded it yet: record it before writing. */
export function unclaimedCreate(obj: ArmObject, step: ArmWrite): string | undefined {
  return step.creates !== undefined && obj.status?.id === undefined ? step.creates : undefined;
}

/** Runs a create's `start`, marking an error that proves nothing was created (see `refusedCreate`). */
export async function startCreate<R>(step: ArmWrite, start: () => Promise<R>): Promise<R> {
  try {
    return await start();
  } catch (err) {
    if (step.creates !== undefined && err instanceof ArmError && REFUSED.has(err.kind))
      refusedCreates.add(err);
    throw err;
  }
}

/** Whether `err` is Azure refusing a create outright: the recorded id may go. */
export function refusedCreate(err: unknown): boolean {
  return typeof err === "object" && err !== null && refusedCreates.has(err);
}
