// Writes the admission policies (admission.ts) where users and Helm find them, from the one source:
//   crds/admission/gallerypolicy.yaml                           kubectl apply -f crds/admission/
//   helm/azure-gallery-operator/templates/admission-policies.yaml  the chart, with its labels
// Run through `npm run crds` (tools/gen-crds.ts); test/policy fails when either is stale.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import { admissionObjects } from "./admission.js";

export const ADMISSION_FILE = join("crds", "admission", "gallerypolicy.yaml");
export const CHART_ADMISSION_FILE = join(
  "helm",
  "azure-gallery-operator",
  "templates",
  "admission-policies.yaml",
);

const GENERATED =
  "# Generated from src/policy by `npm run crds`. Edit the TypeScript there, not this file.\n";

function documents(labels: string): string {
  return admissionObjects()
    .map((obj) => stringify(obj, { lineWidth: 0, aliasDuplicateObjects: false }))
    .map((yaml) => yaml.replace(/^(metadata:\n {2}name: .*\n)/m, `$1${labels}`))
    .join("---\n");
}

/** The file for crds/admission/: plain YAML for `kubectl apply`, after the GalleryPolicy CRD. */
export function renderAdmission(): string {
  return `${GENERATED}# GalleryPolicy's apply-time checks: apply after the CRDs (crds/gallerypolicy.yaml).\n${documents("")}`;
}

/**
 * The chart's template: the same objects with the chart's labels, behind a value, since these
 * cluster-wide objects have fixed names and only one release per cluster may own them.
 */
export function renderChartAdmission(): string {
  const labels = '  labels:\n    {{- include "ago.labels" . | nindent 4 }}\n';
  return [
    GENERATED,
    "# GalleryPolicy's apply-time checks (docs/policy.md). Fixed names: one release per cluster ships them.\n",
    "{{- if .Values.admissionPolicies.enabled }}\n",
    documents(labels),
    "{{- end }}\n",
  ].join("");
}

/** Writes both files under the repository root `root`; returns their paths relative to it. */
export async function writeAdmission(root: string): Promise<string[]> {
  const files: [string, string][] = [
    [ADMISSION_FILE, renderAdmission()],
    [CHART_ADMISSION_FILE, renderChartAdmission()],
  ];
  for (const [path, content] of files) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return files.map(([path]) => path);
}
