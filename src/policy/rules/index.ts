// Every guardrail, by the kind it judges. ImageDefinition has none: it only inherits its
// gallery's place, and the gallery was judged already.
import type { GallerySharingSpec, GallerySpec, ImageVersionSpec } from "../../api/index.js";
import { galleryRules } from "./gallery.js";
import { gallerySharingRules } from "./gallery-sharing.js";
import { imageVersionRules } from "./image-version.js";
import type { Rule } from "./rule.js";

export { notAllowed, type Rule } from "./rule.js";

export interface RulesByKind {
  Gallery: Rule<GallerySpec>[];
  ImageVersion: Rule<ImageVersionSpec>[];
  GallerySharing: Rule<GallerySharingSpec>[];
}

export const RULES: RulesByKind = {
  Gallery: galleryRules,
  ImageVersion: imageVersionRules,
  GallerySharing: gallerySharingRules,
};

/**
 * The rules for an object of `kind`, over its spec; none for kinds without guardrails.
 * The kind picks the list, so the spec handed to them is of the type they were written for.
 */
export function rulesFor(kind: string): readonly Rule<object>[] {
  return kind in RULES ? (RULES[kind as keyof RulesByKind] as unknown as Rule<object>[]) : [];
}
