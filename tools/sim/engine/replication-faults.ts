// A replication fault registered while versions are already replicating applies to them too:
// each matching region still in flight fails at the fault's progress point, or at once if it is
// already past it.
import type { SimulatorCore } from "../core.js";
import { regionEndAt, replicationDueAt } from "./replication.js";

export function applyReplicationFaultsToRunning(core: SimulatorCore): void {
  const now = core.settle();
  for (const operation of core.engine.running()) {
    if (operation.resource !== "version" || operation.kind !== "put") continue;
    const version = core.store.versions.get(operation.target);
    if (!version || version.operationId !== operation.id) continue;
    let changed = false;
    for (const region of version.replication) {
      if (region.failAt !== undefined || now >= regionEndAt(region)) continue;
      const fault = core.faults.takeReplication(version.id, region.region);
      if (!fault) continue;
      region.failAt = Math.max(now, region.startAt + (region.durationMs * fault.atProgress) / 100);
      region.failCode = fault.code;
      region.failDetails = fault.details;
      changed = true;
    }
    if (changed) {
      core.engine.reschedule(operation, replicationDueAt(version, operation.startAt));
      core.changed();
    }
  }
}
