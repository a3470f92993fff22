// Platform-team self-service at apply time: an app-team user with nothing but the built-in `edit`
// role in their namespace is refused, by the API server, whatever a GalleryPolicy forbids, with a
// message naming the policy and the rule, and is allowed once the policy allows it. The same user
// can neither read nor change policies, nor read the operator's credential Secrets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { GalleryPolicySpec } from "../../src/api/index.js";
import { type Manifest, withChanges } from "../api/support/fixtures.js";
import {
  applyPolicy,
  appTeamUser,
  deletePolicies,
  installAdmission,
  installRolesForPeople,
  labelNamespace,
  removeAdmission,
  removeRolesForPeople,
  uniqueLabel,
} from "../policy/cluster.js";
import { GUARDRAIL_CASES, PRINCIPAL, SUB_A, SUB_B, TENANT_A, TENANT_B } from "../policy/fixtures.js";
import { type TestCluster, testCluster } from "../support/cluster.js";
import { waitFor } from "../support/wait.js";

let cluster: TestCluster;
let team: string;
let operatorNamespace: string;
let user: string;
const label = uniqueLabel();
const policies: string[] = [];

/** Each guardrail: a case of fixtures.ts the policy refuses, and the policy that allows it. */
const GUARDRAILS: [string, Partial<GalleryPolicySpec>][] = [
  ["a gallery in a forbidden subscription", { galleries: { allowedSubscriptions: [SUB_A, SUB_B] } }],
  [
    "a gallery in a forbidden resource group",
    { galleries: { allowedResourceGroups: ["rg-images", "myGalleryRG"] } },
  ],
  ["a gallery in a forbidden region", { regions: { allowed: ["westeurope", "westcentralus"] } }],
  ["a community gallery where community is forbidden", { sharing: { allowCommunity: true } }],
  ["a version to a forbidden region", { regions: { allowed: ["westcentralus", "eastus"] } }],
  ["a version above the replica cap in one region", { regions: { maxReplicasPerRegion: 2 } }],
  ["a share to an unapproved subscription", { sharing: { allowedSubscriptions: [SUB_A, SUB_B] } }],
  ["a share to an unapproved tenant", { sharing: { allowedTenants: [TENANT_A, TENANT_B] } }],
  ["community sharing where community is forbidden", { sharing: { allowCommunity: true } }],
  [
    "a role that is not allowed (names compare case-insensitively)",
    { sharing: { allowedRoles: ["Reader", "Owner"] } },
  ],
  ["a principal type that is not allowed", { sharing: { allowedPrincipalTypes: ["User"] } }],
];

function asUser(args: string[], input?: string) {
  return cluster.kubectl(args, { asUser: user, ...(input === undefined ? {} : { input }) });
}

function createAsUser(manifest: Manifest) {
  return asUser(["create", "-n", team, "-f", "-"], stringify(manifest));
}

beforeAll(async () => {
  cluster = await testCluster();
  await installAdmission(cluster);
  await installRolesForPeople(cluster);
  team = await cluster.newNamespace("team-apps");
  operatorNamespace = await cluster.newNamespace("ago-operator");
  await labelNamespace(cluster, team, { [label]: "team" });
  user = await appTeamUser(cluster, team);
});

afterAll(async () => {
  if (!cluster) return;
  await deletePolicies(cluster, policies);
  await removeAdmission(cluster);
  await removeRolesForPeople(cluster);
});

