// Names and fixtures shared by the simulator tests: the ids echo the recordings' (docs/arm-behaviour.md#share).
import type { Simulator } from "../../tools/sim/index.js";
import { armRequest, type StaticIdentity } from "../support/sim.js";

export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const OTHER_TENANT = "2f4a9838-26b7-47ee-be60-ccc1fdec5953";
export const SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
export const CONSUMER_SUBSCRIPTION = "34a4ab42-0d72-47d9-bd1a-aed207386dac";
export const OTHER_TENANT_SUBSCRIPTION = "5c1d3e2f-0000-4000-8000-00000000b0b0";
export const RG = "clitest.rg000001";

export const OWNER: StaticIdentity = {
  tenantId: TENANT,
  objectId: "6f4b3a1e-0000-4000-8000-000000000001",
  appId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
};
export const CONSUMER: StaticIdentity = {
  tenantId: TENANT,
  objectId: "6f4b3a1e-0000-4000-8000-000000000002",
};
export const FOREIGNER: StaticIdentity = {
  tenantId: OTHER_TENANT,
  objectId: "6f4b3a1e-0000-4000-8000-000000000003",
};

export const MANAGED_IMAGE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Compute/images/managedImage1`;
export const SECOND_IMAGE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Compute/images/managedImage2`;
export const VM = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/vm1`;
export const FOREIGN_IMAGE = `/subscriptions/${OTHER_TENANT_SUBSCRIPTION}/resourceGroups/other-rg/providers/Microsoft.Compute/images/foreign1`;

/** Two tenants, the owner's resource group and a few sources, all in West US. */
export function seedWorld(sim: Simulator): void {
  sim.seed({
    tenants: [
      { id: TENANT, subscriptions: [SUBSCRIPTION, CONSUMER_SUBSCRIPTION] },
      { id: OTHER_TENANT, subscriptions: [OTHER_TENANT_SUBSCRIPTION] },
    ],
    resourceGroups: [{ subscriptionId: SUBSCRIPTION, name: RG, location: "westus" }],
    sources: [
      { id: MANAGED_IMAGE, location: "westus", dataDisks: [{ lun: 0, sizeGB: 10 }] },
      { id: SECOND_IMAGE, location: "westus" },
      { id: VM, location: "westus" },
      { id: FOREIGN_IMAGE, location: "westus" },
    ],
  });
}

export function galleryPath(gallery: string, suffix = ""): string {
  return `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Compute/galleries/${gallery}${suffix}`;
}

/** PUTs a resource with raw HTTP and returns the answer (for manual-clock tests). */
export function put(sim: Simulator, path: string, body: unknown, identity: StaticIdentity = OWNER) {
  return armRequest(sim, { method: "PUT", path, body, identity });
}
