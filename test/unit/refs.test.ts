// A child's view of its parent (docs/runtime.md, "Transient errors stay local"): a parent failing
// for a transient reason still serves its children for a grace period, and a child that must wait
// says why, with the parent's own reason and message.
import { describe, expect, it } from "vitest";
import { type KubeObject, type ReadonlyStore, Store } from "../../src/kube/index.js";
import { isBlocked } from "../../src/reconcilers/driver/arm-kind.js";
import { PARENT_GRACE_MS, readyParent } from "../../src/reconcilers/driver/refs.js";

const FLIPPED = "2026-12-07T10:00:00Z";
const at = (ms: number) => new Date(Date.parse(FLIPPED) + ms);

function gallery(
  ready: { status: string; reason: string; message: string },
  provisioningState = "Succeeded",
) {
  return {
    kind: "Gallery",
    metadata: { name: "g", namespace: "ns" },
    status: {
      id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g",
      provisioningState,
      conditions: [{ type: "Ready", lastTransitionTime: FLIPPED, ...ready }],
    },
  };
}

function storeOf<T extends KubeObject>(...objects: T[]): ReadonlyStore<T> {
  const store = new Store<T>();
  store.replace(objects);
  return store;
}

const outage = { status: "False", reason: "AzureError", message: "ServiceUnavailable: try later" };

describe("readyParent", () => {
  it("serves children with the last known-good parent during a transient failure, for the grace period", () => {
    const store = storeOf(gallery(outage));
    expect(readyParent(store, "Gallery", "ns", "g", at(60_000))).toMatchObject({
      metadata: { name: "g" },
    });
    const after = readyParent(store, "Gallery", "ns", "g", at(PARENT_GRACE_MS + 1));
    expect(isBlocked(after) && after.message).toBe(
      "Gallery g is not Ready: AzureError: ServiceUnavailable: try later",
    );
  });

  it("keeps serving a parent in a drift fight, and never one that is not made in Azure yet", () => {
    const fight = { status: "False", reason: "DriftFight", message: "tags.CostCenter ..." };
    expect(isBlocked(readyParent(storeOf(gallery(fight)), "Gallery", "ns", "g", at(86_400_000)))).toBe(false);
    const creating = storeOf(gallery(outage, "Creating"));
    expect(isBlocked(readyParent(creating, "Gallery", "ns", "g", at(1)))).toBe(true);
  });

  it("carries a grandparent's cause down without repeating the waiting reason", () => {
    const waiting = {
      status: "False",
      reason: "GalleryNotReady",
      message: "Gallery g is not Ready: AzureError: x",
    };
    const definition = {
      ...gallery(waiting, "Creating"),
      kind: "ImageDefinition",
      metadata: { name: "d", namespace: "ns" },
    };
    const blocked = readyParent(storeOf(definition), "ImageDefinition", "ns", "d", at(1));
    expect(isBlocked(blocked) && blocked.message).toBe(
      "ImageDefinition d is not Ready: Gallery g is not Ready: AzureError: x",
    );
  });
});
