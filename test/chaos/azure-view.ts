// Reading the simulator as a judge: its request log (the operator's writes as ARM saw them) and
// its state (what Azure holds), compared with what the user asked for.
import type { GallerySharingSpec, GallerySpec, ImageVersionSpec } from "../../src/api/index.js";
import type { RequestRecord, StateSnapshot } from "../../tools/sim/index.js";
import type { Desired } from "./model.js";
import { OPERATOR_OID } from "./operator.js";

/** Virtual ms of a log entry (`2026-12-07T08:00:00.1234567+00:00`). */
export function armTime(record: Pick<RequestRecord, "time">): number {
  const [whole = "", rest = ""] = record.time.replace("+00:00", "").split(".");
  return Date.parse(`${whole}Z`) + Number(`0.${rest || "0"}`) * 1000;
}

/** Requests the operator sent that changed something (not reads, not operation polls). */
export function operatorWrites(log: RequestRecord[]): RequestRecord[] {
  return log.filter(
    (r) =>
      r.identity?.objectId === OPERATOR_OID &&
      r.method !== "GET" &&
      r.method !== "HEAD" &&
      !/\/capsOperations\//i.test(r.path),
  );
}

/** Whether ARM took the request (not refused, not a fault that stood in for ARM, not dropped). */
export function accepted(r: RequestRecord): boolean {
  return r.status >= 200 && r.status < 300 && r.fault !== "respond" && r.fault !== "drop";
}

export const lower = (s: string) => s.toLowerCase();

/** The ARM resource a write targets: a role assignment, a gallery's share action, or the resource. */
export function writeTarget(r: RequestRecord): string {
  return lower(r.path).replace(/\/+$/, "");
}

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const x = new Set(a.map(lower));
  const y = new Set(b.map(lower));
  return x.size === y.size && [...x].every((v) => y.has(v));
};

/** Where Azure differs from what `desired` asks (empty when it agrees). Only what the spec owns. */
export function azureDiff(desired: Desired, state: StateSnapshot, foreign: readonly string[]): string[] {
  const byId = <T extends { id: string }>(items: T[]) => items.find((i) => lower(i.id) === desired.azureId);
  switch (desired.kind) {
    case "Gallery": {
      const g = byId(state.galleries);
      if (!g) return ["the gallery is not in Azure"];
      const spec = desired.manifest.spec as GallerySpec;
      const diffs = g.provisioningState === "Succeeded" ? [] : [`provisioningState ${g.provisioningState}`];
      for (const [k, v] of Object.entries(spec.tags ?? {}))
        if (g.tags?.[k] !== v) diffs.push(`tag ${k}: Azure ${g.tags?.[k] ?? "(none)"}, spec ${v}`);
      return diffs;
    }
    case "ImageDefinition": {
      const d = byId(state.images);
      if (!d) return ["the image definition is not in Azure"];
      return d.provisioningState === "Succeeded" ? [] : [`provisioningState ${d.provisioningState}`];
    }
    case "ImageVersion": {
      const v = byId(state.versions);
      if (!v) return ["the image version is not in Azure"];
      const diffs = v.provisioningState === "Succeeded" ? [] : [`provisioningState ${v.provisioningState}`];
      const want = (desired.manifest.spec as ImageVersionSpec).targetRegions.map((r) => r.name);
      const have = v.publishing.targetRegions.map((r) => r.name);
      if (!sameSet(want, have)) diffs.push(`target regions: Azure [${have}], spec [${want}]`);
      return diffs;
    }
    case "GallerySharing": {
      const g = byId(state.galleries);
      if (!g) return ["the gallery is not in Azure"];
      const spec = desired.manifest.spec as GallerySharingSpec;
      const group = (type: string) => g.sharing?.groups.find((x) => x.type === type)?.ids ?? [];
      const diffs: string[] = [];
      const subscriptions = group("Subscriptions");
      if (!sameSet(subscriptions, spec.subscriptions ?? []))
        diffs.push(`subscriptions: Azure [${subscriptions}], spec [${spec.subscriptions ?? []}]`);
      const tenants = group("AADTenants");
      if (!sameSet(tenants, spec.tenants ?? []))
        diffs.push(`tenants: Azure [${tenants}], spec [${spec.tenants ?? []}]`);
      const principals = state.roleAssignments
        .filter((ra) => lower(ra.scope) === desired.azureId && !foreign.includes(lower(ra.id)))
        .map((ra) => ra.principalId);
      const wanted = (spec.roleAssignments ?? []).map((ra) => ra.principalId);
      if (!sameSet(principals, wanted))
        diffs.push(`role assignments: Azure [${principals}], spec [${wanted}]`);
      return diffs;
    }
  }
}

/** Whether Azure still holds the resource `desired` manages (for a sharing: anything it shared). */
export function azureHolds(desired: Desired, state: StateSnapshot): boolean {
  const has = (items: { id: string }[]) => items.some((i) => lower(i.id) === desired.azureId);
  switch (desired.kind) {
    case "Gallery":
      return has(state.galleries);
    case "ImageDefinition":
      return has(state.images);
    case "ImageVersion":
      return has(state.versions);
    case "GallerySharing":
      return false;
  }
}
