// Policies change after objects exist. The operator checks every object again at reconcile time:
// one a tightened policy now forbids gets Ready=False with reason PolicyViolation and no new ARM
// write (`enforcement: Audit`); under `enforcement: Remediate` the operator also removes the
// shares that became forbidden, with exactly one Remove, and keeps the rest.
//
// The admission policies are not installed here on purpose: they would refuse the edits these
// tests make to objects that violate a policy, and what is under test is the operator's own check.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gallery, GalleryPolicySpec, GallerySharing } from "../../src/api/index.js";
import {
  applyPolicy,
  deletePolicies,
  labelNamespace,
  removeAdmission,
  uniqueLabel,
} from "../policy/cluster.js";
import { eventsAbout } from "../support/events.js";
import { type OperatorProcess, startOperatorProcess } from "../support/operator.js";
import { waitFor } from "../support/wait.js";
import { conditionOf, startWorld, type World, waitForCondition } from "../support/world.js";

const [T1, T2] = [randomUUID(), randomUUID()];
const label = uniqueLabel();
const [SHARING_POLICY, GALLERY_POLICY] = [`${label}-sharing`, `${label}-gallery`];

let world: World;
let operator: OperatorProcess;
let galleryNamespace: string;

const selecting = (value: string) => ({ namespaceSelector: { matchLabels: { [label]: value } } });

function gallery(namespace: string, name: string, permissions: "Private" | "Groups"): Gallery {
  return {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "Gallery",
    metadata: { name, namespace },
    spec: {
      subscriptionId: world.subscriptionId,
      resourceGroup: world.resourceGroup,
      location: world.location,
      sharing: { permissions },
      deletionPolicy: "Delete",
    },
  };
}

function galleryPath(name: string): string {
  return `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.Compute/galleries/${name}`.toLowerCase();
}

const lastSeq = () => world.sim.requests().at(-1)?.seq ?? 0;

/** Writes (anything but GET) on a gallery and below, after `after`. */
function writesOn(name: string, after: number): string[] {
  return world.sim
    .requests(after)
    .filter((r) => r.method !== "GET" && r.path.toLowerCase().startsWith(galleryPath(name)))
    .map((r) => `${r.method} ${r.path.slice(galleryPath(name).length) || "/"}`);
}

/** Share operations ARM accepted on a gallery, oldest first. */
function shareChanges(name: string) {
  return world.sim
    .state()
    .operations.filter((o) => o.kind === "share" && o.target.toLowerCase() === galleryPath(name))
    .sort((a, b) => a.startAt - b.startAt)
    .map((o) => ({ operationType: o.share?.operationType, groups: o.share?.groups }));
}

/** A gallery no policy here forbids: its resync reads (1 s period) are the operator's clock. */
const SENTINEL = "sentinel";

/**
 * Waits until the operator has gone through three more resyncs (reads of the sentinel gallery, or
 * of the resource group's list of galleries a resync answers from): every object, those blocked by
 * a policy included, had as many chances to (wrongly) write.
 */
async function settle(): Promise<void> {
  const after = lastSeq();
  const list = galleryPath(SENTINEL).replace(/\/[^/]+$/, "");
  await waitFor("three resyncs", () => {
    const reads = world.sim
      .requests(after)
      .filter((r) => r.method === "GET" && [list, galleryPath(SENTINEL)].includes(r.path.toLowerCase()));
    return reads.length >= 3;
  });
}

async function setPolicy(name: string, spec: Partial<GalleryPolicySpec>) {
  await applyPolicy(world.cluster, name, spec);
}

beforeAll(async () => {
  // Share windows shrunk: the tests share several times within seconds.
  world = await startWorld("policy-enforce", { limits: { windowScale: 0.01 } });
  // These tests judge the operator's reconcile-time checks; admission policies that another file left
  // on the shared cluster would refuse the edits before the operator ever saw them.
  await removeAdmission(world.cluster);
  world.sim.seed({ tenants: [{ id: T1 }, { id: T2 }] });
  galleryNamespace = await world.cluster.newNamespace("policy-enforce-gal");
  await labelNamespace(world.cluster, world.namespace, { [label]: "sharing" });
  await labelNamespace(world.cluster, galleryNamespace, { [label]: "gallery" });
  await setPolicy(SHARING_POLICY, selecting("sharing"));
  await setPolicy(GALLERY_POLICY, selecting("gallery"));
  operator = startOperatorProcess({
    kubeconfigPath: world.cluster.kubeconfigPath,
    sim: world.sim,
    tenantId: world.tenantId,
    args: [
      "--namespaces",
      `${world.namespace},${galleryNamespace}`,
      "--leader-elect",
      "false",
      "--resync-period",
      "1s",
    ],
  });
  await operator.waitForLine(
    (l) => l.msg === "caches synced; reconciling" && l.controller === `GallerySharing@${world.namespace}`,
  );
  await world.galleries.create(gallery(world.namespace, SENTINEL, "Private"));
  await waitForCondition(world.galleries, world.namespace, SENTINEL, { status: "True" });
});

afterAll(async () => {
  await operator?.stop();
  if (world) await deletePolicies(world.cluster, [SHARING_POLICY, GALLERY_POLICY]);
  await world?.close();
});

