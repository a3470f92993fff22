// The admission policies are generated from src/policy (like the CRDs from src/api): these fail
// when crds/admission/ or the chart's template was not regenerated (`npm run crds`), and check the
// chart ships the same objects plus its labels, and roles for people that leave policies out.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  ADMISSION_FILE,
  CHART_ADMISSION_FILE,
  renderAdmission,
  renderChartAdmission,
} from "../../src/policy/generate.js";
import { field, type K8sObject, render } from "../packaging/support.js";

const ROOT = join(import.meta.dirname, "..", "..");
const STALE = "is out of date: run `npm run crds`";

function parse(text: string): K8sObject[] {
  return parseAllDocuments(text).map((d) => d.toJS() as K8sObject);
}

describe("generated admission policies", () => {
  it.each([
    [ADMISSION_FILE, renderAdmission()],
    [CHART_ADMISSION_FILE, renderChartAdmission()],
  ])("%s matches src/policy", (path, content) => {
    expect(readFileSync(join(ROOT, path), "utf8"), `${path} ${STALE}`).toBe(content);
  });

  it("one policy and one binding for each kind with guardrails, each binding every GalleryPolicy", () => {
    const objects = parse(renderAdmission());
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
      ["galleries", "imageversions", "gallerysharings"].flatMap((plural) => [
        `ValidatingAdmissionPolicy/gallerypolicy-${plural}.gallery.azure.dev`,
        `ValidatingAdmissionPolicyBinding/gallerypolicy-${plural}.gallery.azure.dev`,
      ]),
    );
    for (const binding of objects.filter((o) => o.kind === "ValidatingAdmissionPolicyBinding")) {
      expect(field(binding, "spec", "paramRef")).toEqual({ selector: {}, parameterNotFoundAction: "Allow" });
      expect(field(binding, "spec", "validationActions")).toEqual(["Deny"]);
    }
  });
});

describe("the chart", () => {
  it("ships the same admission objects, with its labels", async () => {
    const r = await render();
    const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
    // Helm orders what it renders by kind; compare by kind and name.
    const shipped = new Map(
      r.objects.filter((o) => o.kind.startsWith("ValidatingAdmissionPolicy")).map((o) => [key(o), o]),
    );
    const plain = parse(renderAdmission());
    expect([...shipped.keys()].sort()).toEqual(plain.map(key).sort());
    for (const expected of plain) {
      const o = shipped.get(key(expected));
      expect(o?.metadata.labels?.["app.kubernetes.io/instance"]).toBe("ago");
      const { labels: _labels, ...metadata } = o?.metadata ?? { name: "" };
      expect({ ...o, metadata }).toEqual(expected);
    }
  });

  it("folds nothing into the built-in roles unless asked", async () => {
    const r = await render();
    for (const name of ["ago-azure-gallery-operator-editor", "ago-azure-gallery-operator-viewer"]) {
      const labels = Object.keys(r.one("ClusterRole", name).metadata.labels ?? {});
      expect(labels.filter((l) => l.startsWith("rbac.authorization.k8s.io/aggregate-to-"))).toEqual([]);
    }
  });

  it("aggregates the editor role into edit and admin, and the viewer role into view, when asked", async () => {
    const r = await render({ rbac: { aggregateToBuiltinRoles: true } });
    const editor = r.one("ClusterRole", "ago-azure-gallery-operator-editor");
    const viewer = r.one("ClusterRole", "ago-azure-gallery-operator-viewer");
    expect(editor.metadata.labels).toMatchObject({
      "rbac.authorization.k8s.io/aggregate-to-edit": "true",
      "rbac.authorization.k8s.io/aggregate-to-admin": "true",
    });
    expect(viewer.metadata.labels).toMatchObject({ "rbac.authorization.k8s.io/aggregate-to-view": "true" });
    expect(viewer.metadata.labels).not.toHaveProperty(["rbac.authorization.k8s.io/aggregate-to-edit"]);
    const rules = (role: K8sObject) => role.rules as { resources: string[]; verbs: string[] }[];
    expect(rules(editor)[0]?.verbs).toEqual(expect.arrayContaining(["create", "update", "patch", "delete"]));
    expect(rules(viewer).flatMap((rule) => rule.verbs)).toEqual(
      expect.not.arrayContaining(["create", "update", "patch", "delete"]),
    );
    for (const role of [editor, viewer]) {
      const resources = rules(role).flatMap((rule) => rule.resources);
      expect(resources).toContain("galleries");
      // Policies are admin-only; Secrets and status writes are nobody's business here.
      expect(resources.filter((res) => /gallerypolicies|secrets/.test(res))).toEqual([]);
      expect(rules(role).filter((rule) => rule.resources.some((res) => res.endsWith("/status")))).toEqual([
        expect.objectContaining({ verbs: ["get"] }),
      ]);
    }
  });

  it("renders no roles for people when RBAC is off", async () => {
    const r = await render({ rbac: { create: false } });
    expect(r.all("ClusterRole")).toEqual([]);
  });

  it("leaves the admission policies (fixed names) to another release when asked", async () => {
    const r = await render({ rbac: { rolesForPeople: false }, admissionPolicies: { enabled: false } });
    const names = r.objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names.filter((n) => /-(editor|viewer)$|ValidatingAdmissionPolicy/.test(n))).toEqual([]);
    expect(names).toContain("ClusterRole/ago-azure-gallery-operator");
  });

  it("names the roles for people after the release, so a second release installs its own", async () => {
    const second = await render({ admissionPolicies: { enabled: false } }, [], {
      release: "second",
      namespace: "elsewhere",
    });
    const names = second.all("ClusterRole").map((o) => o.metadata.name);
    expect(names).toContain("second-azure-gallery-operator-editor");
    expect(names).toContain("second-azure-gallery-operator-viewer");
  });
});
