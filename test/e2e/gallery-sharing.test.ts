// GallerySharing end to end: the operator as a real process, a real API server, the ARM simulator.
// Share bodies are read from the simulator's operation records (`state().operations[].share`),
// which hold each accepted POST …/share as ARM parsed it; the request log counts the POSTs.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { Gallery, GallerySharing } from "../../src/api/index.js";
import { BUILTIN_ROLES } from "../../src/azure/index.js";
import type { OperatorProcess } from "../support/operator.js";
import { helpersFor, operatorReady, startSharingOperator } from "../support/sharing.js";
import { authorizationClient, computeClient } from "../support/sim.js";
import { waitFor } from "../support/wait.js";
import { conditionOf, startWorld, type World, waitForCondition, waitForGone } from "../support/world.js";

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples");

// Consumers: tenant CT holds subscriptions C1..C3; tenant T3 holds C4 and is shared with as a tenant.
const CT = randomUUID();
const [C1, C2, C3] = [randomUUID(), randomUUID(), randomUUID()];
const T3 = randomUUID();
const C4 = randomUUID();

const READER_ID = BUILTIN_ROLES.Reader;
const CONTRIBUTOR_ID = BUILTIN_ROLES.Contributor;

const sorted = (ids: string[]) => [...ids].sort();

/** The consumer side: which of these subscriptions (and tenants) see `uniqueName` in `location`. */
async function consumersSeeing(world: World, uniqueName: string) {
  const listed = async (tenantId: string, subscriptionId: string, byTenant: boolean) => {
    const client = computeClient(world.sim, { tenantId, objectId: randomUUID() }, subscriptionId);
    const names: string[] = [];
    for await (const g of client.sharedGalleries.list(
      world.location,
      byTenant ? { sharedTo: "tenant" } : {},
    )) {
      if (g.name) names.push(g.name);
    }
    return names.includes(uniqueName);
  };
  const subscriptions: string[] = [];
  for (const s of [C1, C2, C3]) if (await listed(CT, s, false)) subscriptions.push(s);
  const tenants: string[] = [];
  if (await listed(CT, C1, true)) tenants.push(CT);
  if (await listed(T3, C4, true)) tenants.push(T3);
  return { subscriptions: sorted(subscriptions), tenants };
}

