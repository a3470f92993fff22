// The CRDs are generated from src/api: these tests fail when crds/ (or the Helm chart's copy) was
// not regenerated after a change, and hold the generated schemas to the rules that make
// `kubectl explain` and validation work.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  ADMIN_CATEGORY,
  CATEGORY,
  CLUSTER_KINDS,
  customResourceDefinition,
  GROUP,
  KIND_DEFINITIONS,
  KINDS,
  renderCrds,
  VERSION,
} from "../../src/api/index.js";
import type { JsonSchema } from "../../src/api/schema/json-schema.js";
import { schemaNodes } from "./support/schema-walk.js";

const root = join(import.meta.dirname, "..", "..");
const crdDir = join(root, "crds");
const chartDir = join(root, "helm", "azure-gallery-operator");
const STALE = "is out of date: run `npm run crds`";

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".yaml"))
    .sort();
}

describe("crds/", () => {
  const rendered = renderCrds(KIND_DEFINITIONS);

  it("renders the same bytes every time", () => {
    expect(renderCrds(KIND_DEFINITIONS)).toEqual(rendered);
  });

  it("has one file per kind and nothing else", () => {
    expect(yamlFiles(crdDir)).toEqual(rendered.map((f) => f.name).sort());
  });

  it.each(rendered.map((f) => [f.name, f.content]))(
    "%s matches the TypeScript definitions",
    (name, content) => {
      expect(readFileSync(join(crdDir, name), "utf8"), `crds/${name} ${STALE}`).toBe(content);
    },
  );

  it("are the same bytes as the Helm chart's crds/", () => {
    const chartCrds = join(chartDir, "crds");
    expect(yamlFiles(chartCrds), `the chart's crds/ ${STALE}`).toEqual(yamlFiles(crdDir));
    for (const name of yamlFiles(crdDir)) {
      const chartCopy = readFileSync(join(chartCrds, name));
      expect(chartCopy.equals(readFileSync(join(crdDir, name))), `helm chart crds/${name} ${STALE}`).toBe(
        true,
      );
    }
  });

  it.each(rendered.map((f) => [f.name, f.content]))(
    "%s is one CustomResourceDefinition document",
    (_, content) => {
      const docs = parseAllDocuments(content);
      expect(docs).toHaveLength(1);
      expect(docs[0]?.errors).toEqual([]);
      expect(docs[0]?.toJS()).toMatchObject({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
      });
    },
  );
});

describe.each(KIND_DEFINITIONS.map((def) => [def.names.kind, def] as const))("the %s CRD", (kind, def) => {
  const crd = customResourceDefinition(def) as {
    metadata: { name: string };
    spec: {
      group: string;
      scope: string;
      names: { kind: string; plural: string; shortNames: string[]; categories: string[] };
      versions: {
        name: string;
        subresources: unknown;
        additionalPrinterColumns: { name: string }[];
        schema: { openAPIV3Schema: JsonSchema };
      }[];
    };
  };
  const version = crd.spec.versions[0]!;
  const schema = version.schema.openAPIV3Schema;
  // metadata's schema belongs to the API server, which rejects anything but its type.
  const nodes = schemaNodes(schema).filter((n) => n.path !== "metadata");

  // Cluster-scoped kinds (GalleryPolicy) are admin-only: only in the admins' category (app teams
  // may not list them, and one forbidden kind fails a whole category listing).
  const namespaced = (def.scope ?? "Namespaced") === "Namespaced";

  it("is in our group and version, with the status subresource and its categories", () => {
    expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.${GROUP}`);
    expect(crd.spec).toMatchObject({ group: GROUP, scope: def.scope ?? "Namespaced" });
    expect(crd.spec.names).toMatchObject({
      kind,
      categories: namespaced ? [CATEGORY, ADMIN_CATEGORY] : [ADMIN_CATEGORY],
    });
    expect(crd.spec.names.shortNames.length).toBeGreaterThan(0);
    expect(crd.spec.versions).toHaveLength(1);
    expect(version).toMatchObject({ name: VERSION, ...(def.status ? { subresources: { status: {} } } : {}) });
    expect({ ...KINDS, ...CLUSTER_KINDS }[kind as keyof typeof KINDS]).toBe(def.names);
  });

  it("describes every field, for kubectl explain", () => {
    const undescribed = nodes.filter((n) => !n.schema.description?.trim()).map((n) => n.path || "(root)");
    expect(undescribed).toEqual([]);
  });

  it("gives every list a list type, and map keys that are always present", () => {
    for (const { path, schema: node } of nodes.filter((n) => n.schema.type === "array")) {
      expect(node["x-kubernetes-list-type"], `${path} has no x-kubernetes-list-type`).toBeDefined();
      expect(node.maxItems, `${path} has no maxItems (CEL cost and etcd size need a bound)`).toBeDefined();
      for (const key of node["x-kubernetes-list-map-keys"] ?? []) {
        const item = node.items!;
        const present = item.required?.includes(key) || item.properties?.[key]?.default !== undefined;
        expect(present, `${path}: map key ${key} must be required or defaulted`).toBe(true);
      }
    }
  });

  it("bounds every free-form string", () => {
    const unbounded = nodes
      .filter((n) => n.schema.type === "string" && !n.schema.enum && n.schema.maxLength === undefined)
      .map((n) => n.path);
    // apiVersion and kind are the API server's own fields.
    expect(unbounded).toEqual(["apiVersion", "kind"]);
  });

  it("gives every CEL rule a message", () => {
    for (const { path, schema: node } of nodes) {
      for (const rule of node["x-kubernetes-validations"] ?? []) {
        expect(rule.message, `${path}: ${rule.rule}`).toMatch(/\w/);
      }
    }
  });

  // A kind the operator reconciles shows its Ready condition at a glance; GalleryPolicy has no
  // conditions (its status counts namespaces and violations, which it shows instead).
  it(`shows ${namespaced ? "Ready, Reason and Age" : "its reach and Age"} in kubectl get`, () => {
    const columns = version.additionalPrinterColumns.map((c) => c.name);
    if (namespaced) expect(columns.slice(0, 2)).toEqual(["Ready", "Reason"]);
    else expect(columns).toEqual(expect.arrayContaining(["Namespaces", "Violations"]));
    expect(columns).toContain("Age");
  });
});

describe("kind-specific printer columns", () => {
  const columnsOf = (kind: string) =>
    KIND_DEFINITIONS.find((d) => d.names.kind === kind)!.printerColumns.map((c) => c.name);

  it("shows where a gallery is and what it is called in Azure", () => {
    expect(columnsOf("Gallery")).toEqual(expect.arrayContaining(["Azure Name", "Location"]));
  });

  it("shows replication progress of versions", () => {
    expect(columnsOf("ImageVersion")).toEqual(expect.arrayContaining(["Version", "Progress"]));
  });

  it("shows how many a gallery is shared with", () => {
    expect(columnsOf("GallerySharing")).toEqual(
      expect.arrayContaining(["Subscriptions", "Tenants", "Roles"]),
    );
  });
});
