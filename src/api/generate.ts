// Writes crds/ from the definitions in src/api. Run through `npm run crds` (tools/gen-crds.ts).
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderCrds } from "./crd/render.js";
import { KIND_DEFINITIONS } from "./kinds.js";

/**
 * Regenerates every CRD file in `dir`.
 *
 * Guarantees: afterwards `dir` holds exactly one YAML file per kind (stale YAML files, e.g. of a
 * renamed kind, are removed) and their bytes are what `renderCrds` returns.
 *
 * Returns the names of the files written.
 */
export async function writeCrds(dir: string): Promise<string[]> {
  const files = renderCrds(KIND_DEFINITIONS);
  await mkdir(dir, { recursive: true });
  const wanted = new Set(files.map((f) => f.name));
  for (const existing of await readdir(dir)) {
    if (existing.endsWith(".yaml") && !wanted.has(existing)) await rm(join(dir, existing));
  }
  for (const file of files) await writeFile(join(dir, file.name), file.content);
  return files.map((f) => f.name);
}
