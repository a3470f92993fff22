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

export interface GallerySharingStatus extends CommonStatus {
  sharedWith?: SharedWith;
  community?: CommunitySharingStatus;
  roleAssignments?: RoleAssignmentStatus[];
  /** For `kubectl get`. */
  roleAssignmentCount?: number;
}

export type GallerySharing = CustomResource<"GallerySharing", GallerySharingSpec, GallerySharingStatus>;
