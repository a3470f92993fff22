// Gallery: one Azure Compute Gallery (Microsoft.Compute/galleries).
import type {
  CommonStatus,
  ConfigMapDestination,
  CustomResource,
  DeletionPolicy,
  OperatorSpec,
} from "../resource.js";

export type SharingPermissions = "Private" | "Groups" | "Community";

/** What a community gallery shows to everyone; Azure requires all four fields. */
export interface CommunityGalleryInfo {
  publisherUri: string;
  publisherContact: string;
  eula: string;
  publicNamePrefix: string;
}

export interface GallerySharingProfile {
  /** Defaulted to Private by the API server. */
  permissions: SharingPermissions;
  community?: CommunityGalleryInfo;
}

export interface GallerySpec {
  /** Absent when metadata.name is itself a valid gallery name: use `galleryAzureName()`. */
  azureName?: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  description?: string;
  tags?: Record<string, string>;
  /** Defaulted by the API server ({permissions: Private}). */
  sharing: GallerySharingProfile;
  softDelete?: boolean;
  deletionPolicy: DeletionPolicy;
  operatorSpec?: OperatorSpec<GalleryExports>;
}

/** What a Gallery can export to ConfigMaps. */
export interface GalleryExports {
  id?: ConfigMapDestination;
  uniqueName?: ConfigMapDestination;
  /** Comma-separated, for community galleries. */
  publicNames?: ConfigMapDestination;
}

export interface GalleryStatus extends CommonStatus {
  /** The name the operator uses in Azure (spec.azureName, or metadata.name). */
  azureName?: string;
  /** Azure's `identifier.uniqueName`: `{subscription}-{NAME}`, the name consumers of a direct share see. */
  uniqueName?: string;
  /** Community galleries: the public names Azure made from publicNamePrefix. */
  publicNames?: string[];
  /** Community galleries: whether sharing to the community has been switched on. */
  communityEnabled?: boolean;
  /**
   * The tag keys the operator set in Azure (the spec's, and its own): only these are removed
   * when the spec drops them; other keys in Azure belong to someone else (docs/api.md, "Tags").
   */
  managedTagKeys?: string[];
}

export type Gallery = CustomResource<"Gallery", GallerySpec, GalleryStatus>;
