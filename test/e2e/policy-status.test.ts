// GalleryPolicy status on the real API server, written by the operator as a process: which
// namespaces a policy covers and which objects break it, kept current as objects and the policy
// change; and `kubectl get` shows both, with GalleryPolicy in the admins' category only.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { GalleryPolicy } from "../../src/api/index.js";
import { isNotFound } from "../../src/kube/index.js";
import {
  applyPolicy,
  deletePolicies,
  labelNamespace,
  removeAdmission,
  uniqueLabel,
} from "../policy/cluster.js";
import { galleryManifest, type OperatorProcess, startOperatorProcess } from "../support/operator.js";
import { waitFor } from "../support/wait.js";
import { startWorld, type World, waitForCondition } from "../support/world.js";

const label = uniqueLabel();
const policy = `${label}-rg`;
let world: World;
let operator: OperatorProcess;

async function policyObject(): Promise<GalleryPolicy> {
  const got = await world.cluster.kubectl(["get", "gallerypolicy", policy, "-o", "json"]);
  if (got.code !== 0) throw new Error(got.stderr);
  return JSON.parse(got.stdout) as GalleryPolicy;
}

beforeAll(async () => {
  world = await startWorld("policy-status");
  await removeAdmission(world.cluster); // judged by the operator, so the object exists to be listed
  await labelNamespace(world.cluster, world.namespace, { [label]: "covered" });
  operator = startOperatorProcess({
    kubeconfigPath: world.cluster.kubeconfigPath,
    sim: world.sim,
    tenantId: world.tenantId,
    args: ["--namespaces", world.namespace, "--leader-elect", "false"],
  });
});

afterAll(async () => {
  await operator?.stop();
  if (world) await deletePolicies(world.cluster, [policy]);
  await world?.close();
});

// Each test starts from the same state, whatever ran before it: the policy allows only another
// resource group, and the gallery "wrongrg" (in the world's) breaks it.
beforeEach(async () => {
  await applyPolicy(world.cluster, policy, {
    namespaceSelector: { matchLabels: { [label]: "covered" } },
    galleries: { allowedResourceGroups: ["rg-platform-only"] },
  });
  const existing = await world.galleries
    .get({ namespace: world.namespace, name: "wrongrg" })
    .catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  if (!existing) await world.galleries.create(galleryManifest(world, "wrongrg"));
  await waitForCondition(world.galleries, world.namespace, "wrongrg", {
    status: "False",
    reason: "PolicyViolation",
  });
}, 90_000);

describe("GalleryPolicy status", () => {
  it("names the namespaces it covers and the objects that break it", { timeout: 90_000 }, async () => {
    const written = await waitFor("the policy's status to list the gallery", async () => {
      const p = await policyObject();
      return p.status?.violationCount === 1 ? p : undefined;
    });
    expect(written.status).toEqual({
      observedGeneration: written.metadata.generation,
      coveredNamespaces: [world.namespace],
      coveredNamespaceCount: 1,
      violations: [
        {
          namespace: world.namespace,
          kind: "Gallery",
          name: "wrongrg",
          rule: "galleries.allowedResourceGroups",
          message: expect.stringContaining(`resource group not allowed: ${world.resourceGroup}`),
        },
      ],
      violationCount: 1,
    });
    const table = await world.cluster.kubectl(["get", "gallerypolicy", policy]);
    expect(table.stdout).toMatch(/NAMESPACES\s+VIOLATIONS/);
    expect(table.stdout).toMatch(new RegExp(`${policy}\\s+Audit\\s+(<none>\\s+)*1\\s+1\\s`));
  });

  it("clears the violation once the policy allows the object, for the new generation", {
    timeout: 90_000,
  }, async () => {
    await applyPolicy(world.cluster, policy, {
      namespaceSelector: { matchLabels: { [label]: "covered" } },
      galleries: { allowedResourceGroups: ["rg-platform-only", world.resourceGroup] },
    });
    await waitForCondition(world.galleries, world.namespace, "wrongrg", { status: "True" });
    const cleared = await waitFor("the policy's status to list no violation", async () => {
      const p = await policyObject();
      return p.status?.violationCount === 0 && p.status.observedGeneration === p.metadata.generation
        ? p
        : undefined;
    });
    expect(cleared.status?.violations).toEqual([]);
    expect(cleared.status?.coveredNamespaces).toEqual([world.namespace]);
  });

  it("is in the admins' category, not the app teams'", async () => {
    const admin = await world.cluster.kubectl(["get", "azure-gallery-admin", "-A", "-o", "name"]);
    expect(admin.stdout).toContain(`gallerypolicy.gallery.azure.dev/${policy}`);
    expect(admin.stdout).toContain("gallery.gallery.azure.dev/wrongrg");
    const team = await world.cluster.kubectl(["get", "azure-gallery", "-n", world.namespace, "-o", "name"]);
    expect(team.stdout).not.toContain("gallerypolicy");
  });
});
