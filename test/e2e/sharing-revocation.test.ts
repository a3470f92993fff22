// Issue 15's measured cases, rerun: a GallerySharing revokes first, never holds a revocation
// behind an addition that fails, fits ARM's 30-subscription limit by removing first, and does
// not fight its Gallery. The operator runs as a real process against a real API server and the
// ARM simulator; every verdict comes from the simulator's request log and state, or the API server.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PendingSharingStep } from "../../src/api/index.js";
import { BUILTIN_ROLES, resolveRoleDefinitionId, roleAssignmentName } from "../../src/azure/index.js";
import type { OperatorProcess } from "../support/operator.js";
import { helpersFor, operatorReady, startSharingOperator } from "../support/sharing.js";
import { armRequest } from "../support/sim.js";
import { waitFor } from "../support/wait.js";
import { conditionOf, startWorld, type World, waitForCondition, waitForGone } from "../support/world.js";

const A = randomUUID();
const B = randomUUID();
const C = randomUUID();
const P = randomUUID();

describe("GallerySharing revokes first", () => {
  let world: World;
  let operator: OperatorProcess;
  const h = helpersFor(() => world);

  /** Makes every role-assignment PUT for `principalId` (Reader, at the gallery) fail as ARM does for an unknown principal. */
  function principalNotFound(azureName: string, principalId: string) {
    const scope = h.galleryId(azureName);
    const name = roleAssignmentName(
      scope,
      principalId,
      resolveRoleDefinitionId(world.subscriptionId, BUILTIN_ROLES.Reader),
    );
    world.sim.fault({
      method: "PUT",
      path: `/roleAssignments/${name}$`,
      status: 400,
      body: {
        error: {
          code: "PrincipalNotFound",
          message: `Principal ${principalId.replace(/-/g, "")} does not exist in the directory ${world.tenantId}.`,
        },
      },
      count: -1,
    });
  }

  const sharedSubscriptions = (azureName: string) => sharedSubscriptionsOf(h, azureName).sort();

  const pendingOf = async (name: string): Promise<PendingSharingStep[]> =>
    (await world.gallerySharings.get(h.ref(name))).status?.pending ?? [];

  beforeAll(async () => {
    // The share quota's windows are 100 times shorter, so the cases run in seconds, and the
    // operator paces by those windows as it would by Azure's; the 1 s resync reads each gallery
    // every second.
    world = await startWorld("e2e-revocation", { limits: { windowScale: 0.01 } });
    operator = startSharingOperator(world, ["--arm-time-scale", "0.01"]);
    await operatorReady(world, operator);
  });

  afterAll(async () => {
    await operator?.stop();
    await world?.close();
  });

  it("removes a subscription at once while a role assignment in the same edit fails with PrincipalNotFound", async () => {
    await world.galleries.create(h.gallery("held", "Groups"));
    await world.gallerySharings.create(h.sharing("held", "held", { subscriptions: [A, B] }));
    await h.settled("held");
    principalNotFound("held", P);
    const seen = h.shareOperationIds("held");
    const seq = h.lastSeq();

    await world.gallerySharings.mergePatch(h.ref("held"), {
      spec: {
        subscriptions: [B],
        roleAssignments: [{ principalId: P, principalType: "User", role: "Reader" }],
      },
    });
    // A loses access though the role assignment keeps failing.
    await waitFor(
      "A no longer shared in ARM",
      async () => !sharedSubscriptions("held").includes(A.toLowerCase()),
      {
        timeoutMs: 20_000,
      },
    );
    expect(
      h.shareChanges("held", seen).map(({ operationType, groups }) => ({ operationType, groups })),
    ).toEqual([{ operationType: "Remove", groups: [{ type: "Subscriptions", ids: [A] }] }]);
    // Status: what Azure holds now, and the failing step with why and when it is tried again.
    const parked = await waitFor(
      "the role step parked with PrincipalNotFound and sharedWith current",
      async () => {
        const obj = await world.gallerySharings.get(h.ref("held"));
        const step = obj.status?.pending?.find((p) => p.action === "CreateRoleAssignment");
        return step?.reason === "PrincipalNotFound" && obj.status?.sharedWith?.subscriptions?.join() === B
          ? obj
          : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(conditionOf(parked)).toMatchObject({ status: "False", reason: "PrincipalNotFound" });
    expect(parked.status?.pending).toEqual([
      expect.objectContaining({
        action: "CreateRoleAssignment",
        principalId: P,
        role: "Reader",
        failures: expect.any(Number),
        retryAfter: expect.any(String),
        message: expect.stringContaining("does not exist in the directory"),
      }),
    ]);
    // Retried with backoff (5 s, then 10 s...), not in a loop: the simulator sees the first retry
    // no sooner than 5 s after the failure, and the share is not posted again meanwhile.
    const prefix = h.roleAssignmentsPath("held");
    const [failedPut, retriedPut] = await waitFor("the role assignment's first retry", () => {
      const puts = world.sim
        .requests(seq)
        .filter((r) => r.method === "PUT" && r.path.toLowerCase().startsWith(prefix));
      return puts.length >= 2 ? puts : undefined;
    });
    expect(Date.parse(retriedPut?.time ?? "") - Date.parse(failedPut?.time ?? "")).toBeGreaterThanOrEqual(
      4_900,
    );
    expect(h.sharePosts("held", seq)).toHaveLength(1);

    // The principal appears: the next retry creates the assignment and the object settles.
    world.sim.clearFaults();
    const done = await h.settled("held", 60_000);
    expect(done.status?.pending).toBeUndefined();
    expect(done.status?.roleAssignments?.map((r) => r.principalId)).toEqual([P]);
    expect(h.assignmentsAt("held").map((a) => a.principalId.toLowerCase())).toEqual([P]);
    expect(h.sharePosts("held", seq)).toHaveLength(1);
  }, 120_000);

  it("swaps a subscription at the 30-subscription limit: Remove first, then Add, and ARM refuses nothing", async () => {
    const thirty = Array.from({ length: 30 }, () => randomUUID()).sort();
    await world.galleries.create(h.gallery("full", "Groups"));
    await world.gallerySharings.create(h.sharing("full", "full", { subscriptions: thirty }));
    await h.settled("full");
    const seen = h.shareOperationIds("full");
    const seq = h.lastSeq();
    const [first, ...kept] = thirty;
    const swapped = [...kept, C].sort();

    await world.gallerySharings.mergePatch(h.ref("full"), { spec: { subscriptions: swapped } });
    const done = await waitFor(
      "the swap settled",
      async () => {
        const obj = await h.settled("full");
        return obj.status?.sharedWith?.subscriptions?.join() === swapped.join() ? obj : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(done.status?.sharedWith?.subscriptionCount).toBe(30);
    expect(
      h.shareChanges("full", seen).map(({ operationType, groups }) => ({ operationType, groups })),
    ).toEqual([
      { operationType: "Remove", groups: [{ type: "Subscriptions", ids: [first] }] },
      { operationType: "Add", groups: [{ type: "Subscriptions", ids: [C] }] },
    ]);
    const posts = h.sharePosts("full", seq);
    expect(posts.map((r) => r.status)).toEqual([202, 202]);
    expect(sharedSubscriptions("full")).toEqual(swapped.map((id) => id.toLowerCase()));
  }, 90_000);

  it("shares with the subscriptions while a role name is unknown, and says what to fix", async () => {
    await world.galleries.create(h.gallery("badrole", "Groups"));
    await world.gallerySharings.create(
      h.sharing("badrole", "badrole", {
        subscriptions: [A],
        roleAssignments: [{ principalId: P, principalType: "User", role: "Gallery Reader Of Dreams" }],
      }),
    );
    const waiting = await waitFor(
      "shared with A, the role waiting for the user",
      async () => {
        const obj = await world.gallerySharings.get(h.ref("badrole"));
        return obj.status?.sharedWith?.subscriptions?.join() === A &&
          conditionOf(obj)?.reason === "UnknownRole"
          ? obj
          : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(sharedSubscriptions("badrole")).toEqual([A]);
    expect(waiting.status?.pending).toEqual([
      expect.objectContaining({
        action: "CreateRoleAssignment",
        reason: "UnknownRole",
        message: expect.stringContaining("give a built-in role name"),
      }),
    ]);
    expect(h.roleWrites("badrole")).toEqual([]);

    // Fixing the role name lets the last step go.
    await world.gallerySharings.mergePatch(h.ref("badrole"), {
      spec: { roleAssignments: [{ principalId: P, principalType: "User", role: "Reader" }] },
    });
    const fixed = await h.settled("badrole");
    expect(fixed.status?.roleAssignmentCount).toBe(1);
  }, 60_000);

  it("deleting a GallerySharing stops sharing even while ARM refuses to delete its role assignment", async () => {
    await world.galleries.create(h.gallery("leaving", "Groups"));
    await world.gallerySharings.create(
      h.sharing("leaving", "leaving", {
        subscriptions: [A],
        roleAssignments: [{ principalId: P, principalType: "User", role: "Reader" }],
      }),
    );
    await h.settled("leaving");
    const [assignment] = h.assignmentsAt("leaving");
    world.sim.fault({
      method: "DELETE",
      path: `/roleAssignments/${assignment?.name}$`,
      status: 403,
      body: {
        error: {
          code: "AuthorizationFailed",
          message: "The client does not have authorization to delete it.",
        },
      },
      count: -1,
    });
    await world.gallerySharings.delete(h.ref("leaving"));
    await waitFor(
      "A no longer shared",
      async () => (sharedSubscriptionsOf(h, "leaving").includes(A) ? undefined : true),
      {
        timeoutMs: 20_000,
      },
    );
    // The object stays (its finalizer) and says which step is left and why.
    const held = await waitForCondition(world.gallerySharings, world.namespace, "leaving", {
      status: "False",
      reason: "AuthorizationFailed",
    });
    expect(held.status?.pending).toEqual([
      expect.objectContaining({
        action: "RemoveRoleAssignment",
        principalId: P,
        reason: "AuthorizationFailed",
      }),
    ]);
    expect(h.assignmentsAt("leaving")).toHaveLength(1);

    world.sim.clearFaults();
    await waitForGone(world.gallerySharings, world.namespace, "leaving", 60_000);
    expect(h.assignmentsAt("leaving")).toEqual([]);
  }, 120_000);

  it("deleting a Gallery waits for its GallerySharing, which undoes its shares before the gallery goes", async () => {
    await world.galleries.create(h.gallery("parent", "Groups"));
    await world.gallerySharings.create(h.sharing("child", "parent", { subscriptions: [A] }));
    await h.settled("child");
    await world.galleries.delete(h.ref("parent"));
    const blocked = await waitForCondition(world.galleries, world.namespace, "parent", {
      status: "False",
      reason: "DeletionBlocked",
    });
    expect(conditionOf(blocked)?.message).toMatch(/GallerySharing\(s\) to be deleted first: child/);
    expect(h.armGallery("parent")).toBeDefined();

    await world.gallerySharings.delete(h.ref("child"));
    await waitForGone(world.gallerySharings, world.namespace, "child");
    await waitForGone(world.galleries, world.namespace, "parent");
    expect(h.armGallery("parent")).toBeUndefined();
    // The share operations on the gallery ran one at a time: the GallerySharing's Remove, then
    // the Gallery's Reset before its delete.
    const id = h.galleryId("parent").toLowerCase();
    const ops = world.sim
      .state()
      .operations.filter((o) => o.kind === "share" && o.target.toLowerCase() === id)
      .sort((a, b) => a.startAt - b.startAt);
    expect(ops.map((o) => o.share?.operationType)).toEqual(["Add", "Remove", "Reset"]);
    for (let i = 1; i < ops.length; i++) {
      expect(ops[i]?.startAt).toBeGreaterThanOrEqual(ops[i - 1]?.endAt ?? Number.POSITIVE_INFINITY);
    }
  }, 90_000);

  it("ends community sharing with one Reset; the Gallery puts its Community mode back without a drift warning", async () => {
    const community = {
      publisherUri: "https://example.com",
      publisherContact: "images@example.com",
      eula: "https://example.com/eula",
      publicNamePrefix: "revoke",
    };
    await world.galleries.create(
      h.gallery("public", "Community", { sharing: { permissions: "Community", community } }),
    );
    await world.gallerySharings.create(h.sharing("public", "public", { community: { enabled: true } }));
    await h.settled("public");
    expect(h.armGallery("public")?.sharing?.community?.enabled).toBe(true);
    const seen = h.shareOperationIds("public");
    const seq = h.lastSeq();

    await world.gallerySharings.mergePatch(h.ref("public"), { spec: { community: { enabled: false } } });
    await h.settled("public");
    await waitFor(
      "the gallery back in Community mode, not public",
      async () => {
        const g = h.armGallery("public");
        return g?.sharing?.permissions === "Community" && g.sharing.community?.enabled === false
          ? g
          : undefined;
      },
      { timeoutMs: 20_000 },
    );
    const gallery = await waitForCondition(world.galleries, world.namespace, "public", { status: "True" });
    expect(h.shareChanges("public", seen).map((c) => c.operationType)).toEqual(["Reset"]);
    // One PUT of the gallery: the Community mode back, as ARM needs after a Reset (a new public name).
    expect(h.writesOn("public", seq).filter((w) => w.startsWith("PUT"))).toHaveLength(1);
    expect(gallery.status?.communityEnabled).toBe(false);
    expect(await h.warnings("Gallery", "public")).toEqual([]);
  }, 60_000);

  it("waits for its Gallery to be Ready for the Gallery's current spec before sharing", async () => {
    await world.galleries.create(h.gallery("moving", "Private"));
    await waitForCondition(world.galleries, world.namespace, "moving", { status: "True" });
    await world.gallerySharings.create(h.sharing("moving", "moving", { subscriptions: [A] }));
    await waitForCondition(world.gallerySharings, world.namespace, "moving", {
      status: "False",
      reason: "GalleryNotGroups",
    });
    // The Gallery turns Groups; the sharing goes on once the Gallery is Ready for that spec.
    await world.galleries.mergePatch(h.ref("moving"), { spec: { sharing: { permissions: "Groups" } } });
    const shared = await h.settled("moving", 30_000);
    expect(shared.status?.sharedWith?.subscriptions).toEqual([A]);
    const gallery = await world.galleries.get(h.ref("moving"));
    expect(gallery.status?.observedGeneration).toBe(gallery.metadata.generation);
    // The Add came after the gallery's PUT to Groups had finished.
    const id = h.galleryId("moving").toLowerCase();
    const ops = world.sim.state().operations.filter((o) => o.target.toLowerCase() === id);
    const put = ops.filter((o) => o.kind !== "share").sort((a, b) => b.startAt - a.startAt)[0];
    const add = ops.find((o) => o.share?.operationType === "Add");
    expect(add?.startAt).toBeGreaterThanOrEqual(put?.endAt ?? Number.POSITIVE_INFINITY);
    expect(await pendingOf("moving")).toEqual([]);
  }, 60_000);
});

describe("GallerySharing at the share quota's edge", () => {
  let world: World;
  let operator: OperatorProcess;
  const h = helpersFor(() => world);
  // PostShareGallery's windows 10 times shorter (18 s and 3 min): long enough to see the Add wait.
  const WINDOW_SCALE = 0.1;

  beforeAll(async () => {
    world = await startWorld("e2e-quota", { limits: { windowScale: WINDOW_SCALE } });
    // The operator paces by the same (scaled) windows, as it would by Azure's.
    operator = startSharingOperator(world, ["--arm-time-scale", String(WINDOW_SCALE)]);
    await operatorReady(world, operator);
  });

  afterAll(async () => {
    await operator?.stop();
    await world?.close();
  });

  /** Spends the subscription's share quota with Resets of a private gallery until `left` calls remain. */
  async function spendQuotaDownTo(left: number): Promise<number> {
    const path = `${h.galleryId("spend")}/share?api-version=2023-07-03`;
    for (;;) {
      const answer = await armRequest(world.sim, {
        method: "POST",
        path,
        identity: { tenantId: world.tenantId, objectId: randomUUID() },
        body: { operationType: "Reset" },
      });
      expect(answer.status).toBe(202);
      const remaining = /PostShareGallery3Min;(\d+)/.exec(
        answer.headers["x-ms-ratelimit-remaining-resource"] ?? "",
      );
      const now = Number(remaining?.[1]);
      if (!(now > left)) return now;
    }
  }

  it("revokes with the last call left and parks the Add until the quota's window allows it", async () => {
    await world.galleries.create(h.gallery("spend", "Private"));
    await world.galleries.create(h.gallery("edge", "Groups"));
    await world.gallerySharings.create(h.sharing("edge", "edge", { subscriptions: [A] }));
    await h.settled("edge");
    await waitForCondition(world.galleries, world.namespace, "spend", { status: "True" });
    const seen = h.shareOperationIds("edge");
    expect(await spendQuotaDownTo(1)).toBe(1);
    const seq = h.lastSeq();

    await world.gallerySharings.mergePatch(h.ref("edge"), { spec: { subscriptions: [C] } });
    // The Remove takes the last call at once: A loses access without waiting for the quota.
    await waitFor(
      "A no longer shared",
      async () => (sharedSubscriptionsOf(h, "edge").includes(A) ? undefined : true),
      {
        timeoutMs: 10_000,
      },
    );
    expect(h.sharePosts("edge", seq)[0]?.status).toBe(202);
    expect(h.shareChanges("edge", seen).map((c) => c.operationType)).toEqual(["Remove"]);
    // The Add waits, parked as Throttled until the window allows it; status says so.
    const parked = await waitFor(
      "the Add parked as Throttled",
      async () => {
        const obj = await world.gallerySharings.get(h.ref("edge"));
        const add = obj.status?.pending?.find((p) => p.action === "ShareAdd");
        return add?.reason === "Throttled" ? { obj, add } : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(parked.add).toMatchObject({ subscriptions: [C], retryAfter: expect.any(String) });
    expect(parked.obj.status?.sharedWith?.subscriptions ?? []).not.toContain(A);
    // It goes once the window allows, and the object settles.
    const done = await h.settled("edge", 60_000);
    expect(done.status?.sharedWith?.subscriptions).toEqual([C]);
    expect(h.shareChanges("edge", seen).map((c) => c.operationType)).toEqual(["Remove", "Add"]);
    // Refused share POSTs (429) stayed few: the Add was not retried in a loop.
    expect(h.sharePosts("edge", seq).filter((r) => r.status === 429).length).toBeLessThanOrEqual(2);
  }, 90_000);
});

/** The subscriptions ARM shares the gallery with now, lower case. */
function sharedSubscriptionsOf(h: ReturnType<typeof helpersFor>, azureName: string): string[] {
  return (h.armGallery(azureName)?.sharing?.groups ?? [])
    .filter((g) => g.type === "Subscriptions")
    .flatMap((g) => g.ids.map((id) => id.toLowerCase()));
}

describe("one share operation per gallery across the Gallery and its GallerySharing", () => {
  let world: World;
  let operator: OperatorProcess;
  const h = helpersFor(() => world);

  beforeAll(async () => {
    // A share on a Groups gallery takes 4 s here (45 s in Azure): long enough to overlap.
    world = await startWorld("e2e-one-share", { durations: { shareGroups: 4_000_000 } });
    operator = startSharingOperator(world);
    await operatorReady(world, operator);
  });

  afterAll(async () => {
    await operator?.stop();
    await world?.close();
  });

  it("the Gallery's Reset waits for the GallerySharing's running share (ShareInProgress), then goes", async () => {
    await world.galleries.create(h.gallery("busy", "Groups"));
    await world.gallerySharings.create(h.sharing("busy", "busy", { subscriptions: [A] }));
    await h.settled("busy", 60_000);
    await world.gallerySharings.mergePatch(h.ref("busy"), { spec: { subscriptions: [A, B] } });
    await waitFor("the Add running", async () => {
      const obj = await world.gallerySharings.get(h.ref("busy"));
      return obj.status?.operation?.action === "ShareAdd" ? obj : undefined;
    });
    // The Gallery goes Private while the Add runs: its Reset waits.
    await world.galleries.mergePatch(h.ref("busy"), { spec: { sharing: { permissions: "Private" } } });
    const waiting = await waitForCondition(world.galleries, world.namespace, "busy", {
      status: "False",
      reason: "ShareInProgress",
    });
    expect(conditionOf(waiting)?.message).toMatch(/GallerySharing busy is changing the gallery's sharing/);
    await waitFor(
      "the gallery Private in Azure",
      async () => (h.armGallery("busy")?.sharing?.permissions ?? "Private") === "Private" || undefined,
      { timeoutMs: 30_000 },
    );
    const id = h.galleryId("busy").toLowerCase();
    const ops = world.sim
      .state()
      .operations.filter((o) => o.kind === "share" && o.target.toLowerCase() === id)
      .sort((a, b) => a.startAt - b.startAt);
    expect(ops.map((o) => o.share?.operationType)).toEqual(["Add", "Add", "Reset"]);
    for (let i = 1; i < ops.length; i++) {
      expect(ops[i]?.startAt).toBeGreaterThanOrEqual(ops[i - 1]?.endAt ?? Number.POSITIVE_INFINITY);
    }
    // The GallerySharing then says what the gallery's mode no longer allows.
    await waitForCondition(world.gallerySharings, world.namespace, "busy", {
      status: "False",
      reason: "GalleryNotGroups",
    });
  }, 120_000);
});
