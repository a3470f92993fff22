// A second real client: the Azure SDK for Python from PyPI (azure-mgmt-compute, azure-identity,
// azure-mgmt-authorization), in a venv the test makes, runs a gallery workflow against the
// simulator with a managed-identity credential. The simulator's own state and request log judge
// the outcome.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Simulator } from "../../tools/sim/index.js";
import { pythonWith } from "../support/python.js";
import { startTestSimulator } from "../support/sim.js";
import { MANAGED_IMAGE, RG, SUBSCRIPTION, seedWorld, TENANT } from "./world.js";

const run = promisify(execFile);
const PACKAGES = ["azure-mgmt-compute==39.0.0", "azure-mgmt-authorization==4.0.0", "azure-identity==1.27.0"];
const SCRIPT = fileURLToPath(new URL("./python/gallery_workflow.py", import.meta.url));
const IDENTITY = {
  tenantId: TENANT,
  objectId: "6f4b3a1e-0000-4000-8000-0000000000d1",
  clientId: "6f4b3a1e-0000-4000-8000-0000000000d2",
};
const PRINCIPAL = "6f4b3a1e-0000-4000-8000-0000000000d3";

let sim: Simulator;
let python: string;

beforeAll(async () => {
  python = await pythonWith(PACKAGES);
  sim = await startTestSimulator({ managedIdentities: [IDENTITY] });
  seedWorld(sim);
  sim.seed({ tenants: [{ id: TENANT, principals: [PRINCIPAL] }] });
}, 300_000);
afterAll(() => sim?.close());

it("runs a gallery workflow through the Python SDK with a managed identity", async () => {
  const { stdout } = await run(python, [SCRIPT], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      IDENTITY_ENDPOINT: sim.identityEndpoint,
      IDENTITY_HEADER: sim.identityHeader,
      REQUESTS_CA_BUNDLE: sim.caFile,
      SIM_ENDPOINT: sim.endpoint,
      SIM_SUBSCRIPTION: SUBSCRIPTION,
      SIM_RESOURCE_GROUP: RG,
      SIM_SOURCE_ID: MANAGED_IMAGE,
      SIM_PRINCIPAL_ID: PRINCIPAL,
    },
    timeout: 120_000,
  });
  const out = JSON.parse(stdout) as Record<string, unknown>;
  expect(out).toMatchObject({
    gallery: { state: "Succeeded", unique_name: `${SUBSCRIPTION}-PY_GALLERY` },
    image: { name: "img_py", architecture: "x64" },
    version: { state: "Succeeded", regions: ["West US"] },
    patched: { regions: ["West US", "East US"], source: MANAGED_IMAGE },
    shared_with: [[SUBSCRIPTION]],
    galleries: ["py_gallery"],
    versions: ["1.0.0"],
    role_assignment: { principal: PRINCIPAL },
    unknown_principal: "PrincipalNotFound",
  });

  // From outside: what the simulator holds and who called it.
  const state = sim.state();
  const version = state.versions.find((v) => v.name === "1.0.0");
  expect(version?.publishing.targetRegions.map((r) => r.name)).toEqual(["westus", "eastus"]);
  expect(state.galleries.find((g) => g.name === "py_gallery")?.sharing?.groups).toEqual([
    { type: "Subscriptions", ids: [SUBSCRIPTION] },
  ]);
  expect(state.roleAssignments.map((a) => a.principalId)).toEqual([PRINCIPAL]);
  const calls = sim.requests().filter((r) => r.subscriptionId === SUBSCRIPTION);
  expect(calls.length).toBeGreaterThan(10);
  expect(
    calls.every((r) => r.identity?.objectId === IDENTITY.objectId && r.identity.appId === IDENTITY.clientId),
  ).toBe(true);
  expect(calls.some((r) => r.method === "PATCH" && r.status === 200)).toBe(true);
}, 180_000);
