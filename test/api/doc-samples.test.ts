// The `kubectl get <kind>` samples in README.md and docs/ show the columns kubectl really prints:
// the printer columns of priority 0 (`-o wide` adds the others), in the CRD's order.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KIND_DEFINITIONS } from "../../src/api/index.js";

const ROOT = join(import.meta.dirname, "..", "..");
const pages = ["README.md", ...readdirSync(join(ROOT, "docs")).map((f) => join("docs", f))].filter((f) =>
  f.endsWith(".md"),
);

/** Every `$ kubectl get <resource>` (no output flags) followed by its header line, per page. */
function samples(): [string, string, string][] {
  const found: [string, string, string][] = [];
  for (const page of pages) {
    const lines = readFileSync(join(ROOT, page), "utf8").split("\n");
    lines.forEach((line, i) => {
      const match = /^\$ kubectl get (\S+)\s*$/.exec(line);
      const header = lines[i + 1] ?? "";
      if (match?.[1] && header.startsWith("NAME")) found.push([page, match[1], header]);
    });
  }
  return found;
}

describe("kubectl get samples in the docs", () => {
  const all = samples();

  it("finds the samples", () => {
    expect(all.map(([, resource]) => resource)).toEqual(
      expect.arrayContaining(["galleries", "imageversions", "gallerypolicies"]),
    );
  });

  it.each(all)("%s: kubectl get %s shows the default columns", (_page, resource, header) => {
    const def = KIND_DEFINITIONS.find((d) => d.names.plural === resource);
    expect(def, `no kind named ${resource}`).toBeDefined();
    const expected = [
      "NAME",
      ...(def?.printerColumns ?? []).filter((c) => !c.priority).map((c) => c.name.toUpperCase()),
    ];
    expect(header.split(/\s{2,}/).map((c) => c.trim())).toEqual(expected);
  });
});
