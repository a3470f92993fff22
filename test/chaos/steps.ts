// What each step of a schedule does to the world. Choices depend only on the schedule and on the
// user's model (never on what the operator did), so a seed replays the same actions.
import type { GallerySharingSpec, ImageVersionSpec } from "../../src/api/index.js";
import { accepted } from "./azure-view.js";
import { countFault } from "./journal.js";
import { type Desired, galleryId, intruderGallery, keyOf } from "./model.js";
import { OPERATOR_OID } from "./operator.js";
import { armPaths, type NamespacePlan, type Step, type WriteKind } from "./plan.js";
import { Rng } from "./rng.js";
import type { ScheduleWorld } from "./world.js";

/** How long a killed operator stays down before the next one starts. */
const DOWN_MS = 500;
/** How long a recreation waits for the old object's finalizer. */
const RECREATE_WAIT_MS = 10_000;
/** How long the API server stays frozen after a kill in the write window. */
const WINDOW_FREEZE_MS = 1_000;
/** How long to wait for the operator's write after arming the write-window crash. */
const WINDOW_WAIT_MS = 8_000;
const POLICY_PERIOD_MS = 300;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function nsOf(world: ScheduleWorld, index: number): NamespacePlan {
  const ns = world.schedule.namespaces[index];
  if (!ns) throw new Error(`schedule ${world.schedule.seed} has no namespace ${index}`);
  return ns;
}

function objectOf(world: ScheduleWorld, ns: NamespacePlan, kind: Desired["kind"]): Desired | undefined {
  const name =
    kind === "Gallery"
      ? ns.gallery.name
      : kind === "ImageDefinition"
        ? ns.definition.name
        : kind === "ImageVersion"
          ? ns.version?.name
          : ns.sharing?.name;
  return name ? world.live(keyOf(kind, ns.name, name)) : undefined;
}

const sharingSpec = (d: Desired) => d.manifest.spec as GallerySharingSpec;

async function editSharing(
  world: ScheduleWorld,
  ns: NamespacePlan,
  what: string,
  mutate: (spec: GallerySharingSpec) => {
    revoked?: { type: "subscription" | "tenant" | "principal"; id: string };
  },
): Promise<boolean> {
  const sharing = objectOf(world, ns, "GallerySharing");
  if (!sharing) {
    world.note(`${what}: skipped (no sharing in ${ns.name})`);
    return false;
  }
  let revoked: ReturnType<typeof mutate>["revoked"];
  const applied = await world.edit(sharing, what, (spec) => {
    revoked = mutate(spec as unknown as GallerySharingSpec).revoked;
  });
  if (applied && revoked)
    world.journal.revocations.push({ at: world.now(), gallery: galleryId(ns), ...revoked });
  return applied;
}

async function deleteTarget(world: ScheduleWorld, ns: NamespacePlan, target: Step & { kind: "delete" }) {
  const version = objectOf(world, ns, "ImageVersion");
  const sharing = objectOf(world, ns, "GallerySharing");
  if (target.target === "sharing") {
    if (!sharing) return world.note("delete sharing: skipped (none)");
    if (sharing.deletionPolicy === "Delete") {
      const spec = sharingSpec(sharing);
      const gallery = galleryId(ns);
      for (const id of spec.subscriptions ?? [])
        world.journal.revocations.push({ at: world.now(), gallery, type: "subscription", id });
      for (const id of spec.tenants ?? [])
        world.journal.revocations.push({ at: world.now(), gallery, type: "tenant", id });
      for (const ra of spec.roleAssignments ?? [])
        world.journal.revocations.push({ at: world.now(), gallery, type: "principal", id: ra.principalId });
    }
    return world.delete(sharing);
  }
  if (version) await world.delete(version);
  else if (target.target === "version") return world.note("delete version: skipped (none)");
  if (target.target !== "definition") return;
  const definition = objectOf(world, ns, "ImageDefinition");
  // A definition whose version stays in Azure (Orphan) cannot be deleted in Azure: not a schedule
  // worth drawing, since its failure is Azure's rule, not the operator's.
  const orphanedVersion = [...world.model.values()].some(
    (d) =>
      d.kind === "ImageVersion" && d.namespace === ns.name && d.deletionPolicy === "Orphan" && d.deletedAt,
  );
  if (!definition || (orphanedVersion && definition.deletionPolicy === "Delete"))
    return world.note("delete definition: skipped (none, or its version stays in Azure)");
  await world.delete(definition);
}

/** Parents first: a version comes back only into a definition that is back. */
const RECREATE_ORDER: Desired["kind"][] = ["ImageDefinition", "ImageVersion", "GallerySharing"];

