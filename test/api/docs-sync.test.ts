// The CRD reference (docs/api.md, docs/policy.md for GalleryPolicy) is written by hand for
// people; this keeps it in step with the CRDs: every spec field a kind has is documented.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = join(import.meta.dirname, "..", "..");
const CRD_DIR = join(ROOT, "crds");

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
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

describe.each(crds.map((crd) => [crd.spec.names.kind, crd] as const))("the reference of %s", (kind, crd) => {
  const doc = readFileSync(join(ROOT, "docs", kind === "GalleryPolicy" ? "policy.md" : "api.md"), "utf8");
  const spec = crd.spec.versions[0]?.schema.openAPIV3Schema.properties.spec;
  const fields = Object.keys(spec?.properties ?? {});

  it("covers at least one field", () => {
    expect(fields.length).toBeGreaterThan(0);
  });

  it.each(fields)("documents spec.%s", (field) => {
    // The API reference names fields by path (`spec.location`); the policy page by field name.
    const mention =
      kind === "GalleryPolicy" ? new RegExp(`\\b${field}\\b`) : new RegExp(`\`spec\\.${field}\\b`);
    expect(doc).toMatch(mention);
  });
});
