// The operator's own version: package.json's, read once from the package this module belongs to
// (src/ in a checkout, dist/src/ in the image; both have the package's package.json above them).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_NAME = "azure-gallery-operator";
let cached: string | undefined;

/** Errors: throws when no package.json of this package is above this module. */
export function operatorVersion(): string {
  if (cached) return cached;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && pkg.version) {
        cached = pkg.version;
        return cached;
      }
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the package.json of ${PACKAGE_NAME}`);
  }
}

/** Orders `major.minor.patch` versions (a pre-release suffix is ignored): negative when a < b. */
export function compareReleases(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .split("-")[0]
      ?.split(".")
      .map((n) => Number.parseInt(n, 10) || 0) ?? [];
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
