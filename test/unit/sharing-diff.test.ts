// The share decisions of a GallerySharing: which POST …/share (removal, addition) each case costs.
import type { Gallery as ArmGallery } from "@azure/arm-compute";
import { describe, expect, it } from "vitest";
import type { GallerySharingSpec } from "../../src/api/index.js";
import {
  type ActualSharing,
  actualSharing,
  desiredSharing,
  ownedSharing,
  planShare,
  planUnshare,
  type SharingSet,
} from "../../src/reconcilers/gallery-sharing/diff.js";

const S1 = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const S2 = "34a4ab42-0d72-47d9-bd1a-aed207386dac";
const S3 = "5d2f1a3e-0000-4000-8000-000000000003";
const T1 = "2f4a9838-26b7-47ee-be60-ccc1fdec5953";

function want(set: Partial<SharingSet> = {}): SharingSet {
  return { subscriptions: [], tenants: [], community: false, ...set };
}

function groupsGallery(subscriptions: string[] = [], tenants: string[] = []): ActualSharing {
  return { permissions: "Groups", subscriptions, tenants, community: false, publicNames: [] };
}

function communityGallery(enabled: boolean): ActualSharing {
  return {
    permissions: "Community",
    subscriptions: [],
    tenants: [],
    community: enabled,
    publicNames: ["p-1"],
  };
}

const PRIVATE: ActualSharing = {
  permissions: "Private",
  subscriptions: [],
  tenants: [],
  community: false,
  publicNames: [],
};

describe("actualSharing (ARM's $select=Permissions view)", () => {
  it("reads both group types, lower-cased and sorted", () => {
    const gallery: ArmGallery = {
      location: "westus",
      sharingProfile: {
        permissions: "Groups",
        groups: [
          { type: "Subscriptions", ids: [S2.toUpperCase(), S1] },
          { type: "AADTenants", ids: [T1] },
        ],
      },
    };
    expect(actualSharing(gallery)).toEqual({
      permissions: "Groups",
      subscriptions: [S1, S2],
      tenants: [T1],
      community: false,
      publicNames: [],
    });
  });

  it("treats a gallery without a sharing profile as Private with nothing shared", () => {
    expect(actualSharing({ location: "westus" })).toEqual(PRIVATE);
  });

  it("reads the community switch and public names", () => {
    const gallery: ArmGallery = {
      location: "westus",
      sharingProfile: {
        permissions: "Community",
        communityGalleryInfo: { communityGalleryEnabled: true, publicNames: ["pub-1"] },
      },
    };
    expect(actualSharing(gallery)).toMatchObject({
      permissions: "Community",
      community: true,
      publicNames: ["pub-1"],
    });
  });
});