/**
 * Applies again, under the same names, what the user deleted in this namespace, each once the API
 * server has let its old object go (the operator has done what its deletionPolicy says).
 */
async function recreateDeleted(world: ScheduleWorld, ns: NamespacePlan): Promise<void> {
  const deleted = [...world.model.values()]
    .filter((d) => d.namespace === ns.name && d.deletedAt !== undefined && !d.supersededAt && !d.intruderOf)
    .sort((a, b) => RECREATE_ORDER.indexOf(a.kind) - RECREATE_ORDER.indexOf(b.kind));
  if (deleted.length === 0) return world.note("recreate: skipped (nothing deleted)");
  for (const old of deleted) {
    if (!(await world.gone(old, RECREATE_WAIT_MS)))
      return world.note(
        `recreate ${old.kind} ${old.name}: skipped (still being deleted after ${RECREATE_WAIT_MS / 1000} s)`,
      );
    await world.recreate(old);
  }
}

/**
 * Kill the operator while ARM has accepted a write it has not recorded: provoke a write of `wanted`
 * kind (or, when this namespace has nothing for it, a gallery PUT), freeze the API server the moment
 * the simulator logs it, kill the operator, resume, start a new one.
 */
async function crashInWriteWindow(world: ScheduleWorld, ns: NamespacePlan, wanted: WriteKind): Promise<void> {
  const paths = armPaths(ns);
  const matches: Record<WriteKind, (method: string, path: string) => boolean> = {
    put: (m, p) => m === "PUT" && new RegExp(paths.gallery, "i").test(p),
    share: (m, p) => m === "POST" && new RegExp(paths.share, "i").test(p),
    role: (m, p) => m === "PUT" && new RegExp(paths.roleAssignments, "i").test(p),
    delete: (m, p) => m === "DELETE" && new RegExp(paths.anyInGallery, "i").test(p),
  };
  const write = possibleWrite(world, ns, wanted);
  if (!write) return world.note(`crash in ${wanted} window: skipped (nothing to write)`);
  let seen = world.sim.stats().total;
  let after = world.sim.requests().at(-1)?.seq ?? 0;
  let stop = false;
  const hit = new Promise<string | undefined>((resolve) => {
    const deadline = Date.now() + WINDOW_WAIT_MS;
    const timer = setInterval(() => {
      const total = world.sim.stats().total;
      if (total !== seen) {
        seen = total;
        for (const r of world.sim.requests(after)) {
          after = r.seq;
          if (r.identity?.objectId === OPERATOR_OID && accepted(r) && matches[write](r.method, r.path)) {
            world.h.cp.freezeApiserver(true);
            clearInterval(timer);
            return resolve(`${r.method} ${r.path} -> ${r.status} (#${r.seq})`);
          }
        }
      }
      if (stop || Date.now() > deadline) {
        clearInterval(timer);
        resolve(undefined);
      }
    }, 1);
  });
  // An edit the API server refused provokes nothing: stop watching at once.
  stop = !(await provokeWrite(world, ns, write));
  const request = await hit;
  if (!request)
    return world.note(
      `crash in ${write} window: ${stop ? "no edit to provoke it" : `no such write within ${WINDOW_WAIT_MS} ms`}`,
    );
  countFault(world.journal, `kill -9 in the ${write} write window`);
  const from = world.now();
  await world.killOperator();
  await sleep(WINDOW_FREEZE_MS);
  world.h.cp.freezeApiserver(false);
  world.startOperator();
  world.blocked(from, "operator killed in the write window");
  world.note(
    `crash in ${write} window after ${request}: API server frozen, operator killed, new one started`,
  );
}

/** The write kind a window crash can provoke in `ns`: `wanted`, else a gallery PUT, else none. */
function possibleWrite(world: ScheduleWorld, ns: NamespacePlan, wanted: WriteKind): WriteKind | undefined {
  const sharing = objectOf(world, ns, "GallerySharing");
  const version = objectOf(world, ns, "ImageVersion");
  const possible: Record<WriteKind, boolean> = {
    share: Boolean(sharing),
    role: Boolean(sharing),
    delete: version?.deletionPolicy === "Delete",
    put: Boolean(objectOf(world, ns, "Gallery")),
  };
  if (possible[wanted]) return wanted;
  return possible.put ? "put" : undefined;
}

