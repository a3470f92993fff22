// CRD objects to YAML text, byte for byte the same on every run: the files are checked in, copied
// into the Helm chart, and compared by a test.
import { stringify } from "yaml";
import type { KindDefinition } from "./definition.js";
import { customResourceDefinition } from "./definition.js";

export const GENERATED_HEADER =
  "# Generated from src/api by `npm run crds`. Edit the TypeScript there, not this file.\n";

export interface CrdFile {
  /** File name inside crds/, e.g. `gallery.yaml`. */
  name: string;
  content: string;
}

export function renderCrd(def: KindDefinition): CrdFile {
  const yaml = stringify(customResourceDefinition(def), {
    // No folding of long descriptions and no anchors for repeated fragments: plain, diffable YAML.
    lineWidth: 0,
    aliasDuplicateObjects: false,
  });
  return { name: `${def.names.singular}.yaml`, content: GENERATED_HEADER + yaml };
}

export function renderCrds(defs: readonly KindDefinition[]): CrdFile[] {
  return defs.map(renderCrd);
}
