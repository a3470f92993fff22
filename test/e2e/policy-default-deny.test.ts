// Secure by default (the chart's `defaultPolicy: deny`): a namespace no GalleryPolicy covers makes no
// Azure call, and its objects say how to get access; once a platform admin's policy covers the
// namespace, they converge. Each test has a namespace of its own, so either runs alone or first. The operator runs as a process against the real API server and the
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
/** A namespace the second test has a policy cover; the first test's (world.namespace) stays uncovered. */
let granted: string;
let operator: OperatorProcess;

beforeAll(async () => {
  world = await startWorld("policy-deny");
  granted = await world.cluster.newNamespace("policy-grant");
  // Judged by the operator, not at apply time (uncovered namespaces are always admitted anyway).
  await removeAdmission(world.cluster);
  operator = startOperatorProcess({
    kubeconfigPath: world.cluster.kubeconfigPath,
    sim: world.sim,
    tenantId: world.tenantId,
    args: [
      "--namespaces",
      `${world.namespace},${granted}`,
      "--leader-elect",
      "false",
      "--default-policy",
      "deny",
    ],
  });
});

/** Waits for the operator's refusal of a gallery in an uncovered namespace. */
function refused(namespace: string, name: string) {
  return waitForCondition(world.galleries, namespace, name, { status: "False", reason: "PolicyViolation" });
}

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
    const blocked = await refused(world.namespace, "denied");
    const message = conditionOf(blocked)?.message ?? "";
    expect(message).toContain(`no GalleryPolicy covers namespace ${world.namespace}`);
    expect(message).toContain("ask a platform admin to create a GalleryPolicy whose namespaceSelector");
    expect(galleryRequests(world, "denied")).toEqual([]);
  });

  it("lets the namespace act once a GalleryPolicy covers it", { timeout: 90_000 }, async () => {
    await world.galleries.create(galleryManifest({ ...world, namespace: granted }, "granted"));
    await refused(granted, "granted");
    await applyPolicy(world.cluster, policy, {
      namespaceSelector: { matchLabels: { [label]: "granted" } },
      galleries: { allowedSubscriptions: [world.subscriptionId] },
    });
    await labelNamespace(world.cluster, granted, { [label]: "granted" });
    await waitForCondition(world.galleries, granted, "granted", { status: "True" });
    expect(galleryRequests(world, "granted", { writes: true }).map((r) => r.method)).toEqual(["PUT"]);
  });
});
