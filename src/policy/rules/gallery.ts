// The guardrails on a Gallery: where it may live, and whether it may be a community gallery.
import type { GallerySpec } from "../../api/index.js";
import { allowListRule, celRule, type Rule } from "./rule.js";

export const galleryRules: Rule<GallerySpec>[] = [
  allowListRule<GallerySpec, string>({
    id: "galleries.allowedSubscriptions",
    noun: "subscription",
    allowed: (p) => p.galleries?.allowedSubscriptions,
    items: (spec) => [spec.subscriptionId],
    key: (s) => s,
    celItems: "[object.spec.subscriptionId]",
    celKey: "x",
  }),
  allowListRule<GallerySpec, string>({
    id: "galleries.allowedResourceGroups",
    noun: "resource group",
    allowed: (p) => p.galleries?.allowedResourceGroups,
    items: (spec) => [spec.resourceGroup],
    key: (g) => g,
    ignoreCase: true,
    celItems: "[object.spec.resourceGroup]",
    celKey: "x",
  }),
  allowListRule<GallerySpec, string>({
    id: "regions.allowed",
    noun: "location",
    allowed: (p) => p.regions?.allowed,
    items: (spec) => [spec.location],
    key: (l) => l,
    celItems: "[object.spec.location]",
    celKey: "x",
  }),
  {
    id: "sharing.allowCommunity",
    check: (spec, policy) =>
      policy.sharing?.allowCommunity === false && spec.sharing?.permissions === "Community"
        ? "community galleries are not allowed"
        : undefined,
    cel: {
      passes: celRule(
        "sharing.allowCommunity",
        "params.spec.sharing.allowCommunity || !has(object.spec.sharing) || object.spec.sharing.permissions != 'Community'",
      ),
      message: "'community galleries are not allowed'",
    },
  },
];
