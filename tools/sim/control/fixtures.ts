// Seeding the world: tenants with their subscriptions and directory principals, resource groups,
// and version sources (managed images, VMs, snapshots, disks) with their region.
import { isGuid, parseSourceId, resourceGroupId } from "../arm/ids.js";
import type { SimulatorCore } from "../core.js";
import { isKnownRegion } from "../regions.js";

export interface Fixtures {
  tenants?: {
    id: string;
    subscriptions?: string[];
    /**
     * Object ids of the tenant's users, groups and service principals. A tenant given this list
     * (even empty) refuses role assignments for anyone else (400 `PrincipalNotFound`); a tenant
     * never given one accepts any principal.
     */
    principals?: string[];
  }[];
  resourceGroups?: {
    subscriptionId: string;
    name: string;
    location: string;
    tags?: Record<string, string>;
  }[];
  sources?: {
    /** ARM id of a managed image, VM, snapshot or disk. */
    id: string;
    location: string;
    osDiskSizeGB?: number;
    osDiskHostCaching?: string;
    dataDisks?: { lun: number; sizeGB: number; hostCaching?: string }[];
  }[];
}

function ensureResourceGroup(
  core: SimulatorCore,
  subscriptionId: string,
  name: string,
  location: string,
): void {
  const id = resourceGroupId(subscriptionId, name);
  if (!core.store.resourceGroups.get(id))
    core.store.resourceGroups.put({ id, subscriptionId, name, location });
}

/**
 * Adds fixtures to the current state (it does not reset first).
 *
 * Guarantees: a subscription listed under a tenant belongs to that tenant from now on (even if
 * it had been adopted by a caller); principals add to the tenant's directory; a source's resource group is created when missing, in the
 * source's region. Caveats: a source's subscription that no fixture names stays unowned until its
 * first caller adopts it. Errors: TypeError for an id that is not a source id, an unknown region or
 * a principal that is not a GUID.
 */
export function seedFixtures(core: SimulatorCore, fixtures: Fixtures): void {
  for (const tenant of fixtures.tenants ?? []) {
    if (typeof tenant.id !== "string" || tenant.id === "") throw new TypeError("every tenant needs an 'id'");
    for (const subscription of tenant.subscriptions ?? []) {
      core.store.putSubscription({ id: subscription, tenantId: tenant.id, declared: true });
    }
    if (tenant.principals !== undefined) {
      const notGuid = tenant.principals.find((principal) => !isGuid(String(principal)));
      if (notGuid !== undefined)
        throw new TypeError(`tenant '${tenant.id}': principal '${notGuid}' is not an object id (GUID)`);
      core.store.addPrincipals(tenant.id, tenant.principals);
    }
  }
  for (const rg of fixtures.resourceGroups ?? []) {
    if (!isKnownRegion(rg.location))
      throw new TypeError(`resource group '${rg.name}': unknown location '${rg.location}'`);
    const id = resourceGroupId(rg.subscriptionId, rg.name);
    const existing = core.store.resourceGroups.get(id);
    core.store.resourceGroups.put({
      id: existing?.id ?? id,
      subscriptionId: rg.subscriptionId,
      name: existing?.name ?? rg.name,
      location: rg.location,
      ...(rg.tags ? { tags: { ...rg.tags } } : {}),
    });
  }
  for (const source of fixtures.sources ?? []) {
    const parts = parseSourceId(source.id);
    if (!parts) throw new TypeError(`'${source.id}' is not the id of a managed image, VM, snapshot or disk`);
    if (!isKnownRegion(source.location))
      throw new TypeError(`source '${source.id}': unknown location '${source.location}'`);
    ensureResourceGroup(core, parts.subscriptionId, parts.resourceGroup, source.location);
    core.store.putSource({
      id: source.id,
      kind: parts.kind,
      subscriptionId: parts.subscriptionId,
      resourceGroup: parts.resourceGroup,
      location: source.location,
      osDiskSizeGB: source.osDiskSizeGB ?? 30,
      osDiskHostCaching: source.osDiskHostCaching ?? "ReadWrite",
      dataDisks: (source.dataDisks ?? []).map((d) => ({
        lun: d.lun,
        sizeGB: d.sizeGB,
        hostCaching: d.hostCaching ?? "None",
      })),
    });
  }
  core.changed();
}