describe("an app-team user with only edit", () => {
  it.each(GUARDRAILS.map(([name, allow], i) => [name, allow, i] as const))(
    "is refused %s with the policy's message, and allowed once the policy allows it",
    async (name, allow, i) => {
      const c = GUARDRAIL_CASES.find((x) => x.name === name);
      if (!c) throw new Error(`no guardrail case "${name}"`);
      const policy = `${label}-${i}`;
      policies.push(policy);
      const selector = { namespaceSelector: { matchLabels: { [label]: "team" } } };
      await applyPolicy(cluster, policy, { ...selector, ...c.policy });
      const object = withChanges(c.object, { "metadata.name": `guardrail-${i}` });
      const expected = c.denied.map((d) => `GalleryPolicy ${policy} (${d.rule}): ${d.message}`);

      // The API server hears of a new policy through an informer: the first tries may pass.
      const refused = await waitFor(`${name} to be refused`, async () => {
        const r = await cluster.kubectl(["create", "--dry-run=server", "-n", team, "-f", "-"], {
          asUser: user,
          input: stringify(object),
        });
        return r.code !== 0 ? r : undefined;
      });
      for (const text of expected) expect(refused.stderr).toContain(text);
      expect(refused.stderr).toContain("ValidatingAdmissionPolicy");
      const real = await createAsUser(object);
      expect(real.code).not.toBe(0);
      expect(real.stderr).toContain(expected[0]);

      await applyPolicy(cluster, policy, { ...selector, ...allow });
      const allowed = await waitFor(`${name} to be allowed`, async () => {
        const r = await createAsUser(object);
        return r.code === 0 ? r : undefined;
      });
      expect(allowed.stderr).toBe("");
      await deletePolicies(cluster, [policy]);
    },
  );

  it("is held to the strictest of several policies covering the namespace", async () => {
    const [wide, narrow] = [`${label}-wide`, `${label}-narrow`];
    policies.push(wide, narrow);
    const selector = { namespaceSelector: { matchLabels: { [label]: "team" } } };
    await applyPolicy(cluster, wide, { ...selector, sharing: { allowedTenants: [TENANT_A, TENANT_B] } });
    await applyPolicy(cluster, narrow, { ...selector, sharing: { allowedTenants: [TENANT_A] } });
    const sharing = {
      apiVersion: "gallery.azure.dev/v1alpha1",
      kind: "GallerySharing",
      metadata: { name: "strictest" },
      spec: { galleryRef: { name: "g" }, tenants: [TENANT_B] },
    };
    const refused = await waitFor("the narrow policy to refuse", async () => {
      const r = await createAsUser(sharing);
      return r.code !== 0 ? r : undefined;
    });
    expect(refused.stderr).toContain(`GalleryPolicy ${narrow} (sharing.allowedTenants)`);
    expect((await createAsUser({ ...sharing, spec: { ...sharing.spec, tenants: [TENANT_A] } })).stderr).toBe(
      "",
    );
    await deletePolicies(cluster, [wide, narrow]);
  });

  it("may manage galleries in the namespace (edit aggregates the chart's editor role)", async () => {
    const role = { principalId: PRINCIPAL, principalType: "Group", role: "Reader" };
    const sharing = {
      apiVersion: "gallery.azure.dev/v1alpha1",
      kind: "GallerySharing",
      metadata: { name: "rbac-probe" },
      spec: { galleryRef: { name: "g" }, roleAssignments: [role] },
    };
    expect((await createAsUser(sharing)).stderr).toBe("");
    expect((await asUser(["get", "gallerysharings", "-n", team])).code).toBe(0);
    expect((await asUser(["delete", "gallerysharing", "rbac-probe", "-n", team])).stderr).toBe("");
  });

  it("cannot read, list, create or change a GalleryPolicy", async () => {
    const name = `${label}-admin-only`;
    policies.push(name);
    await applyPolicy(cluster, name, { namespaceSelector: { matchLabels: { [label]: "nobody" } } });
    for (const args of [
      ["get", "gallerypolicies"],
      ["get", "gallerypolicy", name],
      ["patch", "gallerypolicy", name, "--type=merge", "-p", '{"spec":{"enforcement":"Remediate"}}'],
      ["delete", "gallerypolicy", name],
    ]) {
      const r = await asUser(args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr, args.join(" ")).toMatch(/forbidden/i);
    }
    const create = await asUser(
      ["create", "-f", "-"],
      stringify({
        apiVersion: "gallery.azure.dev/v1alpha1",
        kind: "GalleryPolicy",
        metadata: { name: `${label}-self-service` },
        spec: { namespaceSelector: {}, identity: { workloadIdentity: { clientId: SUB_A } } },
      }),
    );
    expect(create.stderr).toMatch(/forbidden/i);
    const canI = await asUser(["auth", "can-i", "update", "gallerypolicies.gallery.azure.dev"]);
    expect(canI.stdout.trim()).toBe("no");
  });

  it("cannot read the credential Secrets in the operator's namespace", async () => {
    const made = await cluster.kubectl([
      "create",
      "secret",
      "generic",
      "team-sp",
      "-n",
      operatorNamespace,
      "--from-literal=AZURE_CLIENT_SECRET=s3cret",
    ]);
    expect(made.code).toBe(0);
    for (const args of [
      ["get", "secret", "team-sp", "-n", operatorNamespace],
      ["get", "secrets", "-n", operatorNamespace],
    ]) {
      const r = await asUser(args);
      expect(r.stderr, args.join(" ")).toMatch(/forbidden/i);
      expect(r.stdout).not.toContain("s3cret");
    }
  });
});
