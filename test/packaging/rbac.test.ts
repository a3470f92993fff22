// The chart's RBAC as rendered: cluster-wide only where it must be, Secrets readable only in the
// release namespace and only when asked, and the verbs below, which operator-rbac.test.ts shows are
// exactly what the operator calls (from the API server's audit log of a real run).
import { describe, expect, it } from "vitest";
import { permissions } from "./grants.js";
import { field, type K8sObject, NAMESPACE, type Rendered, render } from "./support.js";

const KINDS = ["galleries", "imagedefinitions", "imageversions", "gallerysharings"];
const G = "gallery.azure.dev";

const CLUSTER_PERMISSIONS: Record<string, string> = {
  "/configmaps": "create get patch",
  "/namespaces": "get list watch",
  "events.k8s.io/events": "create patch",
  [`${G}/gallerypolicies`]: "list watch",
  // The operator reports each policy's reach in its status; the spec stays the admins'.
  [`${G}/gallerypolicies/status`]: "patch",
};
for (const kind of KINDS) {
  CLUSTER_PERMISSIONS[`${G}/${kind}`] = "list patch watch";
  CLUSTER_PERMISSIONS[`${G}/${kind}/status`] = "patch";
}

function sorted(obj: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The operator's own ClusterRoles: the chart also ships roles for people (roles-for-people.yaml),
 * aggregated into edit/view and bound by nobody here; test/policy/generated.test.ts checks those.
 */
function operatorClusterRoles(r: Rendered): K8sObject[] {
  return r.all("ClusterRole").filter((role) => !/-(editor|viewer)$/.test(role.metadata.name));
}

function bindingsTo(r: Rendered, roleName: string): K8sObject[] {
  return [...r.all("ClusterRoleBinding"), ...r.all("RoleBinding")].filter(
    (b) => field(b, "roleRef", "name") === roleName,
  );
}

describe("RBAC", () => {
  it("ClusterRoles grant exactly the listed verbs, no wildcard, no Secrets", async () => {
    const r = await render();
    expect(permissions(operatorClusterRoles(r))).toEqual(sorted(CLUSTER_PERMISSIONS));
    expect(JSON.stringify(r.all("ClusterRole"))).not.toContain('"*"');
  });

  it("the release-namespace Role: leases by name (create unnamed), and no Secret by default", async () => {
    const r = await render();
    const role = r.one("Role");
    expect(role.metadata.namespace).toBe(NAMESPACE);
    expect(permissions([role])).toEqual({
      "coordination.k8s.io/leases":
        "create get[ago-azure-gallery-operator] update[ago-azure-gallery-operator]",
    });
  });

  it("Secrets: only the named ones, and none when no name is given", async () => {
    const named = await render({ rbac: { credentialSecretNames: ["team-a-sp", "team-b-sp"] } });
    expect(permissions([named.one("Role")])["/secrets"]).toBe("get[team-a-sp,team-b-sp]");

    const none = await render();
    expect(permissions([...none.all("Role"), ...none.all("ClusterRole")])).not.toHaveProperty(["/secrets"]);
    expect(JSON.stringify(none.objects)).not.toContain('"secrets"');
  });

  it("clientSecret mode reads its Secret through env, so it adds no Secret permission", async () => {
    const r = await render({
      azure: { credential: { mode: "clientSecret", clientSecret: { existingSecret: "azure-sp" } } },
    });
    expect(JSON.stringify([...r.all("Role"), ...r.all("ClusterRole")])).not.toContain("secrets");
  });

  it("without leader election or Secrets there is no Role at all", async () => {
    const r = await render({ leaderElection: { enabled: false } });
    expect(r.all("Role")).toEqual([]);
    expect(r.all("RoleBinding")).toEqual([]);
  });

  it("every role is bound to the operator's ServiceAccount, cluster-wide when watching all namespaces", async () => {
    const r = await render();
    const subject = [{ kind: "ServiceAccount", name: "ago-azure-gallery-operator", namespace: NAMESPACE }];
    for (const role of [...operatorClusterRoles(r), ...r.all("Role")]) {
      const bindings = bindingsTo(r, role.metadata.name);
      expect(bindings, role.metadata.name).toHaveLength(1);
      expect(bindings[0]!.subjects).toEqual(subject);
      expect(field(bindings[0], "roleRef", "kind")).toBe(role.kind);
    }
    expect(bindingsTo(r, "ago-azure-gallery-operator")[0]!.kind).toBe("ClusterRoleBinding");
  });

  it("watching some namespaces binds the gallery permissions only in them", async () => {
    const r = await render({ watchNamespaces: ["team-a", "team-b"] });
    const gallery = bindingsTo(r, "ago-azure-gallery-operator");
    expect(gallery.map((b) => `${b.kind}/${b.metadata.namespace}`).sort()).toEqual([
      "RoleBinding/team-a",
      "RoleBinding/team-b",
    ]);
    // Policies are cluster-scoped and matched against namespace labels: still cluster-wide.
    expect(bindingsTo(r, "ago-azure-gallery-operator-policy-reader").map((b) => b.kind)).toEqual([
      "ClusterRoleBinding",
    ]);
  });

  it("rbac.create=false renders no RBAC objects", async () => {
    const r = await render({ rbac: { create: false } });
    const kinds = new Set(r.objects.map((o) => o.kind));
    for (const kind of ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"])
      expect(kinds).not.toContain(kind);
  });
});