/** Makes the user edit that needs a write of kind `write`; false when none was made. */
async function provokeWrite(world: ScheduleWorld, ns: NamespacePlan, write: WriteKind): Promise<boolean> {
  // Ids for the provoked edit, drawn from the schedule's seed and position so a replay sends the same.
  const ids = new Rng(world.schedule.seed ^ (world.journal.timeline.length + 1));
  switch (write) {
    case "share":
      return editSharing(world, ns, "share-add (write window)", (spec) => {
        spec.subscriptions = [...(spec.subscriptions ?? []), ids.uuid()];
        return {};
      });
    case "role":
      return editSharing(world, ns, "role-add (write window)", (spec) => {
        const principalId = ids.uuid();
        spec.roleAssignments = [
          ...(spec.roleAssignments ?? []),
          { principalId, principalType: "User", role: "Reader" },
        ];
        return {};
      });
    case "delete": {
      const version = objectOf(world, ns, "ImageVersion");
      if (version) await world.delete(version);
      return Boolean(version);
    }
    case "put": {
      const gallery = objectOf(world, ns, "Gallery");
      const value = `w${ids.int(1, 999)}`;
      return (
        gallery !== undefined &&
        world.edit(gallery, `tag team=${value} (write window)`, (spec) => {
          spec.tags = { team: value };
        })
      );
    }
  }
}

async function tagPolicy(world: ScheduleWorld, ns: NamespacePlan, ms: number): Promise<void> {
  const gallery = galleryId(ns);
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const wrote = await world.outsider.enforceTag(gallery).catch(() => false);
    if (wrote)
      world.journal.outside.push({ at: world.now(), resource: gallery, what: "policy tag", fight: true });
    await sleep(POLICY_PERIOD_MS);
  }
}

