// A write the operator's own rate budget holds back (docs/runtime.md, "Safe writes") says so in
// status and goes at its turn, and costs no intent: nothing is saved in status.operation for a
// write that cannot leave, so the API server is not written to twice for nothing (once to save
// the intent, once to clear it). Judged from the API server's history of the object and the
// simulator's request log.
import { describe, expect, it } from "vitest";
import { recordHistory } from "../support/history.js";
import { galleryManifest, galleryRequests } from "../support/operator.js";
import { operatorWorldPerFile } from "../support/operator-world.js";
import { waitFor } from "../support/wait.js";
import { conditionOf, type World, waitForCondition } from "../support/world.js";

// Gallery PUTs limited to 3 per window, the windows 20 times shorter (9 s): one create leaves two
// calls, and the operator keeps the last one (its reserve) for other clients of the subscription.
const WINDOW_SCALE = 0.05;

let world: World;

operatorWorldPerFile(
  "e2e-rate-budget",
  {
    sim: {
      limits: { windowScale: WINDOW_SCALE, buckets: { CreateUpdateGallery: { per3Min: 3, per30Min: 300 } } },
    },
    args: ["--arm-time-scale", String(WINDOW_SCALE)],
  },
  (w) => {
    world = w;
  },
);

describe("a write held back by the operator's rate budget", () => {
  it("is reported Throttled, saves no intent, and goes once at its turn", { timeout: 90_000 }, async () => {
    // The first create tells the operator what the bucket has left (ARM's x-ms-ratelimit-remaining).
    await world.galleries.create(galleryManifest(world, "gal.budget.a"));
    await waitForCondition(world.galleries, world.namespace, "gal.budget.a", { status: "True" });

    // B takes the bucket's last call but the reserve; C, asked for once B's PUT went, must wait.
    await world.galleries.create(galleryManifest(world, "gal.budget.b"));
    await waitFor("B's PUT", () => galleryRequests(world, "gal.budget.b", { writes: true }).length > 0);
    const history = await recordHistory(world.galleries, world.namespace, "gal.budget.c");
    try {
      await world.galleries.create(galleryManifest(world, "gal.budget.c"));
      await waitForCondition(world.galleries, world.namespace, "gal.budget.c", { status: "True" }, 60_000);
    } finally {
      await history.stop();
    }

    // C said why it waited, and which bucket, until its turn came.
    const held = history.versions;
    const firstThrottled = held.findIndex((v) => conditionOf(v)?.reason === "Throttled");
    expect(firstThrottled).toBeGreaterThan(0);
    expect(conditionOf(held[firstThrottled])?.message).toMatch(/CreateUpdateGallery3Min/);
    // No intent before it was held back, and one intent in all: the write that went.
    expect(held.slice(0, firstThrottled).filter((v) => v.status?.operation)).toEqual([]);
    const intents = new Set(held.map((v) => v.status?.operation?.intentId).filter((id) => id !== undefined));
    expect(intents.size).toBe(1);
    // ARM saw one PUT per gallery and refused none: the budget, not a 429, held the write back.
    for (const name of ["gal.budget.a", "gal.budget.b", "gal.budget.c"]) {
      expect(galleryRequests(world, name, { writes: true }).map((r) => `${r.method} ${r.status}`)).toEqual([
        "PUT 201",
      ]);
    }
  });
});
