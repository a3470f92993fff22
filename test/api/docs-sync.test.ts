// The CRD reference (docs/api.md, docs/policy.md for GalleryPolicy) is written by hand for
// people; this keeps it in step with the CRDs: every spec field a kind has, nested ones included, is
// documented in that kind's own section (a mention under another kind does not count).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = join(import.meta.dirname, "..", "..");
const CRD_DIR = join(ROOT, "crds");

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

interface Crd {
  spec: {
    names: { kind: string };
    versions: { schema: { openAPIV3Schema: { properties: { spec: SchemaNode } } } }[];
  };
}

const crds = readdirSync(CRD_DIR)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => parse(readFileSync(join(CRD_DIR, f), "utf8")) as Crd);

/** Every field below `node` as a dotted path (`sharing.community.eula`); list items are not a level. */
function fieldPaths(node: SchemaNode | undefined, prefix = ""): string[] {
  const element = node?.items ?? node;
  return Object.entries(element?.properties ?? {}).flatMap(([name, child]) => [
    `${prefix}${name}`,
    ...fieldPaths(child, `${prefix}${name}.`),
  ]);
}

/** The part of a reference page from `## <kind>` to the next `## ` heading (the whole page if none). */
function sectionOf(page: string, kind: string): string {
  const start = page.search(new RegExp(`^## ${kind}\\s*$`, "m"));
  if (start < 0) return page;
  const rest = page.slice(start + 3);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

describe.each(crds.map((crd) => [crd.spec.names.kind, crd] as const))("the reference of %s", (kind, crd) => {
  const page = readFileSync(join(ROOT, "docs", kind === "GalleryPolicy" ? "policy.md" : "api.md"), "utf8");
  const doc = sectionOf(page, kind);
  const spec = crd.spec.versions[0]?.schema.openAPIV3Schema.properties.spec;
  const fields = fieldPaths(spec);

  it("covers at least one field", () => {
    expect(fields.length).toBeGreaterThan(0);
  });

  it.each(fields)("documents spec.%s", (path) => {
    // A top-level field is named by its path (`spec.location`); a nested one by its path or, in the
    // notes of its parent's row, by its own name (`publisherUri`). The policy page names fields.
    const leaf = path.split(".").at(-1) ?? path;
    const mention =
      kind === "GalleryPolicy" || path.includes(".")
        ? new RegExp(`\\b${leaf}\\b`)
        : new RegExp(`\`spec\\.${path}\\b`);
    expect(doc).toMatch(mention);
  });
});
