// Phase 3: with everything settled, change one object at a time (rotating over the kinds and over
// objects of each kind) and time from the API server accepting the change (the PATCH answer
// arriving here) to the simulator receiving the first ARM request for that object. Each change
// waits for the previous one to settle, up to a few seconds: a share takes 45 s of Azure time,
// and its polls are no load worth waiting for (the object comes round again 80 changes later).
import type { KindName } from "../../src/api/index.js";
import { type KubeObject, ResourceClient } from "../../src/kube/index.js";
import { descriptorOf } from "../../src/reconcilers/index.js";
import type { ArmCall } from "../arm-log.js";
import { nowMs, pollUntil, sleep } from "../clock.js";
import type { RunContext } from "../context.js";
import { percentile, round } from "../stats.js";
import type { WorkloadItem } from "../workload.js";

export interface ReactionSample {
  kind: KindName;
  name: string;
  /** API server accepted → first ARM request, ms; undefined when none came. */
  latencyMs: number | undefined;
  /** The PATCH round trip: how much earlier the API server may have accepted it. */
  patchMs: number;
  /** ARM calls in the second before the change: a resync in progress shows here. */
  callsBefore: number;
}

export interface ReactionResult {
  changes: number;
  measured: number;
  /** Changes no ARM request followed within the timeout (left out of the percentiles). */
  unanswered: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  maxMs: number | undefined;
  patchP50Ms: number | undefined;
  byKind: Record<string, { changes: number; p50Ms: number | undefined; p99Ms: number | undefined }>;
  samples: ReactionSample[];
}

const KIND_ORDER: KindName[] = ["Gallery", "ImageDefinition", "ImageVersion", "GallerySharing"];
const FIRST_CALL_TIMEOUT_MS = 60_000;
const SETTLE_CAP_MS = 3_000;
/** Between settling and the next change: lets the last status write's watch events pass. */
const GAP_MS = 150;

/** The spec change for the n-th change of `item`: one that Azure must be told about. */
function changeFor(item: WorkloadItem, n: number, spareTenant: string): object {
  const spec = item.manifest.spec as { tenants?: string[] };
  switch (item.kind) {
    case "Gallery":
    case "ImageDefinition":
      return { spec: { description: `benchmark change ${n}` } };
    case "ImageVersion":
      return { spec: { endOfLifeDate: new Date(Date.UTC(2030, 0, 1) + n * 86_400_000).toISOString() } };
    case "GallerySharing": {
      // Share with one more tenant, and on its next turn stop again (arrays are replaced whole).
      const base = spec.tenants ?? [];
      return { spec: { tenants: n % 2 === 0 ? [...base, spareTenant] : base } };
    }
  }
}

function requestFor(item: WorkloadItem): (call: ArmCall) => boolean {
  if (item.kind !== "GallerySharing") return (call) => call.path === item.armPath;
  // A sharing reads its gallery (and its role assignments) and POSTs to its `share` action.
  return (call) => call.path === item.armPath || call.path.startsWith(`${item.armPath}/`);
}

export async function runReaction(run: RunContext): Promise<ReactionResult> {
  const { workload, tracker, options } = run;
  const byKind = Map.groupBy(workload.items, (item) => item.kind);
  const clients = new Map(
    KIND_ORDER.map((kind) => [kind, new ResourceClient<KubeObject>(run.stack.transport, descriptorOf(kind))]),
  );
  const turns = new Map<string, number>();
  const samples: ReactionSample[] = [];
  run.say(`reaction: ${options.changes} changes, one at a time`);

  for (let i = 0; i < options.changes; i++) {
    const kind = KIND_ORDER[i % KIND_ORDER.length] ?? "Gallery";
    const pool = byKind.get(kind) ?? [];
    const item = pool[Math.floor(i / KIND_ORDER.length) % Math.max(1, pool.length)];
    const client = clients.get(kind);
    if (!item || !client) continue;
    const { name, namespace } = item.manifest.metadata;
    const key = `${namespace}/${name}`;
    const turn = turns.get(key) ?? 0;
    turns.set(key, turn + 1);

    const mark = run.armLog.mark();
    const sentAt = nowMs();
    const changed = await client.mergePatch({ namespace, name }, changeFor(item, turn, workload.spareTenant));
    const acceptedAt = nowMs();
    const matches = requestFor(item);
    const first = await pollUntil(
      () => run.armLog.since(mark).find((call) => call.at >= sentAt && matches(call)),
      FIRST_CALL_TIMEOUT_MS,
      20,
    );
    // Counted only now: scanning the log blocks this process, which also serves ARM.
    const callsBefore = run.armLog.between(sentAt - 1_000, sentAt).length;
    samples.push({
      kind,
      name,
      latencyMs: first ? round(first.at - acceptedAt, 2) : undefined,
      patchMs: round(acceptedAt - sentAt, 2) ?? 0,
      callsBefore,
    });
    const generation = changed.metadata.generation ?? 0;
    await pollUntil(() => (tracker.settled(key, generation) ? true : undefined), SETTLE_CAP_MS, 50);
    await sleep(GAP_MS);
  }
  const result = summarize(samples);
  run.say(`reaction: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms over ${result.measured} changes`);
  return result;
}

function summarize(samples: ReactionSample[]): ReactionResult {
  const latencies = (list: ReactionSample[]) =>
    list.map((s) => s.latencyMs).filter((ms): ms is number => ms !== undefined);
  const all = latencies(samples);
  const byKind: ReactionResult["byKind"] = {};
  for (const [kind, list] of Map.groupBy(samples, (s) => s.kind)) {
    const values = latencies(list);
    byKind[kind] = {
      changes: list.length,
      p50Ms: round(percentile(values, 50), 1),
      p99Ms: round(percentile(values, 99), 1),
    };
  }
  return {
    changes: samples.length,
    measured: all.length,
    unanswered: samples.length - all.length,
    p50Ms: round(percentile(all, 50), 1),
    p99Ms: round(percentile(all, 99), 1),
    maxMs: round(Math.max(...all), 1),
    patchP50Ms: round(
      percentile(
        samples.map((s) => s.patchMs),
        50,
      ),
      1,
    ),
    byKind,
    samples,
  };
}
