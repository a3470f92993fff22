// The rules the CRD cannot check (they span objects), and the hint for a cross-tenant source.
import { describe, expect, it } from "vitest";
import type { Condition, Gallery, ImageVersion } from "../../src/api/index.js";
import { ArmError } from "../../src/azure/index.js";
import { withLinkedAuthorizationHint } from "../../src/reconcilers/image-version/errors.js";
import {
  galleryRuleViolation,
  sourceHolder,
  sourceWaiters,
} from "../../src/reconcilers/image-version/rules.js";
import { versionManifest } from "../support/images.js";

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const IMAGE = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/images/base`;

function gallery(permissions: Gallery["spec"]["sharing"]["permissions"]): Gallery {
  return {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "Gallery",
    metadata: { name: "gal", namespace: "ns" },
    spec: {
      subscriptionId: SUB,
      resourceGroup: "rg",
      location: "westcentralus",
      sharing: { permissions },
      deletionPolicy: "Delete",
    },
  };
}

function condition(type: string, status: Condition["status"], reason: string): Condition {
  return { type, status, reason, message: "", lastTransitionTime: "2026-01-01T00:00:00Z" };
}

function version(
  name: string,
  created: string,
  status: ImageVersion["status"] = {},
  spec: Partial<ImageVersion["spec"]> = {},
): ImageVersion {
  const targetRegions = [{ name: "westcentralus", storageAccountType: "Standard_LRS" as const }];
  const v = versionManifest({ namespace: "ns" }, name, "def", {
    version: "1.0.0",
    source: { managedImageId: IMAGE },
    targetRegions,
    ...spec,
  });
  const metadata = { ...v.metadata, uid: name, creationTimestamp: created };
  return { ...v, metadata, status };
}

describe("galleryRuleViolation", () => {
  it("wants the gallery's region among the target regions", () => {
    const v = version(
      "v",
      "t",
      {},
      { targetRegions: [{ name: "eastus", storageAccountType: "Standard_LRS" }] },
    );
    expect(galleryRuleViolation(v, gallery("Private"))).toMatchObject({
      reason: "SourceRegionNotTargeted",
      message: expect.stringContaining("must include westcentralus"),
    });
    expect(galleryRuleViolation(version("v", "t"), gallery("Private"))).toBeUndefined();
  });

  it("refuses encryption in a directly shared gallery only", () => {
    const des = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/d`;
    const v = version(
      "v",
      "t",
      {},
      {
        targetRegions: [
          {
            name: "westcentralus",
            storageAccountType: "Standard_LRS",
            encryption: { osDiskImage: { diskEncryptionSetId: des } },
          },
        ],
      },
    );
    expect(galleryRuleViolation(v, gallery("Groups"))?.reason).toBe("EncryptionNotAllowedInSharedGallery");
    expect(galleryRuleViolation(v, gallery("Private"))).toBeUndefined();
    expect(galleryRuleViolation(v, gallery("Community"))).toBeUndefined();
  });
});

describe("sourceHolder", () => {
  const replicating = {
    operation: { action: "CreateOrUpdate", resumeToken: "t", startedAt: "s", generation: 1 },
  };

  it("lets a version wait for one that replicates from the same managed image", () => {
    const first = version("first", "2026-01-01T00:00:02Z", replicating);
    const second = version("second", "2026-01-01T00:00:01Z");
    expect(sourceHolder(second, [first, second])?.metadata.name).toBe("first");
    // Same image, other spelling of the id.
    const upper = version(
      "upper",
      "2026-01-01T00:00:03Z",
      {},
      { source: { managedImageId: IMAGE.toUpperCase() } },
    );
    expect(sourceHolder(upper, [first, upper])?.metadata.name).toBe("first");
  });

  it("orders versions not yet started by creation time, then name, so two never wait on each other", () => {
    const a = version("a", "2026-01-01T00:00:00Z");
    const b = version("b", "2026-01-01T00:00:00Z");
    expect(sourceHolder(b, [a, b])?.metadata.name).toBe("a");
    expect(sourceHolder(a, [a, b])).toBeUndefined();
  });

  it("does not wait for a version that replicated, failed, waits itself, or uses another source", () => {
    const later = version("later", "2026-01-02T00:00:00Z");
    const done = version("done", "2026-01-01T00:00:00Z", {
      conditions: [condition("Replicated", "True", "Succeeded")],
    });
    const failed = version("failed", "2026-01-01T00:00:00Z", {
      conditions: [condition("Replicated", "False", "ReplicationFailed")],
    });
    const parentless = version("parentless", "2026-01-01T00:00:00Z", {
      conditions: [condition("Ready", "False", "ImageDefinitionNotFound")],
    });
    const vm = version("vm", "2026-01-01T00:00:00Z", replicating, {
      source: {
        virtualMachineId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm`,
      },
    });
    expect(sourceHolder(later, [done, failed, parentless, vm, later])).toBeUndefined();
  });

  it("wakes the waiting versions once the holder is done with the image", () => {
    const busy = { conditions: [condition("Ready", "False", "SourceBusy")] };
    const holder = version("holder", "2026-01-01T00:00:00Z", replicating);
    const waiter = version("waiter", "2026-01-02T00:00:00Z", busy);
    const other = version("other", "2026-01-02T00:00:00Z", busy, {
      source: { managedImageId: `${IMAGE}-2` },
    });
    expect(sourceWaiters(holder, [holder, waiter, other])).toEqual([]);
    const done = version("holder", "2026-01-01T00:00:00Z", {
      conditions: [condition("Replicated", "True", "Succeeded")],
    });
    expect(sourceWaiters(done, [done, waiter, other]).map((v) => v.metadata.name)).toEqual(["waiter"]);
  });
});

describe("withLinkedAuthorizationHint", () => {
  const other = "5d2f1a3e-0000-4000-8000-000000000003";
  const source = `/subscriptions/${other}/resourceGroups/rg/providers/Microsoft.Compute/images/shared`;

  it("says which subscription's tenant to add as an auxiliary tenant", () => {
    const err = new ArmError({
      kind: "Auth",
      code: "LinkedAuthorizationFailed",
      status: 403,
      message: `The client has permission to perform action 'x' on scope 'y', however the current tenant '2f4a9838-26b7-47ee-be60-ccc1fdec5953' is not authorized to access linked subscription '${other}'.`,
    });
    const hinted = withLinkedAuthorizationHint(err, source) as ArmError;
    expect(hinted).toBeInstanceOf(ArmError);
    expect(hinted).toMatchObject({ kind: "Auth", code: "LinkedAuthorizationFailed", status: 403 });
    expect(hinted.message).toContain(err.message);
    expect(hinted.message).toContain(`subscription ${other}`);
    expect(hinted.message).toContain("tenant 2f4a9838-26b7-47ee-be60-ccc1fdec5953");
    expect(hinted.message).toContain("--auxiliary-tenants");
  });

  it("leaves any other error alone", () => {
    const err = new ArmError({ kind: "UserError", code: "InvalidParameter", message: "bad" });
    expect(withLinkedAuthorizationHint(err, source)).toBe(err);
  });
});
