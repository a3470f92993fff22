// The writes an ImageDefinition sends to ARM: the PUT of its spec, the DELETE, and the PUT that
// takes the ownership tag off (deletionPolicy Orphan).
import type { GalleryImage } from "@azure/arm-compute";
import type { ImageDefinition } from "../../api/index.js";
import { type ImageRef, imageId } from "../../azure/index.js";
import type { ArmWrite } from "../driver/arm-kind.js";
import type { ReconcilerContext } from "../driver/context.js";
import { ownedTags, untagWrite } from "../driver/ownership.js";
import { deleteWrite, type PutFn, putWrite } from "../driver/spec-writes.js";
import { desiredImageBody } from "./body.js";
import type { DefinitionTarget } from "./target.js";

// How long Azure takes to write and to delete an image definition (docs/arm-behaviour.md#durations:
// 0.1-0.3 s): the first poll of each comes then (driver/poll-schedule.ts).
const DEFINITION_PUT_MS = 200;
const DEFINITION_DELETE_MS = 300;

/** The image definitions API for the object's namespace (under the identity chosen for it). */
function imagesApi(obj: ImageDefinition, ctx: ReconcilerContext) {
  return ctx.arm(obj.metadata.namespace ?? "").images;
}

type Put = PutFn<ImageDefinition, DefinitionTarget, GalleryImage>;

/** The PUT of the spec into `location`: a create, or (with `update`) an update of the fields in `diffs`. */
export const putDefinition: Put = (obj, target, location, ctx, update) => {
  const { image, gallery } = target.ref;
  const write = putWrite({
    events: "ImageDefinition",
    what: `image definition ${image}`,
    ...(update ? { diffs: update.diffs } : {}),
    creating: `creating image definition ${image} in gallery ${gallery}`,
    created: `image definition ${image} created in gallery ${gallery}`,
    id: imageId(target.ref),
    start: () => {
      const body = desiredImageBody(obj.spec, location, update?.actual.tags);
      return imagesApi(obj, ctx).put(target.ref, {
        ...body,
        tags: ownedTags(body.tags, obj, "ImageDefinition", ctx),
      });
    },
  });
  return { ...write, expectedMs: DEFINITION_PUT_MS };
};

export function deleteDefinition(obj: ImageDefinition, ref: ImageRef, ctx: ReconcilerContext): ArmWrite {
  const write = deleteWrite(
    "ImageDefinition",
    imageId(ref),
    `deleting image definition ${ref.image} from gallery ${ref.gallery}`,
    `image definition ${ref.image} deleted from gallery ${ref.gallery}`,
    () => imagesApi(obj, ctx).delete(ref),
  );
  return { ...write, expectedMs: DEFINITION_DELETE_MS };
}

/** The PUT that takes the ownership tag off and leaves the definition in Azure (deletionPolicy Orphan). */
export function untagDefinition(
  obj: ImageDefinition,
  target: DefinitionTarget,
  actual: GalleryImage,
  ctx: ReconcilerContext,
): ArmWrite {
  return untagWrite(`image definition ${target.ref.image}`, actual.tags, (tags) =>
    imagesApi(obj, ctx).put(target.ref, { ...desiredImageBody(obj.spec, actual.location), tags }),
  );
}

export function readDefinition(obj: ImageDefinition, target: DefinitionTarget, ctx: ReconcilerContext) {
  return imagesApi(obj, ctx).get(target.ref);
}

export function resumeDefinition(
  obj: ImageDefinition,
  target: DefinitionTarget,
  token: string,
  ctx: ReconcilerContext,
) {
  return imagesApi(obj, ctx).resume(target.ref, token);
}
