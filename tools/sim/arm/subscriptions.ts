// `GET /subscriptions` and `GET /subscriptions/{id}` (Microsoft.Resources, answered by ARM itself
// in compact JSON): the subscriptions of the caller's tenant, so login flows that list
// subscriptions (`az login`, portal-style pickers) find the seeded ones.
import { compactResponse } from "../http/response.js";
import type { SubscriptionRecord } from "../state/model.js";
import { type ArmHandler, param } from "./context.js";
import { listPage } from "./paging.js";

function subscriptionBody(subscription: SubscriptionRecord): Record<string, unknown> {
  return {
    id: `/subscriptions/${subscription.id}`,
    authorizationSource: "RoleBased",
    managedByTenants: [],
    subscriptionId: subscription.id,
    tenantId: subscription.tenantId,
    displayName: subscription.id,
    state: "Enabled",
    subscriptionPolicies: {
      locationPlacementId: "Public_2014-09-01",
      quotaId: "PayAsYouGo_2014-09-01",
      spendingLimit: "Off",
    },
  };
}

export const listSubscriptions: ArmHandler = (ctx) => {
  const tenant = ctx.caller.tenantId.toLowerCase();
  const mine = [...ctx.core.store.subscriptions.values()].filter((s) => s.tenantId.toLowerCase() === tenant);
  const page = listPage(ctx, mine.map(subscriptionBody));
  return compactResponse(200, { ...page, count: { type: "Total", value: mine.length } });
};

/** The gateway has already checked (or, without fixtures, adopted) the subscription's tenant. */
export const getSubscription: ArmHandler = (ctx) => {
  const subscription = ctx.core.store.subscription(param(ctx, "sub"));
  if (!subscription) throw new Error("the gateway should have adopted the subscription");
  return compactResponse(200, subscriptionBody(subscription));
};
