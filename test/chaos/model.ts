// What the user asked for, as the campaign keeps it: the objects it created, their current specs,
// which it deleted and under which policy. Judging compares Azure and the API server against this,
// never against what the operator says it did.
import type {
  DeletionPolicy,
  Gallery,
  GallerySharing,
  ImageDefinition,
  ImageVersion,
} from "../../src/api/index.js";
import { LOCATION, type NamespacePlan } from "./plan.js";

export type Kind = "Gallery" | "ImageDefinition" | "ImageVersion" | "GallerySharing";
export type Manifest = Gallery | ImageDefinition | ImageVersion | GallerySharing;

export interface Desired {
  kind: Kind;
  namespace: string;
  name: string;
  manifest: Manifest;
  /** Lower-case ARM id of the resource it manages (for a sharing: its gallery's). */
  azureId: string;
  deletionPolicy: DeletionPolicy;
  /** Set when the campaign deleted it (sim ms). */
  deletedAt?: number;
  /** Set when the campaign created it again under the same name (sim ms); its successor has the key. */
  supersededAt?: number;
  /** A second object naming a resource another object already manages (I6). */
  intruderOf?: string;
}

export const keyOf = (kind: Kind, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

export function galleryId(ns: NamespacePlan): string {
  return `/subscriptions/${ns.subscriptionId}/resourceGroups/${ns.resourceGroup}/providers/Microsoft.Compute/galleries/${ns.gallery.azureName}`.toLowerCase();
}

export function sourceImageId(ns: NamespacePlan): string {
  return `/subscriptions/${ns.subscriptionId}/resourceGroups/rg-sources/providers/Microsoft.Compute/images/base-image`;
}

const API_VERSION = "gallery.azure.dev/v1alpha1" as const;

/** One object of the model: its manifest, and the Azure resource it manages. */
function desired<K extends Kind>(
  kind: K,
  namespace: string,
  name: string,
  azureId: string,
  spec: Extract<Manifest, { kind: K }>["spec"],
): Desired {
  const manifest = { apiVersion: API_VERSION, kind, metadata: { name, namespace }, spec } as Manifest;
  return { kind, namespace, name, azureId, deletionPolicy: spec.deletionPolicy, manifest };
}

/** The objects of one namespace's workload, parents first. */
export function workloadObjects(ns: NamespacePlan): Desired[] {
  const gallery = galleryId(ns);
  const definitionId = `${gallery}/images/${ns.definition.name}`;
  const objects = [
    desired("Gallery", ns.name, ns.gallery.name, gallery, {
      azureName: ns.gallery.azureName,
      subscriptionId: ns.subscriptionId,
      resourceGroup: ns.resourceGroup,
      location: LOCATION,
      tags: { team: "v0" },
      sharing: { permissions: ns.sharing ? "Groups" : "Private" },
      deletionPolicy: ns.gallery.deletionPolicy,
    }),
    desired("ImageDefinition", ns.name, ns.definition.name, definitionId, {
      galleryRef: { name: ns.gallery.name },
      osType: "Linux",
      osState: "Generalized",
      hyperVGeneration: "V2",
      architecture: "x64",
      identifier: { publisher: "chaos", offer: "campaign", sku: ns.definition.name },
      deletionPolicy: ns.definition.deletionPolicy,
    }),
  ];
  if (ns.version)
    objects.push(
      desired("ImageVersion", ns.name, ns.version.name, `${definitionId}/versions/${ns.version.version}`, {
        imageDefinitionRef: { name: ns.definition.name },
        version: ns.version.version,
        source: { managedImageId: sourceImageId(ns) },
        targetRegions: [{ name: LOCATION, storageAccountType: "Standard_LRS" }],
        replicaCount: 1,
        excludeFromLatest: false,
        deletionPolicy: ns.version.deletionPolicy,
      }),
    );
  if (ns.sharing)
    objects.push(
      desired("GallerySharing", ns.name, ns.sharing.name, gallery, {
        galleryRef: { name: ns.gallery.name },
        subscriptions: [...ns.sharing.subscriptions],
        tenants: [...ns.sharing.tenants],
        roleAssignments: ns.sharing.principals.map((principalId) => ({
          principalId,
          principalType: "User" as const,
          role: "Reader",
        })),
        deletionPolicy: ns.sharing.deletionPolicy,
      }),
    );
  return objects;
}

/** A second Gallery naming the Azure gallery `owner` manages, marked so its writes show in Azure. */
export function intruderGallery(
  owner: Desired & { manifest: Gallery },
  namespace: string,
  name: string,
): Desired {
  return {
    ...desired("Gallery", namespace, name, owner.azureId, {
      ...owner.manifest.spec,
      description: INTRUDER_MARK,
      tags: { [INTRUDER_MARK]: name },
      deletionPolicy: "Delete",
    }),
    intruderOf: keyOf(owner.kind, owner.namespace, owner.name),
  };
}
/** The description and tag key an intruder writes: seeing them in Azure proves it wrote. */
export const INTRUDER_MARK = "chaos-intruder";
