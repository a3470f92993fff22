// One schedule's world while it runs: its simulator, the operator process of the moment, the
// user's model of the objects, the journal, and the primitives the steps are made of (edit, delete,
// crash, fault for a while, sample Azure).
import { join } from "node:path";
import { ADOPT_ANNOTATION } from "../../src/reconcilers/driver/ownership.js";
import type { FaultSpec, Simulator } from "../../tools/sim/index.js";
import { clearNamespace, type Harness, kubeCall, readObject } from "./harness.js";
import { type Interval, type Journal, newJournal } from "./journal.js";
import { type Desired, INTRUDER_MARK, keyOf, type Manifest } from "./model.js";
import { OperatorProcess } from "./operator.js";
import { Outsider } from "./outsider.js";
import type { Schedule } from "./plan.js";

/**
 * The simulator's and the operator's time scale: a share takes 4.5 s instead of 45 s and ARM's
 * 3-minute windows 18 s. The operator scales its own waits (rate windows, how long a share takes to
 * show) by the same factor, so what it assumes about Azure stays true; a crashed operator is back
 * within a couple of seconds, while a share it sent may still be running, as in Azure.
 */
export const TIME_SCALE = 0.1;

interface ActiveFault {
  spec: FaultSpec;
  until: number;
}

/** A principalNotFound fault ends by itself after its window; the others end when the world clears them. */
function withWindow(spec: FaultSpec, ms: number): FaultSpec {
  return spec.kind === "principalNotFound" ? { ...spec, forMs: ms } : spec;
}

export class ScheduleWorld {
  readonly journal: Journal;
  readonly model = new Map<string, Desired>();
  readonly outsider: Outsider;
  /**
   * Work started by steps that outlives them (a tag policy, a delayed deletion), each already
   * caught: a failure surfaces in `joinBackground`, never as an unhandled rejection that would end
   * the whole campaign after its schedule has failed for another reason.
   */
  private readonly background: Promise<unknown>[] = [];
  private operator: OperatorProcess | undefined;
  private faults: ActiveFault[] = [];
  private readonly harness: Harness;
  readonly sim: Simulator;
  readonly schedule: Schedule;

  constructor(harness: Harness, sim: Simulator, schedule: Schedule) {
    this.harness = harness;
    this.sim = sim;
    this.schedule = schedule;
    this.journal = newJournal(sim.now());
    this.outsider = new Outsider(sim, schedule.tenantId);
  }

  get h(): Harness {
    return this.harness;
  }

  now(): number {
    return this.sim.now();
  }

  note(text: string): void {
    this.journal.timeline.push({ at: this.now(), text });
  }

  /** Runs `work` beside the steps; `joinBackground` waits for it. */
  inBackground(work: Promise<unknown>): void {
    this.background.push(
      work.then(
        () => undefined,
        (err: unknown) => err ?? new Error("background work failed"),
      ),
    );
  }

  /** Waits for all background work; throws the first failure. */
  async joinBackground(): Promise<void> {
    const failure = (await Promise.all(this.background)).find((result) => result !== undefined);
    if (failure !== undefined) throw failure;
  }

  startOperator(): void {
    this.operator = new OperatorProcess({
      root: this.harness.operatorRoot,
      kubeconfigPath: this.harness.operatorKubeconfig,
      armEndpoint: this.sim.endpoint,
      armCaFile: this.sim.caFile,
      tenantId: this.schedule.tenantId,
      namespaces: this.schedule.namespaces.map((ns) => ns.name),
      timeScale: TIME_SCALE,
      logFile: join(this.harness.logDir, `operator-${this.schedule.seed}.log`),
    });
    this.journal.operatorStarts += 1;
  }

  async killOperator(): Promise<void> {
    await this.operator?.kill();
  }

  operatorRunning(): boolean {
    return this.operator?.running ?? false;
  }

  /** Records that the operator could not do its work over [from, now]. */
  blocked(from: number, what: string, extra: Partial<Interval> = {}): void {
    this.journal.blockers.push({ from, to: this.now(), what, ...extra });
  }

  /** Creates the object (the user's `kubectl apply` of a new manifest). */
  async create(desired: Desired): Promise<void> {
    const key = keyOf(desired.kind, desired.namespace, desired.name);
    this.model.set(key, desired);
    await kubeCall(() => this.harness.clients[desired.kind].create(desired.manifest));
    this.journal.edits.push({ at: this.now(), key });
  }

  /** The live model entry for `key`, unless the user deleted it. */
  live(key: string): Desired | undefined {
    const desired = this.model.get(key);
    return desired && desired.deletedAt === undefined ? desired : undefined;
  }

