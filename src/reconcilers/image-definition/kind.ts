// ImageDefinition ↔ Microsoft.Compute/galleries/images. The user's story: "I declare an image
// definition in one of my galleries; once the gallery is Ready the operator makes the definition
// exist there as declared, keeps its descriptive fields in sync, and deletes it when I delete the
// object — never while image versions in the cluster still live in it."
//
// This file assembles the kind from its parts: target.ts (where it lives), writes.ts (what is
// sent to ARM), plan.ts (which write comes next), observe.ts (what status shows).
import type { GalleryImage } from "@azure/arm-compute";
import type { ImageDefinition } from "../../api/index.js";
import type { ResourceClient } from "../../kube/index.js";
import type { ArmKind } from "../driver/arm-kind.js";
import { definitionExports, observeDefinition } from "./observe.js";
import { cleanupDefinition, planDefinition, rewriteDefinition } from "./plan.js";
import {
  type DefinitionTarget,
  definitionCleanupTarget,
  definitionLabels,
  definitionRivals,
  definitionTarget,
} from "./target.js";
import { readDefinition, resumeDefinition, untagDefinition } from "./writes.js";

export function imageDefinitionKind(
  client: ResourceClient<ImageDefinition>,
): ArmKind<ImageDefinition, DefinitionTarget, GalleryImage> {
  return {
    kind: "ImageDefinition",
    client,
    tagsOf: (actual) => actual.tags,
    rivalsOf: definitionRivals,
    untag: untagDefinition,
    labels: definitionLabels,
    target: definitionTarget,
    cleanupTarget: definitionCleanupTarget,
    read: readDefinition,
    resume: resumeDefinition,
    plan: planDefinition,
    rewrite: rewriteDefinition,
    exports: definitionExports,
    observe: observeDefinition,
    cleanup: cleanupDefinition,
  };
}
