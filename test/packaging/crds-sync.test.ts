// The chart ships the CRDs as byte copies of crds/ (Helm installs a chart's crds/ untemplated).
// A stale copy would install an old schema with the new operator: tools/sync-chart-crds.sh fixes it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHART, REPO, run } from "./support.js";

const TOP = join(REPO, "crds");
const COPY = join(CHART, "crds");

function yamlFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .sort();
  } catch {
    return [];
  }
}

describe("chart crds/", () => {
  it("holds the same files as crds/, byte for byte", () => {
    expect(yamlFiles(COPY)).toEqual(yamlFiles(TOP));
    for (const name of yamlFiles(TOP)) {
      expect(readFileSync(join(COPY, name)).equals(readFileSync(join(TOP, name))), `${name} differs`).toBe(
        true,
      );
    }
  });

  it("tools/sync-chart-crds.sh --check agrees", async () => {
    const result = await run("bash", [join(REPO, "tools", "sync-chart-crds.sh"), "--check"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("the chart's templates read nothing from crds/ (Helm installs them as they are)", async () => {
    const templates = join(CHART, "templates");
    for (const name of readdirSync(templates)) {
      expect(readFileSync(join(templates, name), "utf8"), name).not.toMatch(/\.Files\.(Get|Glob)|crds\//);
    }
  });
});
