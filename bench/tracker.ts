// What the API server says about the benchmark's objects, kept up to date by one watch per kind
// (a list every second would load the API server being measured): each object's Ready condition,
// when it first became Ready, and the count of Ready objects over time for the chart.
import type { KindName } from "../src/api/index.js";
import { type KubeObject, type KubeTransport, keyOf, ResourceClient, Watcher } from "../src/kube/index.js";
import { descriptorOf } from "../src/reconcilers/index.js";
import { nowMs } from "./clock.js";

interface Conditioned extends KubeObject {
  status?: {
    operation?: unknown;
    conditions?: { type: string; status: string; reason?: string; observedGeneration?: number }[];
  };
}

export interface ObjectState {
  kind: KindName;
  generation: number;
  /** Ready=True for the current generation. */
  ready: boolean;
  /** The Ready condition's reason; undefined before the operator first reported. */
  reason: string | undefined;
  /** An Azure operation recorded in status is still running. */
  operating: boolean;
}

export class ReadyTracker {
  readonly states = new Map<string, ObjectState>();
  /** Real time each key was first seen Ready. */
  readonly firstReadyAt = new Map<string, number>();
  /** (time, objects first-Ready so far), one point per change. */
  readonly timeline: { at: number; ready: number }[] = [];
  private readonly watchers: Watcher<Conditioned>[] = [];

  constructor(
    private readonly transport: KubeTransport,
    private readonly namespace: string,
    private readonly kinds: readonly KindName[],
  ) {}

  /** Starts the watches; resolves once each listed its kind. */
  async start(): Promise<void> {
    for (const kind of this.kinds) {
      const client = new ResourceClient<Conditioned>(this.transport, descriptorOf(kind));
      const watcher = new Watcher<Conditioned>(
        client,
        (event) => {
          if (event.type === "Listed") for (const obj of event.objects) this.apply(kind, obj);
          else if (event.type === "Applied") this.apply(kind, event.object);
          else this.states.delete(keyOf(event.object));
        },
        { namespace: this.namespace },
      );
      watcher.start();
      this.watchers.push(watcher);
    }
    await Promise.all(this.watchers.map((w) => w.synced));
  }

  async stop(): Promise<void> {
    await Promise.all(this.watchers.map((w) => w.stop()));
  }

  /** Objects of `kind` (all kinds when unset) that are Ready for their current generation. */
  readyCount(kind?: KindName): number {
    let n = 0;
    for (const state of this.states.values()) if (state.ready && (!kind || state.kind === kind)) n++;
    return n;
  }

  /** Objects the operator has reported on at least once (any Ready condition). */
  reportedCount(): number {
    let n = 0;
    for (const state of this.states.values()) if (state.reason !== undefined) n++;
    return n;
  }

  /** Ready for generation `generation` or later, with no Azure operation left running. */
  settled(key: string, generation: number): boolean {
    const state = this.states.get(key);
    return state !== undefined && state.generation >= generation && state.ready && !state.operating;
  }

  /** Counts of Ready reasons of the objects not Ready (what the stragglers wait for). */
  notReadyReasons(): Record<string, number> {
    const reasons: Record<string, number> = {};
    for (const state of this.states.values()) {
      if (state.ready) continue;
      const key = `${state.kind}: ${state.reason ?? "not reconciled yet"}`;
      reasons[key] = (reasons[key] ?? 0) + 1;
    }
    return reasons;
  }

  private apply(kind: KindName, obj: Conditioned): void {
    const key = keyOf(obj);
    const generation = obj.metadata.generation ?? 0;
    const ready = obj.status?.conditions?.find((c) => c.type === "Ready");
    const isReady = ready?.status === "True" && (ready.observedGeneration ?? generation) >= generation;
    this.states.set(key, {
      kind,
      generation,
      ready: isReady,
      reason: ready?.reason,
      operating: obj.status?.operation !== undefined,
    });
    if (isReady && !this.firstReadyAt.has(key)) {
      const at = nowMs();
      this.firstReadyAt.set(key, at);
      this.timeline.push({ at, ready: this.firstReadyAt.size });
    }
  }
}
