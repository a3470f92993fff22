// Every kind the operator reconciles: its API descriptor, its ArmKind, and which changes of other
// kinds wake its objects (parents wake children so they stop waiting; children wake parents so a
// blocked delete goes on). The operator wires one controller per entry.
import type { Gallery, GallerySharing, ImageDefinition, ImageVersion, KindName } from "../api/index.js";
import type { KubeObject, ReadonlyStore, ResourceClient } from "../kube/index.js";
import type { ArmKind, ArmObject } from "./driver/arm-kind.js";
import { BY_DEFINITION, BY_GALLERY } from "./driver/indexes.js";
import { childrenOf } from "./driver/refs.js";
import { galleryKind } from "./gallery/kind.js";
import { gallerySharingKind } from "./gallery-sharing/kind.js";
import { imageDefinitionKind } from "./image-definition/kind.js";
import { imageVersionKind } from "./image-version/kind.js";
import { sameSource, sourceWaiters } from "./image-version/rules.js";

export { descriptorOf, indexedCaches } from "./caches.js";
export type {
  Caches,
  IdentityInfo,
  PolicySubject,
  PolicyViolation,
  ReconcilerContext,
} from "./driver/context.js";
export { armReconciler } from "./driver/driver.js";
export { CONFIGMAPS, type ConfigMap } from "./driver/exports.js";
export { BY_NAMESPACE } from "./driver/indexes.js";
export { subscriptionOf } from "./subscription.js";

/** Keys `namespace/name` of the objects in `store` that name `parent`, by the reference index `index`. */
function keysReferring<T extends KubeObject>(
  store: ReadonlyStore<T>,
  index: string,
  parent: KubeObject,
): string[] {
  const ns = parent.metadata.namespace ?? "";
  return childrenOf(store, index, parent).map((name) => `${ns}/${name}`);
}

/** Maps a child to the key of the parent it names in `spec.<ref>.name`. */
function parentKey(ref: "galleryRef" | "imageDefinitionRef"): (child: KubeObject) => string[] {
  return (child) => {
    const name = (child as { spec?: Partial<Record<typeof ref, { name?: string }>> }).spec?.[ref]?.name;
    return name ? [`${child.metadata.namespace}/${name}`] : [];
  };
}

/** A related kind: when one of its objects changes, these keys of the wired kind are reconciled. */
export interface Wake<T extends KubeObject> {
  from: KindName;
  keys(changed: KubeObject, own: ReadonlyStore<T>): string[];
  /** Optional: only changes for which this is true wake them (see `parentMoved`); unset: every change. */
  when?(previous: KubeObject, current: KubeObject): boolean;
}

/**
 * Whether a parent changed in a way its children act on: its spec (generation), labels, deletion,
 * Azure id, or Ready condition. A parent writes its status several times per ARM write (intent,
 * operation, progress); each used to wake every child, and each woken child read Azure again.
 */
export function parentMoved(previous: KubeObject, current: KubeObject): boolean {
  type WithStatus = KubeObject & {
    status?: {
      id?: string;
      conditions?: { type: string; status: string; reason?: string; observedGeneration?: number }[];
    };
  };
  const a = previous as WithStatus;
  const b = current as WithStatus;
  const ready = (o: WithStatus) => {
    const c = o.status?.conditions?.find((x) => x.type === "Ready");
    return c ? `${c.status}/${c.reason ?? ""}/${c.observedGeneration ?? ""}` : "";
  };
  return (
    a.metadata.generation !== b.metadata.generation ||
    a.metadata.deletionTimestamp !== b.metadata.deletionTimestamp ||
    JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {}) ||
    a.status?.id !== b.status?.id ||
    ready(a) !== ready(b)
  );
}

/** Wakes the children that name a parent of kind `from` (by the reference index `index`) when it moved. */
function childrenOfMovedParent<T extends KubeObject>(from: KindName, index: string): Wake<T> {
  return { from, keys: (parent, own) => keysReferring(own, index, parent), when: parentMoved };
}

