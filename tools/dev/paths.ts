// Where the package's own files (crds/, examples/) are, whether dev runs from the TypeScript sources
// (tools/dev/) or from the build (dist/tools/dev/).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The nearest folder above this module holding both package.json and crds/.
 * Errors: throws when there is none (a copy of the code without its package).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "crds"))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error("cannot find the package root (a folder with package.json and crds/)");
    dir = parent;
  }
}

/** The CRD manifests `kubectl apply` installs. */
export function crdDir(): string {
  return join(packageRoot(), "crds");
}
