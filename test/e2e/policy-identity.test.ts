// Per-namespace identity: the operator acts for each namespace as the GalleryPolicy covering it
// says (a workload identity client id, or a client-secret Secret in the operator's namespace, or
// its own identity where no policy names one), and only in the subscriptions that policy allows.
//
// The simulator cannot issue tokens for those identities, so the operator runs with
// `--credential static --static-token-dir`: a file `<clientId>.jwt` stands for each identity's
// token (simulator only). The simulator reads the caller from each request's token, which is what
// these tests look at.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gallery } from "../../src/api/index.js";
import { mintToken } from "../../tools/sim/index.js";
import {
  applyPolicy,
  deletePolicies,
  labelNamespace,
  removeAdmission,
  uniqueLabel,
} from "../policy/cluster.js";
import { type OperatorProcess, startOperatorProcess } from "../support/operator.js";
import { waitFor } from "../support/wait.js";
import { conditionOf, startWorld, type World, waitForCondition } from "../support/world.js";

const CLIENT_A = randomUUID();
const CLIENT_B = randomUUID();
const SECRET_VALUE = `s3cret-${randomUUID()}`;
const label = uniqueLabel();
const [POLICY_A, POLICY_B] = [`${label}-a`, `${label}-b`];

let world: World;
let operator: OperatorProcess;
let tokenDir: string;
let nsB: string;
let nsDefault: string;
/** Unlabelled until the test that moves it under policy B. */
let nsMoving: string;
let operatorNamespace: string;
let subscriptionB: string;

function gallery(namespace: string, name: string, subscriptionId: string): Gallery {
  return {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "Gallery",
    metadata: { name, namespace },
    spec: {
      subscriptionId,
      resourceGroup: world.resourceGroup,
      location: world.location,
      sharing: { permissions: "Private" },
      deletionPolicy: "Delete",
    },
  };
}

/** Requests on one gallery (its URL and below), whoever made them. */
function requestsOn(subscriptionId: string, name: string) {
  const path =
    `/subscriptions/${subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.Compute/galleries/${name}`.toLowerCase();
  return world.sim.requests().filter((r) => r.path.toLowerCase().startsWith(path));
}

beforeAll(async () => {
  world = await startWorld("policy-id-a");
  // These tests judge the operator's reconcile-time checks; admission policies that another file left
  // on the shared cluster would refuse the edits before the operator ever saw them.
  await removeAdmission(world.cluster);
  const cluster = world.cluster;
  nsB = await cluster.newNamespace("policy-id-b");
  nsDefault = await cluster.newNamespace("policy-id-none");
  nsMoving = await cluster.newNamespace("policy-id-moving");
  operatorNamespace = await cluster.newNamespace("policy-id-operator");
  subscriptionB = randomUUID();
  world.sim.seed({
    tenants: [{ id: world.tenantId, subscriptions: [subscriptionB] }],
    resourceGroups: [{ subscriptionId: subscriptionB, name: world.resourceGroup, location: world.location }],
  });

  // Team A: a workload identity. Team B: a service principal whose credentials only the operator reads.
  await labelNamespace(cluster, world.namespace, { [label]: "a" });
  await labelNamespace(cluster, nsB, { [label]: "b" });
  const made = await cluster.kubectl([
    "create",
    "secret",
    "generic",
    "team-b-sp",
    "-n",
    operatorNamespace,
    `--from-literal=AZURE_TENANT_ID=${world.tenantId}`,
    `--from-literal=AZURE_CLIENT_ID=${CLIENT_B}`,
    `--from-literal=AZURE_CLIENT_SECRET=${SECRET_VALUE}`,
  ]);
  expect(made.stderr).toBe("");
  await applyPolicy(cluster, POLICY_A, {
    namespaceSelector: { matchLabels: { [label]: "a" } },
    identity: { workloadIdentity: { clientId: CLIENT_A } },
    galleries: { allowedSubscriptions: [world.subscriptionId] },
  });
  await applyPolicy(cluster, POLICY_B, {
    namespaceSelector: { matchLabels: { [label]: "b" } },
    identity: {
      clientSecret: {
        secretName: "team-b-sp",
        tenantIdKey: "AZURE_TENANT_ID",
        clientIdKey: "AZURE_CLIENT_ID",
        clientSecretKey: "AZURE_CLIENT_SECRET",
      },
    },
    galleries: { allowedSubscriptions: [subscriptionB] },
  });

  tokenDir = mkdtempSync(join(tmpdir(), "ago-tokens-"));
  for (const [clientId, objectId] of [
    [CLIENT_A, "object-a"],
    [CLIENT_B, "object-b"],
  ] as const) {
    writeFileSync(
      join(tokenDir, `${clientId}.jwt`),
      mintToken({ tid: world.tenantId, oid: objectId, appid: clientId }),
    );
  }
  operator = startOperatorProcess({
    kubeconfigPath: cluster.kubeconfigPath,
    sim: world.sim,
    tenantId: world.tenantId,
    args: [
      "--namespaces",
      [world.namespace, nsB, nsDefault, nsMoving].join(","),
      "--leader-elect",
      "false",
      "--lease-namespace",
      operatorNamespace,
      "--static-token-dir",
      tokenDir,
      "--resync-period",
      "1s",
    ],
  });
  await operator.waitForLine(
    (l) => l.msg === "caches synced; reconciling" && l.controller === `Gallery@${nsDefault}`,
  );
});