describe("tightening a policy after the fact", () => {
  it("Audit: a gallery now in a forbidden region reports PolicyViolation, and an edit makes no ARM write", async () => {
    await world.galleries.create(gallery(galleryNamespace, "audited", "Private"));
    await waitForCondition(world.galleries, galleryNamespace, "audited", { status: "True" });

    await setPolicy(GALLERY_POLICY, { ...selecting("gallery"), regions: { allowed: ["westeurope"] } });
    const blocked = await waitForCondition(world.galleries, galleryNamespace, "audited", {
      status: "False",
      reason: "PolicyViolation",
    });
    expect(conditionOf(blocked)?.message).toContain(
      `GalleryPolicy ${GALLERY_POLICY} (regions.allowed): location not allowed: ${world.location} (allowed: westeurope)`,
    );
    // Said in an event too, as every blocking reason is (kubectl describe).
    await waitFor("a PolicyViolation Warning event", async () =>
      (await eventsAbout(world.cluster, galleryNamespace, "audited")).find(
        (e) => e.reason === "PolicyViolation" && e.type === "Warning",
      ),
    );

    // An edit that would otherwise cost one PUT: the object takes it, Azure does not.
    const before = lastSeq();
    const ref = { namespace: galleryNamespace, name: "audited" };
    const edited = await world.galleries.mergePatch(ref, { spec: { description: "edited under audit" } });
    await waitFor("the edit to be judged", async () => {
      const g = await world.galleries.get(ref);
      const ready = g.status?.conditions?.find((c) => c.type === "Ready");
      return ready?.reason === "PolicyViolation" && ready.observedGeneration === edited.metadata.generation;
    });
    await settle();
    expect(writesOn("audited", before)).toEqual([]);

    // The policy allows it again: the edit goes to Azure, once.
    await setPolicy(GALLERY_POLICY, {
      ...selecting("gallery"),
      regions: { allowed: ["westeurope", world.location] },
    });
    await waitForCondition(world.galleries, galleryNamespace, "audited", { status: "True" });
    await waitFor("the description in Azure", () =>
      world.sim
        .state()
        .galleries?.find((g) => g.name === "audited" && g.description === "edited under audit"),
    );
    expect(writesOn("audited", before)).toEqual(["PUT /"]);
  });

  it("Audit reports a share that became forbidden without removing it; Remediate removes it with exactly one Remove", async () => {
    await world.galleries.create(gallery(world.namespace, "shared", "Groups"));
    await waitForCondition(world.galleries, world.namespace, "shared", { status: "True" });
    const sharing: GallerySharing = {
      apiVersion: "gallery.azure.dev/v1alpha1",
      kind: "GallerySharing",
      metadata: { name: "shared", namespace: world.namespace },
      spec: { galleryRef: { name: "shared" }, tenants: [T1, T2], deletionPolicy: "Delete" },
    };
    await world.gallerySharings.create(sharing);
    await waitFor("sharing with both tenants", async () => {
      const s = await world.gallerySharings.get({ namespace: world.namespace, name: "shared" });
      return (
        conditionOf(s)?.status === "True" && s.status?.sharedWith?.tenantCount === 2 && !s.status.operation
      );
    });
    expect(shareChanges("shared").map((c) => c.operationType)).toEqual(["Add"]);

    // Audit: reported, nothing removed.
    let before = lastSeq();
    await setPolicy(SHARING_POLICY, { ...selecting("sharing"), sharing: { allowedTenants: [T1] } });
    const audited = await waitForCondition(world.gallerySharings, world.namespace, "shared", {
      status: "False",
      reason: "PolicyViolation",
    });
    expect(conditionOf(audited)?.message).toContain(
      `GalleryPolicy ${SHARING_POLICY} (sharing.allowedTenants): sharing with tenant not allowed: ${T2} (allowed: ${T1})`,
    );
    await settle();
    expect(writesOn("shared", before)).toEqual([]);
    expect(shareChanges("shared").map((c) => c.operationType)).toEqual(["Add"]);

    // Remediate: exactly one Remove, of the forbidden tenant only; the allowed one stays shared.
    before = lastSeq();
    await setPolicy(SHARING_POLICY, {
      ...selecting("sharing"),
      enforcement: "Remediate",
      sharing: { allowedTenants: [T1] },
    });
    const remediated = await waitFor("the forbidden tenant to be removed", async () => {
      const s = await world.gallerySharings.get({ namespace: world.namespace, name: "shared" });
      const tenants = s.status?.sharedWith?.tenants ?? [];
      return tenants.length === 1 && !s.status?.operation ? s : undefined;
    });
    expect(remediated.status?.sharedWith?.tenants).toEqual([T1]);
    expect(conditionOf(remediated)).toMatchObject({ status: "False", reason: "PolicyViolation" });
    expect(conditionOf(remediated)?.message).toContain("Remediate");
    await settle();
    expect(shareChanges("shared").slice(1)).toEqual([
      { operationType: "Remove", groups: [{ type: "AADTenants", ids: [T2] }] },
    ]);
    expect(writesOn("shared", before)).toEqual(["POST /share"]);
  });
});
