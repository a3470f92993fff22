// Every folder in examples/ is applied as users would: server-side apply, dry run first, then for real.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type TestCluster, testCluster } from "../support/cluster.js";
import { expectAccepted, installCrds } from "./support/api-server.js";

const examplesDir = join(import.meta.dirname, "..", "..", "examples");
const folders = readdirSync(examplesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** The user scenarios (seeds) the examples must cover, by folder. */
const SCENARIOS = [
  "private-gallery",
  "direct-shared-gallery",
  "community-gallery",
  "rbac-reader-sharing",
  "cross-tenant-app-registration",
];

describe("examples/", () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await testCluster();
    await installCrds(cluster);
  });

  it("has a folder for every user scenario, each with a README", () => {
    expect(folders).toEqual(expect.arrayContaining(SCENARIOS));
    for (const folder of folders)
      expect(existsSync(join(examplesDir, folder, "README.md")), folder).toBe(true);
  });

  it.each(folders)("%s applies cleanly (dry run, then for real)", async (folder) => {
    const namespace = await cluster.newNamespace(`example-${folder}`);
    const apply = (extra: string[]) =>
      cluster.kubectl(["apply", "--server-side", "-n", namespace, "-f", join(examplesDir, folder), ...extra]);
    expectAccepted(await apply(["--dry-run=server"]));
    const applied = await apply([]);
    expectAccepted(applied);
    // And again: re-applying an unchanged example is a no-op, not a conflict or an immutability error.
    expectAccepted(await apply([]));
    const listed = await cluster.kubectl(["get", "azure-gallery", "-n", namespace, "-o", "name"]);
    expectAccepted(listed);
    expect(listed.stdout.trim().split("\n").length).toBe(applied.stdout.trim().split("\n").length);
  });

  it("replicates the private gallery's 1.0.0 to West Central US, South Central US and East US (seed 004)", async () => {
    const namespace = await cluster.newNamespace("example-seed-004");
    expectAccepted(
      await cluster.kubectl([
        "apply",
        "--server-side",
        "-n",
        namespace,
        "-f",
        join(examplesDir, "private-gallery"),
      ]),
    );
    const version = await cluster.kubectl(["get", "imageversions", "-n", namespace, "-o", "json"]);
    const [item] = JSON.parse(version.stdout).items as {
      spec: { version: string; targetRegions: { name: string; storageAccountType: string }[] };
    }[];
    expect(item?.spec.version).toBe("1.0.0");
    expect(item?.spec.targetRegions.map((r) => r.name)).toEqual([
      "westcentralus",
      "southcentralus",
      "eastus",
    ]);
    // Defaulted by the API server, so the operator compares with Azure's answer field by field.
    expect(item?.spec.targetRegions.every((r) => r.storageAccountType === "Standard_LRS")).toBe(true);
  });
});