describe("planShare", () => {
  it("costs nothing when ARM matches, whatever the case of the ids", () => {
    expect(planShare(want({ subscriptions: [S1], tenants: [T1] }), groupsGallery([S1], [T1]))).toEqual({});
    const spec: GallerySharingSpec = {
      galleryRef: { name: "g" },
      subscriptions: [S1.toUpperCase()],
      deletionPolicy: "Delete",
    };
    expect(planShare(desiredSharing(spec), groupsGallery([S1]))).toEqual({});
    expect(planShare(want(), PRIVATE)).toEqual({});
    expect(planShare(want(), groupsGallery())).toEqual({});
    expect(planShare(want(), communityGallery(false))).toEqual({});
    expect(planShare(want({ community: true }), communityGallery(true))).toEqual({});
  });

  it("adds only the missing ids, both group types in one call", () => {
    const plan = planShare(want({ subscriptions: [S1, S2, S3], tenants: [T1] }), groupsGallery([S2]));
    expect(plan.removal).toBeUndefined();
    expect(plan.addition).toMatchObject({
      action: "ShareAdd",
      update: {
        operationType: "Add",
        groups: [
          { type: "Subscriptions", ids: [S1, S3] },
          { type: "AADTenants", ids: [T1] },
        ],
      },
    });
  });

  it("leaves a group type without ids out of the body", () => {
    expect(planShare(want({ subscriptions: [S1, S2] }), groupsGallery([S1])).addition).toMatchObject({
      update: { operationType: "Add", groups: [{ type: "Subscriptions", ids: [S2] }] },
    });
  });

  it("removes only the ids no longer wanted", () => {
    const plan = planShare(want({ subscriptions: [S1] }), groupsGallery([S1, S2], [T1]));
    expect(plan.addition).toBeUndefined();
    expect(plan.removal).toMatchObject({
      action: "ShareRemove",
      update: {
        operationType: "Remove",
        groups: [
          { type: "Subscriptions", ids: [S2] },
          { type: "AADTenants", ids: [T1] },
        ],
      },
    });
  });

  it("plans the removal and the addition of swapped ids side by side, neither waiting when both fit", () => {
    const plan = planShare(want({ subscriptions: [S2] }), groupsGallery([S1]));
    expect(plan.removal?.update).toEqual({
      operationType: "Remove",
      groups: [{ type: "Subscriptions", ids: [S1] }],
    });
    expect(plan.addition?.update).toEqual({
      operationType: "Add",
      groups: [{ type: "Subscriptions", ids: [S2] }],
    });
    expect(plan.additionWaitsForRemoval).toBeUndefined();
  });

  it("makes the Add wait for the Remove when both together would pass 30 subscriptions or 5 tenants", () => {
    const thirty = Array.from(
      { length: 30 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    );
    const swapped = [...thirty.slice(1), S1].sort();
    const plan = planShare(want({ subscriptions: swapped }), groupsGallery(thirty));
    expect(plan.removal?.ids.subscriptions).toEqual([thirty[0]]);
    expect(plan.addition?.ids.subscriptions).toEqual([S1]);
    expect(plan.additionWaitsForRemoval).toBe(true);

    const five = Array.from(
      { length: 5 },
      (_, i) => `10000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    );
    const tenants = planShare(want({ tenants: [...five.slice(1), T1].sort() }), groupsGallery([], five));
    expect(tenants.additionWaitsForRemoval).toBe(true);
    // At the edge but not past it: no wait.
    expect(
      planShare(want({ subscriptions: thirty }), groupsGallery(thirty.slice(1))).additionWaitsForRemoval,
    ).toBeUndefined();
  });

  it("empties a Groups gallery with a Remove, never a Reset (the sharing mode is the Gallery's)", () => {
    expect(planShare(want(), groupsGallery([S1], [T1])).removal?.update).toEqual({
      operationType: "Remove",
      groups: [
        { type: "Subscriptions", ids: [S1] },
        { type: "AADTenants", ids: [T1] },
      ],
    });
  });

  it("ends community sharing with a Reset, ARM's only way off", () => {
    expect(planShare(want(), communityGallery(true)).removal).toMatchObject({
      action: "ShareReset",
      update: { operationType: "Reset" },
    });
  });

  it("enables community sharing once", () => {
    expect(planShare(want({ community: true }), communityGallery(false)).addition).toEqual({
      action: "ShareEnableCommunity",
      update: { operationType: "EnableCommunity", groups: [] },
      ids: want(),
      note: expect.stringContaining("EnableCommunity"),
    });
  });

  it("refuses direct sharing on a gallery that is not Groups", () => {
    for (const actual of [PRIVATE, communityGallery(false)]) {
      const plan = planShare(want({ tenants: [T1] }), actual);
      expect(plan.addition).toBeUndefined();
      expect(plan.refusal).toMatchObject({
        reason: "GalleryNotGroups",
        message: expect.stringContaining("set spec.sharing.permissions to Groups on the Gallery"),
      });
    }
  });

  it("refuses community sharing on a gallery that is not Community, and still removes what is not wanted", () => {
    expect(planShare(want({ community: true }), PRIVATE).refusal).toMatchObject({
      reason: "GalleryNotCommunity",
      message: expect.stringContaining("set spec.sharing.permissions to Community"),
    });
    const plan = planShare(want({ community: true }), groupsGallery([S1]));
    expect(plan.refusal?.reason).toBe("GalleryNotCommunity");
    expect(plan.removal?.update.operationType).toBe("Remove");
  });
});

describe("planUnshare (deleting the GallerySharing)", () => {
  it("removes what it shared even when that is everything shared (no Reset of a Groups gallery)", () => {
    expect(planUnshare(want({ subscriptions: [S1, S2] }), groupsGallery([S1, S2]))).toMatchObject({
      update: { operationType: "Remove", groups: [{ type: "Subscriptions", ids: [S1, S2] }] },
    });
  });

  it("removes only its own ids when someone else shared more", () => {
    expect(
      planUnshare(want({ subscriptions: [S1], tenants: [T1] }), groupsGallery([S1, S3], [T1])),
    ).toMatchObject({
      update: {
        operationType: "Remove",
        groups: [
          { type: "Subscriptions", ids: [S1] },
          { type: "AADTenants", ids: [T1] },
        ],
      },
    });
  });

  it("resets a community gallery it made public, and nothing else", () => {
    expect(planUnshare(want({ community: true }), communityGallery(true))).toMatchObject({
      update: { operationType: "Reset" },
    });
    expect(planUnshare(want({ community: true }), communityGallery(false))).toBeUndefined();
    expect(planUnshare(want(), communityGallery(true))).toBeUndefined();
  });

  it("is done when none of its ids is shared any more", () => {
    expect(planUnshare(want({ subscriptions: [S1] }), groupsGallery([S3]))).toBeUndefined();
    expect(planUnshare(want({ subscriptions: [S1] }), PRIVATE)).toBeUndefined();
  });

  it("answers for its spec and for what its status last saw shared", () => {
    const spec: GallerySharingSpec = {
      galleryRef: { name: "g" },
      subscriptions: [S1],
      deletionPolicy: "Delete",
    };
    expect(ownedSharing(spec, { sharedWith: { subscriptions: [S2.toUpperCase()], tenants: [T1] } })).toEqual({
      subscriptions: [S1, S2].sort(),
      tenants: [T1],
      community: false,
    });
    expect(ownedSharing({ ...spec, subscriptions: [] }, { community: { enabled: true } }).community).toBe(
      true,
    );
  });
});
