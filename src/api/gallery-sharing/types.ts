// GallerySharing: who a gallery is shared with. Direct sharing (subscriptions, tenants) and the
// community switch go through the gallery's `share` action; role assignments through Azure RBAC.
import type { CommonStatus, CustomResource, DeletionPolicy, LocalObjectReference } from "../resource.js";

export type PrincipalType = "User" | "Group" | "ServicePrincipal";

export interface CommunitySharing {
  enabled: boolean;
}

/** An Azure RBAC role assignment at the gallery's scope. */
export interface GalleryRoleAssignment {
  /** Object id of the user, group or service principal (lower-case GUID). */
  principalId: string;
  principalType: PrincipalType;
  /** A built-in role name (e.g. Reader) or a role definition GUID. Defaulted to Reader. */
  role: string;
}

export interface GallerySharingSpec {
  galleryRef: LocalObjectReference;
  subscriptions?: string[];
  tenants?: string[];
  community?: CommunitySharing;
  roleAssignments?: GalleryRoleAssignment[];
  deletionPolicy: DeletionPolicy;
}

export interface SharedWith {
  subscriptions?: string[];
  tenants?: string[];
  /** Counts for `kubectl get` (printer columns cannot count a list). */
  subscriptionCount?: number;
  tenantCount?: number;
}

export interface CommunitySharingStatus {
  enabled?: boolean;
  publicNames?: string[];
}

export interface RoleAssignmentStatus {
  principalId: string;
  role: string;
  /** The role definition the role name resolved to. */
  roleDefinitionId?: string;
  /** The ARM id of the role assignment. */
  id?: string;
}

/**
 * One change the operator still has to make in Azure, in the order it makes them: removals
 * (RemoveRoleAssignment, ShareRemove, ShareReset) before additions (ShareAdd,
 * ShareEnableCommunity, CreateRoleAssignment).
 */
export type SharingStepAction =
  | "RemoveRoleAssignment"
  | "ShareRemove"
  | "ShareReset"
  | "ShareAdd"
  | "ShareEnableCommunity"
  | "CreateRoleAssignment";

/** A step not done yet, and why: each step waits or fails on its own. */
export interface PendingSharingStep {
  action: SharingStepAction;
  /** A share step's subscriptions and tenants. */
  subscriptions?: string[];
  tenants?: string[];
  /** A role step's principal and role (as the spec wrote it; the role GUID for a removal). */
  principalId?: string;
  role?: string;
  /** Why it is not done: `Running`, `Queued`, ARM's error code, or what it waits for. */
  reason: string;
  message: string;
  /** Attempts that failed in a row. */
  failures?: number;
  /** After a failure, not tried again before this time (RFC 3339). */
  retryAfter?: string;
}

export interface GallerySharingStatus extends CommonStatus {
  /** Who Azure shares the gallery with now. */
  sharedWith?: SharedWith;
  community?: CommunitySharingStatus;
  /** The wanted role assignments Azure holds now. */
  roleAssignments?: RoleAssignmentStatus[];
  /** For `kubectl get`. */
  roleAssignmentCount?: number;
  /** What is not done yet, per step, and why; absent when Azure matches the spec. */
  pending?: PendingSharingStep[];
}

export type GallerySharing = CustomResource<"GallerySharing", GallerySharingSpec, GallerySharingStatus>;
