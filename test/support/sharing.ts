// GallerySharing tests' shared parts: the operator as a process watching one namespace, and
// helpers bound to one world that read what ARM holds and was asked (the simulator's request log
// and state) and what the API server holds (objects, events).
import type { Gallery, GallerySharing, GallerySharingSpec } from "../../src/api/index.js";
import { type KubeObject, KubeTransport, ResourceClient } from "../../src/kube/index.js";
import type { ShareChange } from "../../tools/sim/state/model.js";
import { type OperatorProcess, startOperatorProcess } from "./operator.js";
import { waitFor } from "./wait.js";
import { conditionOf, type World } from "./world.js";

/** The operator watching the world's namespace, resyncing every second, with `extra` arguments. */
export function startSharingOperator(world: World, extra: string[] = []): OperatorProcess {
  return startOperatorProcess({
    kubeconfigPath: world.cluster.kubeconfigPath,
    sim: world.sim,
    tenantId: world.tenantId,
    args: ["--namespaces", world.namespace, "--leader-elect", "false", "--resync-period", "1s", ...extra],
  });
}

export async function operatorReady(world: World, operator: OperatorProcess): Promise<void> {
  await operator.waitForLine(
    (l) => l.msg === "caches synced; reconciling" && l.controller === `GallerySharing@${world.namespace}`,
  );
}

/** Test helpers bound to one world. */
export function helpersFor(world: () => World) {
  const ns = () => world().namespace;
  const galleryId = (azureName: string) =>
    `/subscriptions/${world().subscriptionId}/resourceGroups/${world().resourceGroup}/providers/Microsoft.Compute/galleries/${azureName}`;
  const roleAssignmentsPath = (azureName: string) =>
    `${galleryId(azureName)}/providers/Microsoft.Authorization/roleAssignments`.toLowerCase();
  /** GETs of the gallery with `$select=Permissions` (one per resync of its Gallery or GallerySharing) after `after`. */
  const permissionReads = (azureName: string, after = 0) => {
    const id = galleryId(azureName).toLowerCase();
    return world()
      .sim.requests(after)
      .filter(
        (r) =>
          r.method === "GET" &&
          r.path.toLowerCase() === id &&
          /\$select=permissions/i.test(decodeURIComponent(r.query)),
      );
  };

  return {
    galleryId,
    roleAssignmentsPath,
    gallery(
      name: string,
      permissions: Gallery["spec"]["sharing"]["permissions"],
      extra: Partial<Gallery["spec"]> = {},
    ): Gallery {
      return {
        apiVersion: "gallery.azure.dev/v1alpha1",
        kind: "Gallery",
        metadata: { name, namespace: ns() },
        spec: {
          subscriptionId: world().subscriptionId,
          resourceGroup: world().resourceGroup,
          location: world().location,
          sharing: { permissions },
          deletionPolicy: "Delete",
          ...extra,
        },
      };
    },
    sharing(name: string, gallery: string, spec: Partial<GallerySharingSpec> = {}): GallerySharing {
      return {
        apiVersion: "gallery.azure.dev/v1alpha1",
        kind: "GallerySharing",
        metadata: { name, namespace: ns() },
        spec: { galleryRef: { name: gallery }, deletionPolicy: "Delete", ...spec },
      };
    },
    lastSeq: () => world().sim.requests().at(-1)?.seq ?? 0,
    /** POST …/share requests on the gallery after `after`. */
    sharePosts(azureName: string, after = 0) {
      const path = `${galleryId(azureName)}/share`.toLowerCase();
      return world()
        .sim.requests(after)
        .filter((r) => r.method === "POST" && r.path.toLowerCase() === path);
    },
    /** Share operations ARM accepted on the gallery, oldest first, except those in `seen`. */
    shareChanges(azureName: string, seen: Set<string> = new Set()): (ShareChange & { id: string })[] {
      const id = galleryId(azureName).toLowerCase();
      return world()
        .sim.state()
        .operations.filter((o) => o.kind === "share" && o.target.toLowerCase() === id && !seen.has(o.id))
        .sort((a, b) => a.startAt - b.startAt)
        .map((o) => ({
          id: o.id,
          operationType: o.share?.operationType ?? "Reset",
          groups: o.share?.groups ?? [],
        }));
    },
    shareOperationIds(azureName: string): Set<string> {
      const id = galleryId(azureName).toLowerCase();
      return new Set(
        world()
          .sim.state()
          .operations.filter((o) => o.target.toLowerCase() === id)
          .map((o) => o.id),
      );
    },
    /** Every write (PUT, POST, DELETE) on the gallery, its actions and its role assignments after `after`. */
    writesOn(azureName: string, after = 0) {
      const id = galleryId(azureName).toLowerCase();
      return world()
        .sim.requests(after)
        .filter(
          (r) =>
            r.method !== "GET" && (r.path.toLowerCase() === id || r.path.toLowerCase().startsWith(`${id}/`)),
        )
        .map((r) => `${r.method} ${r.path}`);
    },
    /** Role-assignment writes (PUT, DELETE) at the gallery's scope after `after`. */
    roleWrites(azureName: string, after = 0) {
      const prefix = roleAssignmentsPath(azureName);
      return world()
        .sim.requests(after)
        .filter((r) => r.method !== "GET" && r.path.toLowerCase().startsWith(prefix))
        .map((r) => r.method);
    },
    assignmentsAt(azureName: string) {
      const scope = galleryId(azureName).toLowerCase();
      return world()
        .sim.state()
        .roleAssignments.filter((a) => a.scope.toLowerCase() === scope);
    },
    armGallery(azureName: string) {
      return world()
        .sim.state()
        .galleries.find((g) => g.name === azureName);
    },
    permissionReads,
    /**
     * Waits until the gallery has been read for resyncs at least `count` times after `after`:
     * "several resyncs went by" as a condition, before asserting that nothing was written.
     */
    resyncsOf(azureName: string, after: number, count = 3) {
      return waitFor(`${count} resync reads of gallery ${azureName}`, () => {
        const reads = permissionReads(azureName, after);
        return reads.length >= count ? reads : undefined;
      });
    },
    /** Ready=True for the current generation, with no operation left running. */
    settled(name: string, timeoutMs = 60_000): Promise<GallerySharing> {
      return waitFor(
        `GallerySharing ${name} settled`,
        async () => {
          const obj = await world().gallerySharings.get({ namespace: ns(), name });
          const ready = conditionOf(obj);
          const current =
            ready?.status === "True" &&
            obj.status?.observedGeneration === obj.metadata.generation &&
            !obj.status?.operation;
          return current ? obj : undefined;
        },
        { timeoutMs, intervalMs: 150 },
      );
    },
    ref: (name: string) => ({ namespace: ns(), name }),
    /** Reasons of the Warning events about one object, as the API server holds them. */
    async warnings(kind: string, name: string): Promise<string[]> {
      const events = new ResourceClient<KubeEvent>(new KubeTransport(world().cluster.kubeConfig), EVENTS);
      const list = await events.list({ namespace: ns() });
      return list.items
        .filter((e) => e.type === "Warning" && e.regarding?.kind === kind && e.regarding.name === name)
        .map((e) => e.reason ?? "");
    },
  };
}

const EVENTS = { group: "events.k8s.io", version: "v1", plural: "events", kind: "Event", namespaced: true };

interface KubeEvent extends KubeObject {
  type?: string;
  reason?: string;
  regarding?: { kind?: string; name?: string };
}
