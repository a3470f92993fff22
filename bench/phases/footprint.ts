// Phase 6: the operator's memory and CPU with many more objects cached. The extra objects are
// ImageVersions (deletionPolicy Orphan) in a second namespace the operator watches, whose
// ImageDefinition does not exist: the operator caches each one (three watches hold ImageVersions),
// reconciles it, reports it blocked (ImageDefinitionNotFound) and looks again every 30 s, but
// never calls ARM for it. That costs what caching costs, without 10,000 real versions' quota.
import { FINALIZER, LABELS } from "../../src/api/index.js";
import { ResourceClient } from "../../src/kube/index.js";
import { descriptorOf } from "../../src/reconcilers/index.js";
import { createAll } from "../apply.js";
import { countCalls } from "../arm-log.js";
import { nowMs, pollUntil } from "../clock.js";
import type { RunContext } from "../context.js";
import { sampleProcess } from "../proc-stats.js";
import { round } from "../stats.js";
import { ReadyTracker } from "../tracker.js";
import { blockedVersions } from "../workload.js";

export interface FootprintResult {
  /** Objects in the operator's cache after the phase (workload plus blocked versions). */
  cachedObjects: number;
  blockedVersions: number;
  /** Blocked versions the operator reported on (Ready=False) before the sample. */
  reported: number;
  /** Operator RSS with the workload only, after its restart settled. */
  rssAtWorkloadMb: number;
  rssMb: number;
  peakRssMb: number;
  /**
   * V8's used heap, with the workload only and with everything cached. RSS is far larger than
   * either: V8 sizes its heap from the machine's memory and returns little of it.
   */
  heapUsedAtWorkloadMb: number | undefined;
  heapUsedMb: number | undefined;
  /** (heap used with everything − with the workload) / blocked versions. */
  heapKbPerCachedObject: number | undefined;
  /** CPU the operator spent from the first create of the blocked versions to the sample. */
  cpuSeconds: number;
  /** From the first create to the operator having reported on every blocked version. */
  seconds: number;
  /** ARM calls during the phase: the workload's resyncs only; the blocked versions make none. */
  armReads: number;
  armWrites: number;
  /** JSON size of one object as the API server serves it: a Ready workload version, a blocked one. */
  objectBytes: { readyVersion: number; blockedVersion: number };
}

/** After the last status write, before the sample: lets the heap settle, its lowest reading taken. */
const SETTLE_MS = 10_000;

const minus = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : a - b;

export async function runFootprint(run: RunContext, cacheNamespace: string): Promise<FootprintResult> {
  const { options, workload, tracker } = run;
  const operator = await run.startOperator("footprint");
  const total = workload.items.length;
  await pollUntil(
    () =>
      workload.items.every((item) =>
        tracker.settled(
          `${workload.namespace}/${item.manifest.metadata.name}`,
          item.manifest.metadata.generation ?? 0,
        ),
      )
        ? true
        : undefined,
    2 * run.resyncWindowMs + 60_000,
    500,
  );
  const settleMs = Math.min(SETTLE_MS, run.resyncWindowMs);
  const heapAtWorkload = await operator.lowestHeapUsedMb(settleMs);
  const rssAtWorkloadMb = round(sampleProcess(operator.pid)?.rssMb, 1) ?? 0;

  const n = options.cachedObjects;
  run.say(`footprint: ${total} objects cached, RSS ${rssAtWorkloadMb} MB; adding ${n} blocked ImageVersions`);
  const cache = new ReadyTracker(run.stack.transport, cacheNamespace, ["ImageVersion"]);
  await cache.start();
  const cpuBefore = sampleProcess(operator.pid)?.cpuSeconds ?? 0;
  const startedAt = nowMs();
  const manifests = blockedVersions(n, cacheNamespace, FINALIZER, LABELS.imageDefinition);
  await createAll(
    run.stack.transport,
    manifests.map((manifest) => ({ kind: "ImageVersion" as const, manifest })),
  );
  run.say(`footprint: created in ${((nowMs() - startedAt) / 1000).toFixed(1)} s; waiting for the operator`);
  await pollUntil(() => (cache.reportedCount() >= n ? true : undefined), 120_000 + n * 20, 500);
  const doneAt = nowMs();
  const heap = await operator.lowestHeapUsedMb(settleMs);
  const sample = sampleProcess(operator.pid);
  const calls = countCalls(run.armLog.between(startedAt));
  const reported = cache.reportedCount();
  await cache.stop();

  const versions = new ResourceClient(run.stack.transport, descriptorOf("ImageVersion"));
  const readyVersion =
    workload.items.find((item) => item.kind === "ImageVersion")?.manifest.metadata.name ?? "";
  const bytesOf = async (namespace: string, name: string) =>
    name ? JSON.stringify(await versions.get({ namespace, name })).length : 0;
  const result: FootprintResult = {
    cachedObjects: total + n,
    blockedVersions: n,
    reported,
    rssAtWorkloadMb,
    rssMb: round(sample?.rssMb, 1) ?? 0,
    peakRssMb: round(sample?.peakRssMb, 1) ?? 0,
    heapUsedAtWorkloadMb: round(heapAtWorkload, 1),
    heapUsedMb: round(heap, 1),
    heapKbPerCachedObject:
      n > 0 ? round(((minus(heap, heapAtWorkload) ?? Number.NaN) * 1024) / n, 1) : undefined,
    cpuSeconds: round((sample?.cpuSeconds ?? 0) - cpuBefore, 1) ?? 0,
    seconds: round((doneAt - startedAt) / 1000, 1) ?? 0,
    armReads: calls.reads,
    armWrites: calls.writes + calls.deletes,
    objectBytes: {
      readyVersion: await bytesOf(workload.namespace, readyVersion),
      blockedVersion: n > 0 ? await bytesOf(cacheNamespace, manifests[0]?.metadata.name ?? "") : 0,
    },
  };
  run.say(
    `footprint: ${result.cachedObjects} cached, ${reported}/${n} reported in ${result.seconds} s; RSS ${result.rssMb} MB (peak ${result.peakRssMb} MB)`,
  );
  return result;
}