  /**
   * Changes the object's spec with `mutate` (a user edit). Returns false when the API server refused
   * it (a schema or CEL rule): the model keeps the old spec, and the refusal is on the timeline.
   */
  async edit(
    desired: Desired,
    what: string,
    mutate: (spec: Record<string, unknown>) => void,
  ): Promise<boolean> {
    const spec = structuredClone(desired.manifest.spec) as unknown as Record<string, unknown>;
    mutate(spec);
    const ref = { namespace: desired.namespace, name: desired.name };
    try {
      await kubeCall(() => this.harness.clients[desired.kind].mergePatch(ref, { spec }));
    } catch (err) {
      this.note(
        `${what}: refused by the API server (${err instanceof Error ? err.message.slice(0, 200) : err})`,
      );
      return false;
    }
    desired.manifest = { ...desired.manifest, spec } as unknown as Manifest;
    this.journal.edits.push({ at: this.now(), key: keyOf(desired.kind, desired.namespace, desired.name) });
    this.note(what);
    return true;
  }

  /** `kubectl delete` (the operator then acts on its deletionPolicy). */
  async delete(desired: Desired): Promise<void> {
    desired.deletedAt = this.now();
    const ref = { namespace: desired.namespace, name: desired.name };
    await kubeCall(() => this.harness.clients[desired.kind].delete(ref));
    this.journal.edits.push({ at: this.now(), key: keyOf(desired.kind, desired.namespace, desired.name) });
    this.note(
      `delete ${desired.kind} ${desired.namespace}/${desired.name} (deletionPolicy ${desired.deletionPolicy})`,
    );
  }

  /**
   * Waits until the API server no longer has the deleted object `old` (its finalizer done), at most
   * `ms`; true when it is gone.
   */
  async gone(old: Desired, ms: number): Promise<boolean> {
    for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
      if (!(await readObject(this.harness.clients[old.kind], old.namespace, old.name))) return true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return false;
  }

  /**
   * `kubectl apply` of a deleted object's manifest again. Under Orphan the Azure resource stayed,
   * untagged, so the manifest carries the adopt annotation, as docs/api.md tells a user taking a
   * resource back. The old entry stays in the model under a key of its own (what it was allowed to
   * delete is still judged); access its sharing revoked may now come back.
   */
  async recreate(old: Desired): Promise<void> {
    const key = keyOf(old.kind, old.namespace, old.name);
    old.supersededAt = this.now();
    this.model.delete(key);
    this.model.set(`${key}#${old.deletedAt}`, old);
    if (old.kind === "GallerySharing")
      for (const r of this.journal.revocations) if (r.gallery === old.azureId) r.regrantedAt ??= this.now();
    const { deletedAt: _deleted, supersededAt: _superseded, ...rest } = old;
    const metadata = old.manifest.metadata;
    const annotations =
      old.deletionPolicy === "Orphan"
        ? { ...metadata.annotations, [ADOPT_ANNOTATION]: "true" }
        : metadata.annotations;
    const manifest = { ...old.manifest, metadata: { ...metadata, ...(annotations ? { annotations } : {}) } };
    await this.create({ ...rest, manifest } as Desired);
    this.note(`recreate ${key} (deletionPolicy ${old.deletionPolicy}${annotations ? ", adopt" : ""})`);
  }

  /** An ARM fault for `ms`; faults overlap freely (the simulator only clears them all at once). */
  fault(spec: FaultSpec, ms: number): void {
    this.faults.push({ spec, until: Date.now() + ms });
    this.sim.fault(withWindow(spec, ms));
    this.inBackground(new Promise((resolve) => setTimeout(resolve, ms)).then(() => this.refreshFaults()));
  }

  private refreshFaults(): void {
    const now = Date.now();
    this.faults = this.faults.filter((f) => f.until > now);
    this.sim.clearFaults();
    for (const f of this.faults) this.sim.fault(withWindow(f.spec, f.until - now));
  }

  endFaults(): void {
    this.faults = [];
    this.sim.clearFaults();
  }

  /** Reads Azure as it is now: which principal each role assignment names, and intruders' marks. */
  sample(): void {
    const state = this.sim.state();
    for (const ra of state.roleAssignments)
      this.journal.rolePrincipals.set(ra.id.toLowerCase(), ra.principalId.toLowerCase());
    for (const gallery of state.galleries) {
      const marked = gallery.description === INTRUDER_MARK || Boolean(gallery.tags?.[INTRUDER_MARK]);
      const id = gallery.id.toLowerCase();
      if (marked && !this.journal.intruderMarks.has(id)) this.journal.intruderMarks.set(id, state.now);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.background);
    await this.operator?.kill();
    for (const ns of this.schedule.namespaces) await clearNamespace(this.harness, ns.name);
  }
}