afterAll(async () => {
  await operator?.stop();
  if (world) await deletePolicies(world.cluster, [POLICY_A, POLICY_B]);
  await world?.close();
  if (tokenDir) rmSync(tokenDir, { recursive: true, force: true });
});

describe("two namespaces under different policies and identities", () => {
  it("each namespace's ARM calls carry its own identity and land in its allowed subscription", async () => {
    await world.galleries.create(gallery(world.namespace, "teama", world.subscriptionId));
    await world.galleries.create(gallery(nsB, "teamb", subscriptionB));
    const a = await waitForCondition(world.galleries, world.namespace, "teama", { status: "True" });
    const b = await waitForCondition(world.galleries, nsB, "teamb", { status: "True" });

    const onA = requestsOn(world.subscriptionId, "teama");
    const onB = requestsOn(subscriptionB, "teamb");
    expect(onA.filter((r) => r.method === "PUT")).toHaveLength(1);
    expect(onB.filter((r) => r.method === "PUT")).toHaveLength(1);
    expect(new Set(onA.map((r) => r.identity?.appId))).toEqual(new Set([CLIENT_A]));
    expect(new Set(onB.map((r) => r.identity?.appId))).toEqual(new Set([CLIENT_B]));

    // Every call an identity made went to the subscription its policy allows.
    const subscriptionsOf = (appId: string) =>
      new Set(
        world.sim
          .requests()
          .filter((r) => r.identity?.appId === appId)
          .map((r) => r.subscriptionId?.toLowerCase()),
      );
    expect(subscriptionsOf(CLIENT_A)).toEqual(new Set([world.subscriptionId.toLowerCase()]));
    expect(subscriptionsOf(CLIENT_B)).toEqual(new Set([subscriptionB.toLowerCase()]));

    // Status shows the identity: ids only.
    expect(a.status?.identity).toEqual({ mode: "workloadIdentity", clientId: CLIENT_A });
    expect(b.status?.identity).toEqual({
      mode: "clientSecret",
      clientId: CLIENT_B,
      tenantId: world.tenantId,
    });
    expect(JSON.stringify(b)).not.toContain(SECRET_VALUE);
  });

  it("a namespace no policy covers gets the operator's own identity (--default-policy allow)", async () => {
    await world.galleries.create(gallery(nsDefault, "nopolicy", world.subscriptionId));
    const ready = await waitForCondition(world.galleries, nsDefault, "nopolicy", { status: "True" });
    expect(ready.status?.identity?.mode).toBe("static");
    const appIds = new Set(requestsOn(world.subscriptionId, "nopolicy").map((r) => r.identity?.appId));
    expect(appIds).toEqual(new Set(["azure-gallery-operator"]));
  });

  it("a gallery in a subscription its namespace's policy forbids gets PolicyViolation and no ARM call", async () => {
    // Admission policies are not installed here: this is the operator's own check, which also
    // covers objects made before a policy existed.
    await world.galleries.create(gallery(world.namespace, "elsewhere", subscriptionB));
    const blocked = await waitForCondition(world.galleries, world.namespace, "elsewhere", {
      status: "False",
      reason: "PolicyViolation",
    });
    expect(conditionOf(blocked)?.message).toContain(
      `GalleryPolicy ${POLICY_A} (galleries.allowedSubscriptions): subscription not allowed: ${subscriptionB}`,
    );
    // An edit is judged again (Ready follows the new generation), and still makes no ARM call.
    const edited = await world.galleries.mergePatch(
      { namespace: world.namespace, name: "elsewhere" },
      { spec: { description: "still elsewhere" } },
    );
    await waitFor("the edit judged", async () => {
      const g = await world.galleries.get({ namespace: world.namespace, name: "elsewhere" });
      const ready = conditionOf(g);
      return ready?.reason === "PolicyViolation" && ready.observedGeneration === edited.metadata.generation;
    });
    expect(requestsOn(subscriptionB, "elsewhere")).toEqual([]);
  });

  it("moving a namespace under the other policy moves its objects to that identity", async () => {
    await world.galleries.create(gallery(nsMoving, "moving", world.subscriptionId));
    await waitForCondition(world.galleries, nsMoving, "moving", { status: "True" });
    await labelNamespace(world.cluster, nsMoving, { [label]: "b" });
    // Policy B allows only its own subscription: the gallery, in world's, is now forbidden. A
    // reconcile that was judged just before the label changed may first report B's identity with
    // its old verdict; the reconcile the change wakes settles both.
    const moved = await waitFor("moving to show team B's identity and its PolicyViolation", async () => {
      const g = await world.galleries.get({ namespace: nsMoving, name: "moving" });
      return g.status?.identity?.clientId === CLIENT_B && conditionOf(g)?.reason === "PolicyViolation"
        ? g
        : undefined;
    });
    expect(conditionOf(moved)).toMatchObject({ status: "False", reason: "PolicyViolation" });
  });

  it("never logs the credential Secret's value", async () => {
    // The Secret's credential in use: a gallery under policy B made with it.
    await world.galleries.create(gallery(nsB, "teamblogs", subscriptionB));
    const ready = await waitForCondition(world.galleries, nsB, "teamblogs", { status: "True" });
    expect(ready.status?.identity?.mode).toBe("clientSecret");
    expect(requestsOn(subscriptionB, "teamblogs").map((r) => r.identity?.appId)).toContain(CLIENT_B);
    expect(operator.output()).not.toContain(SECRET_VALUE);
  });
});
