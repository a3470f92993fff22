// Resource groups (Microsoft.Resources, answered by ARM itself in compact JSON). Galleries need
// one, as in Azure: create it through ARM (PUT) or through fixtures.
import { ArmError, resourceGroupNotFound } from "../errors.js";
import { compactResponse, emptyResponse } from "../http/response.js";
import { defined } from "../json.js";
import { normalizeRegion } from "../regions.js";
import type { ResourceGroupRecord } from "../state/model.js";
import { type ArmHandler, param } from "./context.js";
import { resourceGroupId } from "./ids.js";
import { checkResourceGroupName } from "./names.js";
import { readTags, requireLocation } from "./request-body.js";

export function resourceGroupBody(rg: ResourceGroupRecord): Record<string, unknown> {
  return defined({
    id: rg.id,
    name: rg.name,
    type: "Microsoft.Resources/resourceGroups",
    location: rg.location,
    tags: rg.tags,
    properties: { provisioningState: "Succeeded" },
  });
}

export const putResourceGroup: ArmHandler = (ctx) => {
  const name = param(ctx, "rg");
  checkResourceGroupName(name);
  const body = ctx.body();
  const location = requireLocation(body, "Microsoft.Resources/resourceGroups");
  const store = ctx.core.store;
  const existing = store.resourceGroups.get(resourceGroupId(param(ctx, "sub"), name));
  if (existing && normalizeRegion(existing.location) !== normalizeRegion(location)) {
    throw new ArmError(
      409,
      "InvalidResourceGroupLocation",
      `Invalid resource group location '${location}'. The Resource group already exists in location '${existing.location}'.`,
      { origin: "gateway" },
    );
  }
  const rg: ResourceGroupRecord = {
    id: existing?.id ?? resourceGroupId(param(ctx, "sub"), name),
    subscriptionId: param(ctx, "sub"),
    name: existing?.name ?? name,
    location: existing?.location ?? location,
    tags: readTags(body),
  };
  store.resourceGroups.put(rg);
  ctx.core.changed();
  return compactResponse(existing ? 200 : 201, resourceGroupBody(rg));
};

export const getResourceGroup: ArmHandler = (ctx) => {
  const rg = ctx.core.store.resourceGroups.get(resourceGroupId(param(ctx, "sub"), param(ctx, "rg")));
  if (!rg) throw resourceGroupNotFound(param(ctx, "rg"));
  return compactResponse(200, resourceGroupBody(rg));
};

/** HEAD (the SDKs' checkExistence): 204 when it exists, 404 otherwise, no body either way. */
export const headResourceGroup: ArmHandler = (ctx) => {
  const rg = ctx.core.store.resourceGroups.get(resourceGroupId(param(ctx, "sub"), param(ctx, "rg")));
  return emptyResponse(rg ? 204 : 404);
};