/** Does `step`; resolves when it is done (its value means nothing). */
export async function perform(world: ScheduleWorld, step: Step): Promise<unknown> {
  const from = world.now();
  switch (step.kind) {
    case "tag": {
      const gallery = objectOf(world, nsOf(world, step.ns), "Gallery");
      if (!gallery) return world.note("tag: skipped (no gallery)");
      await world.edit(gallery, `tag team=${step.value} on ${gallery.namespace}/${gallery.name}`, (spec) => {
        spec.tags = { team: step.value };
      });
      return;
    }
    case "share-add":
      return editSharing(world, nsOf(world, step.ns), `share-add ${step.subscription}`, (spec) => {
        spec.subscriptions = [...(spec.subscriptions ?? []), step.subscription];
        return {};
      });
    case "share-remove":
    case "share-swap":
      return editSharing(world, nsOf(world, step.ns), step.kind, (spec) => {
        const [removed, ...rest] = spec.subscriptions ?? [];
        spec.subscriptions = step.kind === "share-swap" ? [...rest, step.subscription] : rest;
        return removed ? { revoked: { type: "subscription", id: removed } } : {};
      });
    case "tenant-add":
      return editSharing(world, nsOf(world, step.ns), `tenant-add ${step.tenant}`, (spec) => {
        spec.tenants = [...(spec.tenants ?? []), step.tenant];
        return {};
      });
    case "tenant-remove":
      return editSharing(world, nsOf(world, step.ns), "tenant-remove", (spec) => {
        const [removed, ...rest] = spec.tenants ?? [];
        spec.tenants = rest;
        return removed ? { revoked: { type: "tenant", id: removed } } : {};
      });
    case "role-add": {
      const ns = nsOf(world, step.ns);
      if (step.principalNotFoundMs > 0 && objectOf(world, ns, "GallerySharing")) {
        // A principal created moments ago: Entra ID has not replicated it yet (400 PrincipalNotFound).
        countFault(world.journal, "400-PrincipalNotFound");
        world.fault({ kind: "principalNotFound", principalId: step.principal }, step.principalNotFoundMs);
      }
      return editSharing(
        world,
        ns,
        `role-add ${step.principal} (PrincipalNotFound for ${step.principalNotFoundMs} ms)`,
        (spec) => {
          spec.roleAssignments = [
            ...(spec.roleAssignments ?? []),
            { principalId: step.principal, principalType: "User", role: "Reader" },
          ];
          return {};
        },
      );
    }
    case "role-remove":
      return editSharing(world, nsOf(world, step.ns), "role-remove", (spec) => {
        const [removed, ...rest] = spec.roleAssignments ?? [];
        spec.roleAssignments = rest;
        return removed ? { revoked: { type: "principal", id: removed.principalId } } : {};
      });
    case "region-add": {
      const version = objectOf(world, nsOf(world, step.ns), "ImageVersion");
      if (!version) return world.note("region-add: skipped (no version)");
      const regions = (version.manifest.spec as ImageVersionSpec).targetRegions;
      if (regions.some((r) => r.name === step.region))
        return world.note(`region-add ${step.region}: already there`);
      await world.edit(version, `region-add ${step.region}`, (spec) => {
        spec.targetRegions = [...regions, { name: step.region, storageAccountType: "Standard_LRS" }];
      });
      return;
    }
    case "delete":
      return deleteTarget(world, nsOf(world, step.ns), step);
    case "recreate":
      return recreateDeleted(world, nsOf(world, step.ns));
    case "kill":
      countFault(world.journal, "kill -9 operator");
      await world.killOperator();
      await sleep(DOWN_MS);
      world.startOperator();
      world.blocked(from, "operator killed");
      return world.note("kill -9 operator; new one started");
    case "crash-window":
      return crashInWriteWindow(world, nsOf(world, step.ns), step.write);
    case "restart":
      countFault(world.journal, `${step.what} restart`);
      await world.h.cp.restart(step.what);
      world.blocked(from, `${step.what} restart`);
      return world.note(`${step.what} killed and restarted`);
    case "freeze-apiserver":
      countFault(world.journal, "API server frozen");
      world.h.cp.freezeApiserver(true);
      await sleep(step.ms);
      world.h.cp.freezeApiserver(false);
      world.blocked(from, "API server frozen");
      return world.note(`API server frozen for ${step.ms} ms`);
    case "cut-watches": {
      countFault(world.journal, "watches cut");
      const cut = world.h.proxy.cut();
      await sleep(1_000);
      world.blocked(from, "connections cut");
      return world.note(`cut ${cut} operator connections to the API server`);
    }
    case "fault": {
      countFault(world.journal, step.name);
      world.fault(step.spec, step.ms);
      const path = "path" in step.spec ? step.spec.path : "";
      const method = "method" in step.spec ? step.spec.method : undefined;
      world.journal.blockers.push({
        from,
        to: from + step.ms,
        what: `fault ${step.name}`,
        path,
        ...(method ? { method } : {}),
      });
      return world.note(`ARM fault ${step.name} on ${path} for ${step.ms} ms`);
    }
    case "tag-policy":
      countFault(world.journal, "policy tag");
      world.inBackground(tagPolicy(world, nsOf(world, step.ns), step.ms));
      return world.note(`a policy keeps ${nsOf(world, step.ns).gallery.azureName} tagged for ${step.ms} ms`);
    case "outside-unshare": {
      const ns = nsOf(world, step.ns);
      const sharing = objectOf(world, ns, "GallerySharing");
      const subscription = sharing && sharingSpec(sharing).subscriptions?.[0];
      if (!subscription) return world.note("outside-unshare: skipped (nothing shared)");
      countFault(world.journal, "outside share change");
      const operation = await world.outsider.unshare(galleryId(ns), subscription);
      if (operation) world.journal.outsideOperations.add(operation.toLowerCase());
      world.journal.outside.push({
        at: world.now(),
        resource: galleryId(ns),
        what: "share removed",
        fight: false,
      });
      return world.note(
        `someone else removed the share with ${subscription} (${operation ? "accepted" : "refused"})`,
      );
    }
    case "outside-delete": {
      const version = objectOf(world, nsOf(world, step.ns), "ImageVersion");
      if (!version) return world.note("outside-delete: skipped (no version)");
      countFault(world.journal, "outside delete");
      const done = await world.outsider.delete(version.azureId);
      world.journal.outside.push({
        at: world.now(),
        resource: version.azureId,
        what: "deleted",
        fight: false,
      });
      return world.note(`someone else deleted ${version.azureId} (${done ? "accepted" : "refused"})`);
    }
    case "outside-role": {
      const ns = nsOf(world, step.ns);
      countFault(world.journal, "outside role assignment");
      const id = await world.outsider.assignReader(galleryId(ns), step.principal, step.principal);
      if (id) world.journal.foreignRoleAssignments.push(id);
      return world.note(`someone else assigned Reader to ${step.principal} (${id ? "accepted" : "refused"})`);
    }
    case "intruder": {
      const owner = objectOf(world, nsOf(world, step.ns), "Gallery");
      if (owner?.manifest.kind !== "Gallery") return world.note("intruder: skipped (owner deleted)");
      const into = nsOf(world, step.into).name;
      countFault(world.journal, "second object");
      const intruder = intruderGallery({ ...owner, manifest: owner.manifest }, into, step.name);
      await world.create(intruder);
      world.note(`intruder ${into}/${step.name} names ${owner.azureId}`);
      if (step.deleteAfterMs !== undefined) {
        const delay = step.deleteAfterMs;
        world.inBackground(sleep(delay).then(() => world.delete(intruder)));
      }
      return;
    }
  }
}
