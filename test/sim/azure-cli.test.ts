// The Azure CLI (from PyPI, in a venv the test makes) finds the simulator through
// `/metadata/endpoints`, logs in with its managed-identity endpoint and runs `az sig` commands,
// unchanged. The simulator's state judges the outcome. The first run installs the CLI (several
// minutes, cached under ~/.cache/azure-gallery-operator/); later runs reuse it.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Simulator } from "../../tools/sim/index.js";
import { pythonWith } from "../support/python.js";
import { startTestSimulator } from "../support/sim.js";
import { MANAGED_IMAGE, RG, SUBSCRIPTION, seedWorld, TENANT } from "./world.js";

const run = promisify(execFile);
const IDENTITY = {
  tenantId: TENANT,
  objectId: "6f4b3a1e-0000-4000-8000-0000000000e1",
  clientId: "6f4b3a1e-0000-4000-8000-0000000000e2",
};

let sim: Simulator;
let python: string;
let configDir: string;

beforeAll(async () => {
  // `python -m azure.cli` rather than the `az` script: the venv was built elsewhere and moved
  // into the cache, so its scripts' shebangs point at the old place.
  python = await pythonWith(["azure-cli==2.91.0"]);
  sim = await startTestSimulator({ managedIdentities: [IDENTITY] });
  seedWorld(sim);
  configDir = await mkdtemp(join(tmpdir(), "az-config-"));
}, 900_000);
afterAll(async () => {
  await sim?.close();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

function azCli(args: string[]) {
  return run(python, ["-m", "azure.cli", ...args, "--only-show-errors", "--output", "json"], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      AZURE_CONFIG_DIR: configDir,
      AZURE_CORE_COLLECT_TELEMETRY: "false",
      IDENTITY_ENDPOINT: sim.identityEndpoint,
      IDENTITY_HEADER: sim.identityHeader,
      REQUESTS_CA_BUNDLE: sim.caFile,
    },
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
}

it("registers the simulator as a cloud, logs in with the managed identity, creates a gallery and updates a version", async () => {
  await azCli([
    "cloud",
    "register",
    "--name",
    "GallerySim",
    "--endpoint-resource-manager",
    `${sim.endpoint}/`,
  ]);
  await azCli(["cloud", "set", "--name", "GallerySim"]);
  const login = JSON.parse((await azCli(["login", "--identity"])).stdout) as {
    id: string;
    tenantId: string;
  }[];
  expect(login.map((s) => s.id)).toContain(SUBSCRIPTION);
  expect(login.every((s) => s.tenantId === TENANT)).toBe(true);
  await azCli(["account", "set", "--subscription", SUBSCRIPTION]);
  const gallery = JSON.parse(
    (
      await azCli([
        "sig",
        "create",
        "--resource-group",
        RG,
        "--gallery-name",
        "az_gallery",
        "--location",
        "westus",
      ])
    ).stdout,
  ) as { provisioningState: string };
  expect(gallery.provisioningState).toBe("Succeeded");
  await azCli([
    "sig",
    "image-definition",
    "create",
    "--resource-group",
    RG,
    "--gallery-name",
    "az_gallery",
    "--gallery-image-definition",
    "def_az",
    "--publisher",
    "p",
    "--offer",
    "o",
    "--sku",
    "s",
    "--os-type",
    "Linux",
  ]);
  // The exact shape of the corrected update rule: GET, then a PUT whose storageProfile names no
  // source. `--no-wait` + `wait --interval 1`: ARM sends no Retry-After, so the CLI would poll
  // every 30 s.
  const version = [
    "--resource-group",
    RG,
    "--gallery-name",
    "az_gallery",
    "--gallery-image-definition",
    "def_az",
  ];
  version.push("--gallery-image-version", "1.0.0");
  await azCli(["sig", "image-version", "create", ...version, "--managed-image", MANAGED_IMAGE, "--no-wait"]);
  await azCli(["sig", "image-version", "wait", ...version, "--created", "--interval", "1"]);
  await azCli([
    "sig",
    "image-version",
    "update",
    ...version,
    "--add",
    "publishingProfile.targetRegions",
    "name=westus2",
    "--no-wait",
  ]);
  await azCli(["sig", "image-version", "wait", ...version, "--updated", "--interval", "1"]);
  const updated = JSON.parse((await azCli(["sig", "image-version", "show", ...version])).stdout) as {
    publishingProfile: { targetRegions: { name: string }[] };
    storageProfile: { source: { id: string } };
  };
  expect(updated.publishingProfile.targetRegions.map((r) => r.name)).toEqual(["West US", "West US 2"]);
  expect(updated.storageProfile.source.id).toBe(MANAGED_IMAGE);
  const versionPuts = sim
    .requests()
    .filter((r) => r.method === "PUT" && r.path.endsWith("/versions/1.0.0"))
    .map((r) => r.status);
  expect(versionPuts).toEqual([201, 200]);
  const listed = JSON.parse((await azCli(["sig", "list", "--resource-group", RG])).stdout) as {
    name: string;
  }[];
  expect(listed.map((g) => g.name)).toEqual(["az_gallery"]);

  const state = sim.state();
  expect(state.images.map((i) => `${i.gallery}/${i.name}`)).toEqual(["az_gallery/def_az"]);
  const writes = sim.requests().filter((r) => r.method === "PUT");
  expect(writes.length).toBeGreaterThanOrEqual(2);
  expect(writes.every((r) => r.identity?.objectId === IDENTITY.objectId)).toBe(true);
}, 600_000);
