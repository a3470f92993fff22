// `npm run dev` as a user (or CI) runs it: a process of its own that starts a control
// plane, the simulator and the operator, applies examples and reports. Checked: every example becomes
// Ready, a timeout ends with a summary of what is not, Ctrl-C stops everything, and no process of a
// run outlives it.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { type OperatorProcess, spawnDevTool } from "../support/operator.js";

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples");
const OUR_KINDS = new Set(["Gallery", "ImageDefinition", "ImageVersion", "GallerySharing"]);
const temps: string[] = [];

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** `namespace/Kind/name` of every object of our kinds in an examples folder (namespace = sub-folder). */
function objectsIn(examplesDir: string): string[] {
  const keys: string[] = [];
  for (const folder of readdirSync(examplesDir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    for (const file of readdirSync(join(examplesDir, folder.name)).filter((f) => f.endsWith(".yaml"))) {
      for (const doc of parseAllDocuments(readFileSync(join(examplesDir, folder.name, file), "utf8"))) {
        const m = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
        if (m?.kind && OUR_KINDS.has(m.kind)) keys.push(`${folder.name}/${m.kind}/${m.metadata?.name}`);
      }
    }
  }
  return keys.sort();
}

function startDev(examplesDir: string, stateDir: string, flags: string[]): OperatorProcess {
  return spawnDevTool(["dev", "--examples", examplesDir, "--state-dir", stateDir, ...flags]);
}

/** Pids dev printed for its control plane ("etcd pid 123, kube-apiserver pid 456, ..."). */
function controlPlanePids(output: string): number[] {
  const line = output.split("\n").find((l) => l.startsWith("dev: control plane at")) ?? "";
  return [...line.matchAll(/ pid (\d+)/g)].map((m) => Number(m[1]));
}

/** Live processes whose command line mentions `text` (the state dir: etcd's data, the apiserver's certs). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch {
      continue; // gone meanwhile
    }
    if (cmdline.includes(text)) found.push(`${pid}: ${cmdline.slice(0, 200)}`);
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** After dev exited: none of its control-plane pids and nothing using its state dir is left. */
function expectNothingLeft(output: string, stateDir: string): void {
  const pids = controlPlanePids(output);
  expect(pids.length, "dev printed its control-plane pids").toBeGreaterThanOrEqual(2);
  expect(pids.filter(alive), "control-plane processes still alive").toEqual([]);
  expect(processesMentioning(stateDir)).toEqual([]);
}

function summaryOf(output: string): string[] {
  const lines = output.split("\n");
  const start = lines.findIndex((l) => l.startsWith("summary: "));
  expect(start, `no summary in:\n${output.slice(-3000)}`).toBeGreaterThanOrEqual(0);
  return lines.slice(start).filter((l) => l.startsWith("summary: ") || l.startsWith("  "));
}

describe("azure-gallery-operator dev", () => {
  it("brings every example to Ready, exits 0 with a summary and leaves no process behind", async () => {
    const examples = join(tempDir("ago-dev-examples-"), "examples");
    cpSync(EXAMPLES, examples, { recursive: true });
    // And seed 003's other half: a version made from a managed image in another tenant's
    // subscription, which only works when dev gives the operator an auxiliary token for that tenant.
    const crossTenant = join(examples, "cross-tenant-source");
    cpSync(join(EXAMPLES, "private-gallery"), crossTenant, { recursive: true });
    const versionFile = join(crossTenant, "image-version.yaml");
    writeFileSync(
      versionFile,
      readFileSync(versionFile, "utf8").replace(
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myGalleryRG/",
        "/subscriptions/99999999-9999-9999-9999-999999999999/resourceGroups/tenant2Images/",
      ),
    );
    const expected = objectsIn(examples);
    expect(expected).toContain("cross-tenant-source/ImageVersion/my-image-definition-1.0.0");
    const stateDir = tempDir("ago-dev-state-");

    const dev = startDev(examples, stateDir, [
      "--exit-when-ready",
      "--timeout",
      "4m",
      "--time-scale",
      "0.02",
    ]);
    const { code } = await dev.exited;
    const output = dev.output();
    expect(code, output.slice(-4000)).toBe(0);

    expect(output).toContain(`export KUBECONFIG=${join(stateDir, "cluster", "kubeconfig")}`);
    expect(output).toMatch(/operator running in this process \(.*auxiliary tenants [0-9a-f-]{36}/);
    const summary = summaryOf(output);
    expect(summary[0]).toMatch(
      new RegExp(`^summary: ${expected.length} of ${expected.length} objects Ready after`),
    );
    expect(summary.slice(1).sort()).toEqual(expected.map((key) => `  Ready      ${key}`).sort());
    // Progress as a CI log shows it: replication steps and share operations, one line per change.
    expect(output).toMatch(/ImageVersion\/my-image-definition-1\.0\.0 replication Completed 100%/);
    expect(output).toMatch(/share direct-shared-gallery\/direct-shared-gallery: Add subscriptions/);
    expectNothingLeft(output, stateDir);
  }, 300_000);

  it("exits 1 after --timeout with a summary naming what is not Ready and why", async () => {
    const examples = tempDir("ago-dev-timeout-");
    mkdirSync(join(examples, "private-gallery"));
    cpSync(
      join(EXAMPLES, "private-gallery", "gallery.yaml"),
      join(examples, "private-gallery", "gallery.yaml"),
    );
    // A region the simulated Azure does not know: its resource group cannot be created, so the
    // gallery can never be made.
    mkdirSync(join(examples, "nowhere"));
    writeFileSync(
      join(examples, "nowhere", "gallery.yaml"),
      [
        "apiVersion: gallery.azure.dev/v1alpha1",
        "kind: Gallery",
        "metadata:",
        "  name: nowhere-gallery",
        "spec:",
        "  azureName: nowhereGallery",
        "  subscriptionId: 00000000-0000-0000-0000-000000000000",
        "  resourceGroup: nowhereRG",
        "  location: marsnorth",
        "",
      ].join("\n"),
    );
    const stateDir = tempDir("ago-dev-state-");

    const dev = startDev(examples, stateDir, [
      "--exit-when-ready",
      "--timeout",
      "25s",
      "--time-scale",
      "0.02",
    ]);
    const { code } = await dev.exited;
    const output = dev.output();
    expect(code, output.slice(-4000)).toBe(1);
    expect(output).toContain("warning: cannot create resource group nowhereRG (marsnorth)");
    const summary = summaryOf(output);
    expect(summary[0]).toMatch(/^summary: 1 of 2 objects Ready when the 0:25 timeout passed/);
    expect(summary).toContain("  Ready      private-gallery/Gallery/my-gallery");
    // Why: Azure's answer, naming the resource group that is missing.
    expect(summary.find((l) => l.includes("nowhere/Gallery/nowhere-gallery"))).toMatch(
      /^ {2}NOT READY {2}nowhere\/Gallery\/nowhere-gallery {2}Ready=False \(\w+\): .*nowhereRG/,
    );
    expectNothingLeft(output, stateDir);
  }, 180_000);

  it("stops everything it started on Ctrl-C (SIGINT) and exits 0", async () => {
    const examples = tempDir("ago-dev-sigint-");
    cpSync(join(EXAMPLES, "private-gallery"), join(examples, "private-gallery"), { recursive: true });
    const stateDir = tempDir("ago-dev-state-");

    const dev = startDev(examples, stateDir, ["--time-scale", "0.02"]);
    await dev.waitForLine((l) => /applied private-gallery/.test(l.msg ?? ""), 120_000);
    expect(controlPlanePids(dev.output()).filter(alive).length).toBeGreaterThanOrEqual(2);
    dev.child.kill("SIGINT");
    const { code } = await dev.exited;
    const output = dev.output();
    expect(code, output.slice(-4000)).toBe(0);
    expect(summaryOf(output)[0]).toMatch(/stopped by SIGINT/);
    expect(output).toContain("dev: stopped;");
    expectNothingLeft(output, stateDir);
  }, 180_000);
});
