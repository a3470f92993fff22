// Secure by default (the chart's `defaultPolicy: deny`): a namespace no GalleryPolicy covers makes no
// Azure call, and its objects say how to get access; once a platform admin's policy covers the
// namespace, they converge. The operator runs as a process against the real API server and the
// simulator; what it did is read from the simulator's request log and the objects' status.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyPolicy,
  deletePolicies,
  labelNamespace,
  removeAdmission,
  uniqueLabel,
} from "../policy/cluster.js";
import {
  galleryManifest,
  galleryRequests,
  type OperatorProcess,
  startOperatorProcess,
} from "../support/operator.js";
import { conditionOf, startWorld, type World, waitForCondition } from "../support/world.js";

const label = uniqueLabel();
const policy = `${label}-grant`;
let world: World;
let operator: OperatorProcess;

beforeAll(async () => {
  world = await startWorld("policy-deny");
  // Judged by the operator, not at apply time (uncovered namespaces are always admitted anyway).
  await removeAdmission(world.cluster);
  operator = startOperatorProcess({
    kubeconfigPath: world.cluster.kubeconfigPath,
    sim: world.sim,
    tenantId: world.tenantId,
    args: ["--namespaces", world.namespace, "--leader-elect", "false", "--default-policy", "deny"],
  });
});

afterAll(async () => {
  await operator?.stop();
  if (world) await deletePolicies(world.cluster, [policy]);
  await world?.close();
});

describe("--default-policy deny", () => {
  it("blocks an uncovered namespace with a message that says how to get access, and calls no ARM", {
    timeout: 90_000,
  }, async () => {
    await world.galleries.create(galleryManifest(world, "denied"));
    const blocked = await waitForCondition(world.galleries, world.namespace, "denied", {
      status: "False",
      reason: "PolicyViolation",
    });
    const message = conditionOf(blocked)?.message ?? "";
    expect(message).toContain(`no GalleryPolicy covers namespace ${world.namespace}`);
    expect(message).toContain("ask a platform admin to create a GalleryPolicy whose namespaceSelector");
    expect(galleryRequests(world, "denied")).toEqual([]);
  });

  it("lets the namespace act once a GalleryPolicy covers it", { timeout: 90_000 }, async () => {
    await applyPolicy(world.cluster, policy, {
      namespaceSelector: { matchLabels: { [label]: "granted" } },
      galleries: { allowedSubscriptions: [world.subscriptionId] },
    });
    await labelNamespace(world.cluster, world.namespace, { [label]: "granted" });
    await waitForCondition(world.galleries, world.namespace, "denied", { status: "True" });
    expect(galleryRequests(world, "denied", { writes: true }).map((r) => r.method)).toEqual(["PUT"]);
  });
});