export interface KindWiring<T extends ArmObject> {
  name: KindName;
  // Each kind has its own Target and Actual; whoever wires it only hands them to the driver.
  kind(client: ResourceClient<T>): ArmKind<T, unknown, unknown>;
  wakes: Wake<T>[];
}

const galleryWiring: KindWiring<Gallery> = {
  name: "Gallery",
  kind: galleryKind,
  wakes: [
    // A deleting gallery waits for its image definitions; each one that goes wakes it. Other
    // galleries have no use for their definitions' changes (each woken gallery read Azure again).
    {
      from: "ImageDefinition",
      keys: (definition, own) =>
        parentKey("galleryRef")(definition).filter((key) => own.get(key)?.metadata.deletionTimestamp),
    },
    // A deleting gallery waits for its GallerySharings, and its Reset for their share
    // operations; each change of one wakes it.
    { from: "GallerySharing", keys: parentKey("galleryRef") },
  ],
};

const imageDefinitionWiring: KindWiring<ImageDefinition> = {
  name: "ImageDefinition",
  kind: imageDefinitionKind,
  wakes: [
    // A gallery that becomes Ready lets its definitions go on.
    childrenOfMovedParent("Gallery", BY_GALLERY),
    {
      // A deleting definition waits for its versions; each change of one (its deletion above all)
      // wakes it. So does one that exports its latest version (exports.ts). Other definitions
      // have no use for their versions' progress.
      from: "ImageVersion",
      keys: (version, own) => {
        const ref = (version as Partial<ImageVersion>).spec?.imageDefinitionRef?.name;
        const key = `${version.metadata.namespace}/${ref}`;
        const definition = ref ? own.get(key) : undefined;
        const exported = definition?.spec.operatorSpec?.configMaps;
        const wants = exported?.latestVersion ?? exported?.latestVersionId;
        return definition && (definition.metadata.deletionTimestamp || wants) ? [key] : [];
      },
    },
  ],
};

const imageVersionWiring: KindWiring<ImageVersion> = {
  name: "ImageVersion",
  kind: imageVersionKind,
  wakes: [
    // A definition that becomes Ready lets its versions go on.
    childrenOfMovedParent("ImageDefinition", BY_DEFINITION),
    {
      // The gallery's region and sharing decide what a version may be; versions carry its name as a label.
      from: "Gallery",
      keys: (gallery, own) => keysReferring(own, BY_GALLERY, gallery),
      when: parentMoved,
    },
    {
      // A version done with its managed image lets the next one waiting for it (SourceBusy) go on.
      from: "ImageVersion",
      keys: (changed, own) =>
        sourceWaiters(changed as ImageVersion, sameSource(own, changed as ImageVersion)).map(
          (v) => `${v.metadata.namespace}/${v.metadata.name}`,
        ),
    },
  ],
};

const gallerySharingWiring: KindWiring<GallerySharing> = {
  name: "GallerySharing",
  kind: gallerySharingKind,
  wakes: [
    {
      // A gallery that becomes Ready (or changes its permissions) lets its sharing go on.
      from: "Gallery",
      keys: (gallery, own) => keysReferring(own, BY_GALLERY, gallery),
    },
    {
      // The owner of a gallery's sharing going away hands it to the next GallerySharing in line;
      // other changes of a GallerySharing concern no one else.
      from: "GallerySharing",
      keys: (changed, own) => {
        const ref = (changed as Partial<GallerySharing>).spec?.galleryRef?.name;
        if (!changed.metadata.deletionTimestamp || !ref) return [];
        const gallery = { metadata: { name: ref, namespace: changed.metadata.namespace } };
        const self = `${changed.metadata.namespace}/${changed.metadata.name}`;
        return keysReferring(own, BY_GALLERY, gallery).filter((k) => k !== self);
      },
    },
  ],
};

export const KIND_WIRINGS: KindWiring<ArmObject>[] = [
  galleryWiring as unknown as KindWiring<ArmObject>,
  imageDefinitionWiring as unknown as KindWiring<ArmObject>,
  imageVersionWiring as unknown as KindWiring<ArmObject>,
  gallerySharingWiring as unknown as KindWiring<ArmObject>,
];
