// The guardrails on a GallerySharing: who a gallery may be shared with. Each has a remedy, used
// under `enforcement: Remediate` to stop sharing with what became forbidden.
import type { GalleryPolicySpec, GalleryRoleAssignment, GallerySharingSpec } from "../../api/index.js";
import { allowListRule, celRule, type Rule } from "./rule.js";

/** CEL: a list field of the spec, empty when absent. */
function celList(field: string): string {
  return `(has(object.spec.${field}) ? object.spec.${field} : [])`;
}

function idListRule(id: string, noun: string, field: "subscriptions" | "tenants"): Rule<GallerySharingSpec> {
  return allowListRule<GallerySharingSpec, string>({
    id,
    noun,
    allowed: (p) => (field === "subscriptions" ? p.sharing?.allowedSubscriptions : p.sharing?.allowedTenants),
    items: (spec) => spec[field] ?? [],
    key: (s) => s,
    celItems: celList(field),
    celKey: "x",
    keepOnly: (spec, keep) => ({ ...spec, [field]: (spec[field] ?? []).filter(keep) }),
  });
}

function roleRule(
  id: string,
  noun: string,
  o: {
    allowed: (p: GalleryPolicySpec) => readonly string[] | undefined;
    key: (a: GalleryRoleAssignment) => string;
    label: (a: GalleryRoleAssignment) => string;
    celKey: string;
    celLabel: string;
    ignoreCase?: boolean;
  },
): Rule<GallerySharingSpec> {
  return allowListRule<GallerySharingSpec, GalleryRoleAssignment>({
    id,
    noun,
    ...o,
    items: (spec) => spec.roleAssignments ?? [],
    celItems: celList("roleAssignments"),
    keepOnly: (spec, keep) => ({ ...spec, roleAssignments: (spec.roleAssignments ?? []).filter(keep) }),
  });
}

export const gallerySharingRules: Rule<GallerySharingSpec>[] = [
  idListRule("sharing.allowedSubscriptions", "sharing with subscription", "subscriptions"),
  idListRule("sharing.allowedTenants", "sharing with tenant", "tenants"),
  {
    id: "sharing.allowCommunity",
    check: (spec, policy) =>
      policy.sharing?.allowCommunity === false && spec.community?.enabled
        ? "community sharing is not allowed"
        : undefined,
    cel: {
      passes: celRule(
        "sharing.allowCommunity",
        "params.spec.sharing.allowCommunity || !has(object.spec.community) || !object.spec.community.enabled",
      ),
      message: "'community sharing is not allowed'",
    },
    remedy: (spec, policy) =>
      policy.sharing?.allowCommunity === false && spec.community?.enabled
        ? { ...spec, community: { enabled: false } }
        : spec,
  },
  roleRule("sharing.allowedRoles", "role", {
    allowed: (p) => p.sharing?.allowedRoles,
    key: (a) => a.role,
    label: (a) => `${a.role} for ${a.principalId}`,
    celKey: "x.role",
    celLabel: "x.role + ' for ' + x.principalId",
    ignoreCase: true,
  }),
  roleRule("sharing.allowedPrincipalTypes", "principal type", {
    allowed: (p) => p.sharing?.allowedPrincipalTypes,
    key: (a) => a.principalType,
    label: (a) => `${a.principalType} ${a.principalId}`,
    celKey: "x.principalType",
    celLabel: "x.principalType + ' ' + x.principalId",
  }),
];
