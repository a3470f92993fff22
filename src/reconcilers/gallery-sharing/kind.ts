// GallerySharing ↔ a gallery's sharing profile and the role assignments on it. The user's story:
// "I list who may use my gallery — subscriptions and tenants (direct sharing), everyone
// (community), or users, groups and service principals (RBAC); the operator shares with exactly
// them, tells me who the gallery is shared with now, and stops sharing what it shared when I
// delete the object (or leaves it, with deletionPolicy: Orphan)."
//
// The gallery's sharing mode (Private, Groups, Community) belongs to the Gallery; a
// GallerySharing only says who (docs/api.md, "Who owns what"). This file assembles the kind from
// its parts: target.ts (where it acts, and whether it may), writes.ts (what is sent to ARM),
// decide.ts (which step comes next), status.ts (what status shows).
import type { GallerySharing } from "../../api/index.js";
import type { ResourceClient } from "../../kube/index.js";
import { cleanupSharing, planSharing } from "./decide.js";
import { observeSharing, observeSharingOperation } from "./status.js";
import { type SharingKind, sharingCleanupTarget, sharingTarget } from "./target.js";
import { readSharing, resumeSharing } from "./writes.js";

export function gallerySharingKind(client: ResourceClient<GallerySharing>): SharingKind {
  return {
    kind: "GallerySharing",
    client,
    target: sharingTarget,
    cleanupTarget: sharingCleanupTarget,
    read: readSharing,
    resume: resumeSharing,
    observeOperation: observeSharingOperation,
    plan: planSharing,
    observe: observeSharing,
    cleanup: cleanupSharing,
  };
}
