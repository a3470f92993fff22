// ImageDefinition spec → the ARM body to PUT, and the comparisons that decide whether a PUT is
// needed. Pure functions: the reconciler's decisions are unit-tested here without Kubernetes or ARM.
import type { GalleryImage } from "@azure/arm-compute";
import type { ImageDefinitionSpec, ImageFeature, RecommendedMachineConfiguration } from "../../api/index.js";
import { sameInstant } from "../driver/image-compare.js";
import { type Tags, tagsToPut } from "../driver/tags.js";

/**
 * The full body a PUT sends (docs/arm-behaviour.md#image-definition; ARM replaces the definition with it).
 * `location` is the gallery's: a definition lives where its gallery does. The spec names no tags:
 * an update sends back the tags Azure has (`actualTags`, added outside the operator), a create
 * only the operator's own.
 */
export function desiredImageBody(
  spec: ImageDefinitionSpec,
  location: string,
  actualTags?: Tags,
): GalleryImage {
  const body: GalleryImage = {
    location,
    tags: { ...tagsToPut(undefined, actualTags, []) },
    osType: spec.osType,
    osState: spec.osState,
    hyperVGeneration: spec.hyperVGeneration,
    architecture: spec.architecture,
    identifier: { ...spec.identifier },
  };
  if (spec.description !== undefined) body.description = spec.description;
  if (spec.eula !== undefined) body.eula = spec.eula;
  if (spec.privacyStatementUri !== undefined) body.privacyStatementUri = spec.privacyStatementUri;
  if (spec.releaseNoteUri !== undefined) body.releaseNoteUri = spec.releaseNoteUri;
  if (spec.endOfLifeDate !== undefined) body.endOfLifeDate = new Date(spec.endOfLifeDate);
  if (spec.recommended !== undefined) body.recommended = structuredClone(spec.recommended);
  if (spec.features?.length) body.features = spec.features.map((f) => ({ name: f.name, value: f.value }));
  return body;
}

/** What differs in the fields a PUT may change, as short phrases for events; empty when in sync. */
export function imageDifferences(spec: ImageDefinitionSpec, actual: GalleryImage): string[] {
  const diffs: string[] = [];
  const texts = ["description", "eula", "privacyStatementUri", "releaseNoteUri"] as const;
  for (const field of texts) if ((spec[field] ?? "") !== (actual[field] ?? "")) diffs.push(field);
  if (!sameInstant(spec.endOfLifeDate, actual.endOfLifeDate)) diffs.push("endOfLifeDate");
  if (!sameRecommended(spec.recommended, actual.recommended)) diffs.push("recommended");
  if (!sameFeatures(spec.features ?? [], actual.features ?? [])) diffs.push("features");
  return diffs;
}

/**
 * Fields Azure keeps for life that differ from the spec: the CRD keeps the spec from changing,
 * so a difference means the Azure resource was made by someone else (or recreated) differently.
 * ARM answers `PropertyChangeNotAllowed` to a PUT that tries, so the reconciler reports instead.
 * `architecture` is compared only when Azure states one (it fills in x64 itself).
 */
export function immutableImageDifferences(spec: ImageDefinitionSpec, actual: GalleryImage): string[] {
  const pairs: [string, string, string | undefined][] = [
    ["osType", spec.osType, actual.osType],
    ["osState", spec.osState, actual.osState],
    ["hyperVGeneration", spec.hyperVGeneration, actual.hyperVGeneration ?? "V1"],
    ["architecture", spec.architecture, actual.architecture ?? spec.architecture],
    ["identifier.publisher", spec.identifier.publisher, actual.identifier?.publisher],
    ["identifier.offer", spec.identifier.offer, actual.identifier?.offer],
    ["identifier.sku", spec.identifier.sku, actual.identifier?.sku],
  ];
  return pairs
    .filter(([, want, have]) => want.toLowerCase() !== (have ?? "").toLowerCase())
    .map(([field, want, have]) => `${field} is ${have ?? "unset"} in Azure, ${want} in the spec`);
}

// Feature order carries no meaning: Azure keeps a set of name → value.
function sameFeatures(
  spec: readonly ImageFeature[],
  actual: readonly { name?: string; value?: string }[],
): boolean {
  if (spec.length !== actual.length) return false;
  const have = new Map(actual.map((f) => [(f.name ?? "").toLowerCase(), f.value ?? ""]));
  return spec.every((f) => have.get(f.name.toLowerCase()) === f.value);
}

function sameRecommended(
  spec: RecommendedMachineConfiguration | undefined,
  actual: RecommendedMachineConfiguration | undefined,
): boolean {
  const ranges = ["vCPUs", "memory"] as const;
  return ranges.every((r) => spec?.[r]?.min === actual?.[r]?.min && spec?.[r]?.max === actual?.[r]?.max);
}
