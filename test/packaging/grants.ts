// What a rendering of the chart grants: its roles' rules flattened to "group/resource" → verbs, and
// which roles are bound to a given subject. rbac.test.ts checks the rendering's shape with it;
// operator-rbac.test.ts compares it with what the operator was seen to call.
import { field, type K8sObject, type Rendered } from "./support.js";

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/**
 * "group/resource" → sorted verbs over every rule of `roles`; with `names` (the default) a verb
 * limited to some objects carries them (`get[a,b]`), without it the names are left out.
 */
export function permissions(roles: K8sObject[], { names = true } = {}): Record<string, string> {
  const out: Record<string, Set<string>> = {};
  for (const role of roles) {
    for (const rule of (role.rules as Rule[] | undefined) ?? []) {
      for (const group of rule.apiGroups) {
        for (const resource of rule.resources) {
          const limited = names && rule.resourceNames ? `[${rule.resourceNames.join(",")}]` : "";
          const key = `${group}/${resource}`;
          const verbs = out[key] ?? new Set<string>();
          for (const verb of rule.verbs) verbs.add(`${verb}${limited}`);
          out[key] = verbs;
        }
      }
    }
  }
  return Object.fromEntries(
    Object.entries(out)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, [...v].sort().join(" ")]),
  );
}

/** The Roles and ClusterRoles the rendering binds to `subject` (a ServiceAccount, say). */
export function rolesBoundTo(
  r: Rendered,
  subject: { kind: string; name: string; namespace?: string },
): K8sObject[] {
  const bindings = [...r.all("ClusterRoleBinding"), ...r.all("RoleBinding")].filter((b) =>
    ((b.subjects as (typeof subject)[] | undefined) ?? []).some(
      (s) => s.kind === subject.kind && s.name === subject.name && s.namespace === subject.namespace,
    ),
  );
  return bindings.map((b) => r.one(String(field(b, "roleRef", "kind")), String(field(b, "roleRef", "name"))));
}