describe("GallerySharing", () => {
  let world: World;
  let operator: OperatorProcess;
  const h = helpersFor(() => world);

  beforeAll(async () => {
    // Windows shrunk 100-fold: every test here shares within seconds, far past PostShareGallery's
    // 10 per 3 minutes, and the 1 s resync reads each gallery every second.
    world = await startWorld("e2e-sharing", { limits: { windowScale: 0.01 } });
    world.sim.seed({
      tenants: [
        { id: CT, subscriptions: [C1, C2, C3] },
        { id: T3, subscriptions: [C4] },
      ],
    });
    // The operator paces by the same (scaled) windows, as it would by Azure's.
    operator = startSharingOperator(world, ["--arm-time-scale", "0.01"]);
    await operatorReady(world, operator);
  });

  afterAll(async () => {
    await operator?.stop();
    await world?.close();
  });

  describe("the examples", () => {
    const folders = [
      "direct-shared-gallery",
      "community-gallery",
      "rbac-reader-sharing",
      "cross-tenant-app-registration",
    ];
    type Example = { gallery: Gallery; sharing: GallerySharing };

    function load(folder: string, tag: string): Example {
      const dir = join(EXAMPLES, folder);
      const docs = readdirSync(dir)
        .filter((f) => f.endsWith(".yaml"))
        .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS()));
      const gallery = docs.find((d) => d.kind === "Gallery") as Gallery;
      const sharing = docs.find((d) => d.kind === "GallerySharing") as GallerySharing;
      // Adapted to the world: its subscription and resource group, and names of their own per test
      // (three examples call their gallery myGallery, and names are unique per subscription).
      gallery.metadata.namespace = world.namespace;
      sharing.metadata.namespace = world.namespace;
      gallery.metadata.name = `${gallery.metadata.name}-${tag}`;
      sharing.metadata.name = `${sharing.metadata.name}-${tag}`;
      sharing.spec.galleryRef.name = gallery.metadata.name;
      gallery.spec.subscriptionId = world.subscriptionId;
      gallery.spec.resourceGroup = world.resourceGroup;
      gallery.spec.azureName = `${gallery.spec.azureName}_${folder.replace(/-/g, "_")}_${tag}`;
      return { gallery, sharing };
    }

    /** Applies every example with names tagged `tag` and waits until each is Ready and settled. */
    async function applyExamples(tag: string): Promise<Map<string, Example>> {
      const loaded = new Map(folders.map((folder) => [folder, load(folder, tag)]));
      for (const { gallery, sharing } of loaded.values()) {
        await world.galleries.create(gallery);
        await world.gallerySharings.create(sharing);
      }
      for (const { gallery, sharing } of loaded.values()) {
        await waitForCondition(world.galleries, world.namespace, gallery.metadata.name, { status: "True" });
        await h.settled(sharing.metadata.name);
      }
      return loaded;
    }

    it("reach Ready, each sharing exactly as asked", async () => {
      const loaded = await applyExamples("ready");
      const direct = await h.settled("direct-shared-gallery-ready");
      expect(direct.status?.sharedWith).toEqual({
        subscriptions: ["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"],
        tenants: ["33333333-3333-3333-3333-333333333333"],
        subscriptionCount: 2,
        tenantCount: 1,
      });
      const directName = loaded.get("direct-shared-gallery")?.gallery.spec.azureName as string;
      expect(h.shareChanges(directName).map((c) => c.operationType)).toEqual(["Add"]);

      const community = await h.settled("contoso-gallery-ready");
      expect(community.status?.community?.enabled).toBe(true);
      expect(community.status?.community?.publicNames?.[0]).toMatch(/^ContosoImages-[0-9a-f-]{36}$/);
      const communityName = loaded.get("community-gallery")?.gallery.spec.azureName as string;
      expect(h.armGallery(communityName)?.sharing?.community?.enabled).toBe(true);

      const rbac = await h.settled("rbac-shared-gallery-ready");
      expect(rbac.status?.roleAssignmentCount).toBe(2);
      const rbacName = loaded.get("rbac-reader-sharing")?.gallery.spec.azureName as string;
      expect(sorted(h.assignmentsAt(rbacName).map((a) => `${a.principalId} ${a.principalType}`))).toEqual([
        "44444444-4444-4444-4444-444444444444 User",
        "55555555-5555-5555-5555-555555555555 Group",
      ]);

      const crossTenant = await h.settled("cross-tenant-gallery-ready");
      const crossName = loaded.get("cross-tenant-app-registration")?.gallery.spec.azureName as string;
      const [app] = h.assignmentsAt(crossName);
      expect(h.assignmentsAt(crossName)).toHaveLength(1);
      expect(app).toMatchObject({
        principalId: "66666666-6666-6666-6666-666666666666",
        principalType: "ServicePrincipal",
      });
      expect(app?.roleDefinitionId.toLowerCase()).toMatch(new RegExp(`/roledefinitions/${READER_ID}$`));
      expect(crossTenant.status?.roleAssignments).toEqual([
        {
          principalId: "66666666-6666-6666-6666-666666666666",
          role: "Reader",
          roleDefinitionId: app?.roleDefinitionId,
          id: app?.id,
        },
      ]);
    }, 120_000);

    it("cost no ARM write and no share POST across several resyncs once converged", async () => {
      const loaded = await applyExamples("quiet");
      const before = world.sim.stats();
      const seq = h.lastSeq();
      // Several resyncs (each reads its gallery with $select=Permissions): three such reads of
      // every example's gallery are at least two whole resyncs of each.
      for (const { gallery } of loaded.values()) await h.resyncsOf(gallery.spec.azureName as string, seq);
      const after = world.sim.stats();
      const requests = world.sim.requests(seq);
      // Role assignments are read only where the spec has some: a sharing without roles costs
      // one read per resync (the gallery), one with roles two.
      const roleReads = (folder: string) => {
        const prefix = h.roleAssignmentsPath(loaded.get(folder)?.gallery.spec.azureName as string);
        return requests.filter((r) => r.method === "GET" && r.path.toLowerCase().startsWith(prefix)).length;
      };
      expect(roleReads("direct-shared-gallery")).toBe(0);
      expect(roleReads("community-gallery")).toBe(0);
      expect(roleReads("rbac-reader-sharing")).toBeGreaterThanOrEqual(2);
      expect(roleReads("cross-tenant-app-registration")).toBeGreaterThanOrEqual(2);
      // ...and wrote nothing.
      expect(requests.filter((r) => r.method !== "GET")).toEqual([]);
      expect(after.writes - before.writes).toBe(0);
      expect(after.deletes - before.deletes).toBe(0);
      expect((after.byBucket.PostShareGallery ?? 0) - (before.byBucket.PostShareGallery ?? 0)).toBe(0);
    });

    it("undo what they shared when deleted: Remove of their ids, Reset of community sharing, their own role assignments", async () => {
      const loaded = await applyExamples("undo");
      const seen = new Map(
        [...loaded].map(([folder, e]) => [folder, h.shareOperationIds(e.gallery.spec.azureName as string)]),
      );
      for (const { sharing } of loaded.values())
        await world.gallerySharings.delete(h.ref(sharing.metadata.name));
      for (const { sharing } of loaded.values()) {
        await waitForGone(world.gallerySharings, world.namespace, sharing.metadata.name);
      }
      const nameOf = (folder: string) => loaded.get(folder)?.gallery.spec.azureName as string;
      expect(
        h
          .shareChanges(nameOf("direct-shared-gallery"), seen.get("direct-shared-gallery"))
          .map((c) => c.operationType),
      ).toEqual(["Remove"]);
      // The direct-shared gallery keeps the Groups mode its Gallery asks for.
      expect(h.armGallery(nameOf("direct-shared-gallery"))?.sharing).toMatchObject({
        permissions: "Groups",
        groups: [],
      });
      expect(
        h
          .shareChanges(nameOf("community-gallery"), seen.get("community-gallery"))
          .map((c) => c.operationType),
      ).toEqual(["Reset"]);
      for (const folder of ["rbac-reader-sharing", "cross-tenant-app-registration"]) {
        expect(h.shareChanges(nameOf(folder), seen.get(folder))).toEqual([]);
        expect(h.assignmentsAt(nameOf(folder))).toEqual([]);
      }
    }, 60_000);
  });

  describe("direct sharing", () => {
    it("adds, removes and resets exactly what changed, and consumers see exactly that", async () => {
      await world.galleries.create(h.gallery("direct", "Groups"));
      await world.gallerySharings.create(
        h.sharing("direct", "direct", { subscriptions: [C1], tenants: [T3] }),
      );
      const first = await h.settled("direct");
      expect(first.status?.sharedWith).toMatchObject({ subscriptionCount: 1, tenantCount: 1 });
      let changes = h.shareChanges("direct");
      expect(changes.map(({ operationType, groups }) => ({ operationType, groups }))).toEqual([
        {
          operationType: "Add",
          groups: [
            { type: "Subscriptions", ids: [C1] },
            { type: "AADTenants", ids: [T3] },
          ],
        },
      ]);
      const uniqueName = `${world.subscriptionId}-DIRECT`;
      expect(await consumersSeeing(world, uniqueName)).toEqual({ subscriptions: [C1], tenants: [T3] });

      // Add one subscription: one Add carrying only it.
      let seen = new Set(changes.map((c) => c.id));
      let seq = h.lastSeq();
      await world.gallerySharings.mergePatch(h.ref("direct"), { spec: { subscriptions: [C1, C2] } });
      let now = await h.settled("direct");
      expect(h.sharePosts("direct", seq)).toHaveLength(1);
      changes = h.shareChanges("direct", seen);
      expect(changes.map(({ operationType, groups }) => ({ operationType, groups }))).toEqual([
        { operationType: "Add", groups: [{ type: "Subscriptions", ids: [C2] }] },
      ]);
      expect(now.status?.sharedWith?.subscriptions).toEqual(sorted([C1, C2]));
      expect(await consumersSeeing(world, uniqueName)).toEqual({
        subscriptions: sorted([C1, C2]),
        tenants: [T3],
      });
      // The Gallery does not see the groups ($select=Permissions only): it stayed as it was.
      expect(conditionOf(await world.galleries.get(h.ref("direct")))?.status).toBe("True");

      // Remove one subscription: one Remove carrying only it.
      seen = new Set([...seen, ...changes.map((c) => c.id)]);
      seq = h.lastSeq();
      await world.gallerySharings.mergePatch(h.ref("direct"), { spec: { subscriptions: [C2] } });
      now = await h.settled("direct");
      expect(h.sharePosts("direct", seq)).toHaveLength(1);
      changes = h.shareChanges("direct", seen);
      expect(changes.map(({ operationType, groups }) => ({ operationType, groups }))).toEqual([
        { operationType: "Remove", groups: [{ type: "Subscriptions", ids: [C1] }] },
      ]);
      expect(now.status?.sharedWith).toEqual({
        subscriptions: [C2],
        tenants: [T3],
        subscriptionCount: 1,
        tenantCount: 1,
      });
      expect(await consumersSeeing(world, uniqueName)).toEqual({ subscriptions: [C2], tenants: [T3] });

      // Nothing wanted: one Remove of everything. No Reset: the gallery stays Groups as its Gallery
      // says, so the Gallery controller has nothing to put back and nothing to warn about.
      seen = new Set([...seen, ...changes.map((c) => c.id)]);
      seq = h.lastSeq();
      await world.gallerySharings.mergePatch(h.ref("direct"), { spec: { subscriptions: [], tenants: [] } });
      now = await h.settled("direct");
      expect(h.sharePosts("direct", seq)).toHaveLength(1);
      expect(
        h.shareChanges("direct", seen).map(({ operationType, groups }) => ({ operationType, groups })),
      ).toEqual([
        {
          operationType: "Remove",
          groups: [
            { type: "Subscriptions", ids: [C2] },
            { type: "AADTenants", ids: [T3] },
          ],
        },
      ]);
      expect(now.status?.sharedWith).toEqual({ subscriptionCount: 0, tenantCount: 0 });
      expect(await consumersSeeing(world, uniqueName)).toEqual({ subscriptions: [], tenants: [] });
      // Several resyncs later: no gallery write of any kind, and no DriftCorrected warning.
      await h.resyncsOf("direct", h.lastSeq());
      expect(h.writesOn("direct", seq).filter((w) => !w.endsWith("/share"))).toEqual([]);
      expect(h.armGallery("direct")?.sharing?.permissions).toBe("Groups");
      expect(await h.warnings("Gallery", "direct")).toEqual([]);
    }, 90_000);

    it("is rejected by the API server beyond 30 subscriptions", async () => {
      const many = Array.from({ length: 31 }, () => randomUUID());
      await expect(
        world.gallerySharings.create(h.sharing("too-many", "direct", { subscriptions: many })),
      ).rejects.toThrow(/Too many: 31: must have at most 30 items/);
    });

    it("refuses with a clear reason while the gallery's permissions do not allow it", async () => {
      await world.galleries.create(h.gallery("private", "Private"));
      await world.gallerySharings.create(h.sharing("wrong-mode", "private", { subscriptions: [C1] }));
      const refused = await waitForCondition(world.gallerySharings, world.namespace, "wrong-mode", {
        status: "False",
        reason: "GalleryNotGroups",
      });
      expect(conditionOf(refused)?.message).toMatch(/set spec.sharing.permissions to Groups on the Gallery/);
      await world.gallerySharings.mergePatch(h.ref("wrong-mode"), {
        spec: { subscriptions: [], community: { enabled: true } },
      });
      const community = await waitForCondition(world.gallerySharings, world.namespace, "wrong-mode", {
        status: "False",
        reason: "GalleryNotCommunity",
      });
      expect(conditionOf(community)?.message).toMatch(/set spec.sharing.permissions to Community/);
      expect(h.sharePosts("private")).toEqual([]);
    });
  });

  describe("role assignments", () => {
    const U1 = randomUUID();
    const G1 = randomUUID();
    const SP1 = randomUUID();
    const SHARED_USER = randomUUID();
    const OUTSIDER = randomUUID();

    it("creates what is missing, adopts nothing, deletes only its own, and leaves foreign ones alone", async () => {
      await world.galleries.create(h.gallery("rbac", "Private"));
      await waitForCondition(world.galleries, world.namespace, "rbac", { status: "True" });
      // Made outside the operator on the same scope: one the spec also asks for, one it does not.
      const authz = authorizationClient(
        world.sim,
        { tenantId: world.tenantId, objectId: randomUUID() },
        world.subscriptionId,
      );
      const scope = h.galleryId("rbac");
      const roleDef = (guid: string) =>
        `/subscriptions/${world.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
      const foreign = [
        await authz.roleAssignments.create(scope, randomUUID(), {
          roleDefinitionId: roleDef(READER_ID),
          principalId: SHARED_USER,
          principalType: "User",
        }),
        await authz.roleAssignments.create(scope, randomUUID(), {
          roleDefinitionId: roleDef(CONTRIBUTOR_ID),
          principalId: OUTSIDER,
          principalType: "User",
        }),
      ];
      const foreignIds = sorted(foreign.map((a) => a.id as string));

      const seq = h.lastSeq();
      await world.gallerySharings.create(
        h.sharing("rbac", "rbac", {
          roleAssignments: [
            { principalId: U1, principalType: "User", role: "Reader" },
            { principalId: G1, principalType: "Group", role: "Reader" },
            { principalId: SP1, principalType: "ServicePrincipal", role: CONTRIBUTOR_ID },
            { principalId: SHARED_USER, principalType: "User", role: "Reader" },
          ],
        }),
      );
      const ready = await h.settled("rbac");
      expect(h.roleWrites("rbac", seq)).toEqual(["PUT", "PUT", "PUT"]);
      expect(ready.status?.roleAssignmentCount).toBe(4);
      expect(sorted(ready.status?.roleAssignments?.map((r) => `${r.principalId} ${r.role}`) ?? [])).toEqual(
        sorted([`${U1} Reader`, `${G1} Reader`, `${SP1} ${CONTRIBUTOR_ID}`, `${SHARED_USER} Reader`]),
      );
      expect(h.assignmentsAt("rbac")).toHaveLength(5);

      // Idempotent: resyncs read, never write.
      let mark = h.lastSeq();
      await h.resyncsOf("rbac", mark);
      expect(h.roleWrites("rbac", mark)).toEqual([]);
      expect(h.writesOn("rbac", mark)).toEqual([]);

      // One no longer wanted: exactly one DELETE, of its assignment.
      mark = h.lastSeq();
      await world.gallerySharings.mergePatch(h.ref("rbac"), {
        spec: {
          roleAssignments: [
            { principalId: U1, principalType: "User", role: "Reader" },
            { principalId: SP1, principalType: "ServicePrincipal", role: CONTRIBUTOR_ID },
            { principalId: SHARED_USER, principalType: "User", role: "Reader" },
          ],
        },
      });
      const fewer = await h.settled("rbac");
      expect(h.roleWrites("rbac", mark)).toEqual(["DELETE"]);
      expect(fewer.status?.roleAssignmentCount).toBe(3);
      expect(h.assignmentsAt("rbac").map((a) => a.principalId)).not.toContain(G1);

      // Deleting the object removes its own two and leaves both foreign ones.
      mark = h.lastSeq();
      await world.gallerySharings.delete(h.ref("rbac"));
      await waitForGone(world.gallerySharings, world.namespace, "rbac");
      expect(h.roleWrites("rbac", mark)).toEqual(["DELETE", "DELETE"]);
      expect(sorted(h.assignmentsAt("rbac").map((a) => a.id))).toEqual(foreignIds);
    }, 90_000);

    it("leaves everything in Azure with deletionPolicy Orphan", async () => {
      await world.galleries.create(h.gallery("orphan", "Groups"));
      await world.gallerySharings.create(
        h.sharing("orphan", "orphan", {
          subscriptions: [C3],
          roleAssignments: [{ principalId: U1, principalType: "User", role: "Reader" }],
          deletionPolicy: "Orphan",
        }),
      );
      await h.settled("orphan");
      const mark = h.lastSeq();
      await world.gallerySharings.delete(h.ref("orphan"));
      await waitForGone(world.gallerySharings, world.namespace, "orphan");
      expect(h.writesOn("orphan", mark)).toEqual([]);
      expect(h.assignmentsAt("orphan")).toHaveLength(1);
      expect(h.armGallery("orphan")?.sharing?.groups).toEqual([{ type: "Subscriptions", ids: [C3] }]);
    });
  });

  describe("one GallerySharing per gallery", () => {
    it("reports the second as a conflict naming the first, and hands over when the first goes", async () => {
      await world.galleries.create(h.gallery("contested", "Groups"));
      await world.gallerySharings.create(h.sharing("contested-first", "contested", { subscriptions: [C1] }));
      await h.settled("contested-first");
      await world.gallerySharings.create(h.sharing("contested-second", "contested", { subscriptions: [C2] }));
      const conflict = await waitForCondition(world.gallerySharings, world.namespace, "contested-second", {
        status: "False",
        reason: "Conflict",
      });
      expect(conditionOf(conflict)?.message).toMatch(/GallerySharing contested-first already manages/);
      // The second never touched the gallery, resyncs later either.
      await h.resyncsOf("contested", h.lastSeq());
      expect(h.armGallery("contested")?.sharing?.groups).toEqual([{ type: "Subscriptions", ids: [C1] }]);

      await world.gallerySharings.delete(h.ref("contested-first"));
      await waitForGone(world.gallerySharings, world.namespace, "contested-first");
      const second = await h.settled("contested-second");
      expect(second.status?.sharedWith?.subscriptions).toEqual([C2]);
    }, 60_000);
  });
});

describe("GallerySharing across an operator crash", () => {
  let world: World;
  const h = helpersFor(() => world);
  const operators: OperatorProcess[] = [];

  beforeAll(async () => {
    // A share on a Groups gallery takes 4 s here (45 s in Azure): long enough to crash mid-share.
    world = await startWorld("e2e-sharing-kill", { durations: { shareGroups: 4_000_000 } });
    world.sim.seed({ tenants: [{ id: CT, subscriptions: [C1, C2, C3] }] });
  });

  afterAll(async () => {
    for (const o of operators) await o.stop();
    await world?.close();
  });

  it("resumes the saved share operation after kill -9: exactly one share POST", async () => {
    const first = startSharingOperator(world);
    operators.push(first);
    await operatorReady(world, first);
    await world.galleries.create(h.gallery("crash", "Groups"));
    await world.gallerySharings.create(h.sharing("crash", "crash", { subscriptions: [C1, C2] }));
    // Killed once ARM took the POST: whether ARM's answer was saved over the intent or not, the
    // next process must not send it again.
    await waitFor("the share operation saved in status", async () => {
      const obj = await world.gallerySharings.get(h.ref("crash"));
      return obj.status?.operation?.action === "ShareAdd" && h.sharePosts("crash").length === 1
        ? obj
        : undefined;
    });
    await first.kill();
    expect(h.armGallery("crash")?.sharing?.groups ?? []).toEqual([]);

    const second = startSharingOperator(world);
    operators.push(second);
    const done = await h.settled("crash");
    expect(done.status?.sharedWith?.subscriptions).toEqual(sorted([C1, C2]));
    expect(h.sharePosts("crash")).toHaveLength(1);
    expect(h.shareChanges("crash").map((c) => c.operationType)).toEqual(["Add"]);
  }, 90_000);
});
