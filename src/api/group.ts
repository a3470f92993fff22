// Where our kinds live in the Kubernetes API, and the names that tie objects together. Reconcilers,
// the CRD generator and the Helm chart all read these, so a rename happens in one place.

export const GROUP = "gallery.azure.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}` as const;

/** `kubectl get azure-gallery` lists every namespaced kind of this operator at once. */
export const CATEGORY = "azure-gallery";
/** Every kind, GalleryPolicy too: `kubectl get azure-gallery-admin -A` for platform admins. */
export const ADMIN_CATEGORY = "azure-gallery-admin";

/**
 * Set on every object the operator has written to Azure, so that deleting the object waits until
 * the Azure resource is gone (or orphaned, per `spec.deletionPolicy`).
 */
export const FINALIZER = `${GROUP}/finalizer`;

/**
 * The annotation that says how far the operator may act on an object in Azure, with Azure Service
 * Operator's meaning (`serviceoperator.azure.com/reconcile-policy`); docs/api.md.
 * - `manage` (or absent): create, update, and on deletion delete (per `spec.deletionPolicy`).
 * - `skip`: no Azure calls at all; deleting the object leaves Azure as it is.
 * - `detach-on-delete`: managed as usual, but deleting the object leaves Azure as it is.
 */
export const RECONCILE_POLICY_ANNOTATION = `${GROUP}/reconcile-policy`;
export const RECONCILE_POLICIES = ["manage", "skip", "detach-on-delete"] as const;
export type ReconcilePolicy = (typeof RECONCILE_POLICIES)[number];

/**
 * Labels the operator puts on child objects, naming their parents, so that
 * `kubectl get azure-gallery -l gallery.azure.dev/gallery=<name>` lists everything in one gallery.
 * Values are Kubernetes object names in the same namespace, not Azure names.
 */
export const LABELS = {
  gallery: `${GROUP}/gallery`,
  imageDefinition: `${GROUP}/image-definition`,
} as const;

/** The names one kind goes by in the API and on the kubectl command line. */
export interface KindNames {
  kind: string;
  listKind: string;
  /** The resource name in URLs and `kubectl get <plural>`. */
  plural: string;
  singular: string;
  shortNames: string[];
}

function names(kind: string, plural: string, shortNames: string[]): KindNames {
  return { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames };
}

export const KINDS = {
  Gallery: names("Gallery", "galleries", ["gal"]),
  ImageDefinition: names("ImageDefinition", "imagedefinitions", ["imgdef"]),
  ImageVersion: names("ImageVersion", "imageversions", ["imgver"]),
  GallerySharing: names("GallerySharing", "gallerysharings", ["galshare"]),
} as const satisfies Record<string, KindNames>;

export type KindName = keyof typeof KINDS;

/**
 * Cluster-scoped kinds: read by the operator, never reconciled, so they are not KindNames (which
 * the reconcilers wire one controller per).
 */
export const CLUSTER_KINDS = {
  GalleryPolicy: names("GalleryPolicy", "gallerypolicies", ["galpol"]),
} as const satisfies Record<string, KindNames>;
