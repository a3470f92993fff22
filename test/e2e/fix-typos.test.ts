// A typo in where a gallery lives (location, resource group) can be fixed while nothing exists in
// Azure, and is immutable once something does (docs/api.md, "Fixing a typo"). Judged from the
// simulator's state and request log with the operator as a real process on a real API server.
import { describe, expect, it } from "vitest";
import { galleryManifest, galleryRequests } from "../support/operator.js";
import { operatorWorldPerFile } from "../support/operator-world.js";
import { waitFor } from "../support/wait.js";
import { conditionOf, type World, waitForCondition } from "../support/world.js";

let world: World;

operatorWorldPerFile("e2e-typos", {}, (w) => {
  world = w;
});

const ref = (name: string) => ({ namespace: world.namespace, name });

describe("fixing a typo in where a gallery lives", () => {
  it("a location Azure refuses can be corrected; once created it is immutable", {
    timeout: 60_000,
  }, async () => {
    await world.galleries.create(galleryManifest(world, "typo.location", { location: "wetsus" }));
    const refused = await waitForCondition(world.galleries, world.namespace, "typo.location", {
      status: "False",
      reason: "LocationNotAvailableForResourceType",
    });
    // Azure refused the create: nothing exists, so nothing is recorded that would freeze the spec.
    expect(refused.status?.id).toBeUndefined();
    expect(conditionOf(refused, "Stalled")?.status).toBe("True");

    await world.galleries.mergePatch(ref("typo.location"), { spec: { location: "westus" } });
    const ready = await waitForCondition(world.galleries, world.namespace, "typo.location", {
      status: "True",
    });
    expect(ready.status?.id).toMatch(/\/galleries\/typo\.location$/i);
    const inAzure = world.sim.state().galleries?.filter((g) => g.name === "typo.location") ?? [];
    expect(inAzure.map((g) => g.location)).toEqual(["westus"]);
    // One create that Azure refused, one that it accepted.
    expect(
      galleryRequests(world, "typo.location", { writes: true }).map((r) => `${r.method} ${r.status}`),
    ).toEqual(["PUT 400", "PUT 201"]);

    const moved = await world.cluster.kubectl([
      "patch",
      "gallery",
      "typo.location",
      "-n",
      world.namespace,
      "--type=merge",
      "-p",
      JSON.stringify({ spec: { location: "eastus" } }),
    ]);
    expect(moved.code).not.toBe(0);
    expect(moved.stderr).toMatch(
      /spec\.location: Invalid value: .*location is immutable: Azure cannot move a gallery to another region; create a new Gallery instead/,
    );
  });

  it("a resource group that does not exist can be corrected", { timeout: 60_000 }, async () => {
    await world.galleries.create(galleryManifest(world, "typo.rg", { resourceGroup: "rg-imagse" }));
    await waitForCondition(world.galleries, world.namespace, "typo.rg", {
      status: "False",
      reason: "ResourceGroupNotFound",
    });
    await world.galleries.mergePatch(ref("typo.rg"), { spec: { resourceGroup: world.resourceGroup } });
    await waitForCondition(world.galleries, world.namespace, "typo.rg", { status: "True" });
    expect(world.sim.state().galleries?.filter((g) => g.name === "typo.rg").length).toBe(1);
  });

  it("saves the create in status before sending it, so the spec is frozen while it may exist", {
    timeout: 60_000,
  }, async () => {
    // A PUT seen before a read means that read must show the write saved (or the resource's id).
    const seen: { frozen: boolean; puts: number }[] = [];
    const watching = waitFor(
      "the create",
      async () => {
        const puts = galleryRequests(world, "typo.order", { writes: true }).length;
        const g = await world.galleries.get(ref("typo.order")).catch(() => undefined);
        seen.push({ frozen: Boolean(g?.status?.operation ?? g?.status?.id), puts });
        return conditionOf(g)?.status === "True" ? g : undefined;
      },
      { intervalMs: 5 },
    );
    await world.galleries.create(galleryManifest(world, "typo.order"));
    await watching;
    expect(seen.some((s) => s.puts > 0)).toBe(true);
    for (const s of seen) if (s.puts > 0) expect(s.frozen).toBe(true);
  });
});
