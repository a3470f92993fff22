// Every kind this API defines, in the order the generator writes them and the docs list them.
import type { KindDefinition } from "./crd/definition.js";
import { galleryDefinition } from "./gallery/schema.js";
import { galleryPolicyDefinition } from "./gallery-policy/schema.js";
import { gallerySharingDefinition } from "./gallery-sharing/schema.js";
import { imageDefinitionDefinition } from "./image-definition/schema.js";
import { imageVersionDefinition } from "./image-version/schema.js";

export const KIND_DEFINITIONS: readonly KindDefinition[] = [
  galleryDefinition,
  imageDefinitionDefinition,
  imageVersionDefinition,
  gallerySharingDefinition,
  galleryPolicyDefinition,
];
