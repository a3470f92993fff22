// Phase 6: the operator's memory and CPU with many more objects cached. The extra objects are
// ImageVersions (deletionPolicy Orphan) in a second namespace the operator watches, whose
// ImageDefinition does not exist: the operator caches each one (once: one shared informer per
// kind), reconciles it, reports it blocked (ImageDefinitionNotFound) and looks again
// every 30 s, but never calls ARM for it. That costs what caching costs, without 10,000 real
// versions' quota. They are created while no operator runs (the API server, on the same two
// cores, takes them faster alone); then the operator starts with everything there, as after a
// restart at that size.
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
import type { WindowResult } from "./window.js";

export interface FootprintResult {
  /** Objects in the operator's cache (workload plus blocked versions). */
  cachedObjects: number;
  blockedVersions: number;
  /** Blocked versions the operator reported on (Ready=False) before the sample. */
  reported: number;
  /** Seconds to create the blocked versions (no operator running). */
  createSeconds: number;
  /** From the operator's start to its caches synced, and to every object reconciled. */
  syncSeconds: number;
  settledSeconds: number;
  rssMb: number;
  peakRssMb: number;
  /**
   * V8's used heap (lowest reading while settled). RSS is far larger: V8 sizes its heap from the
   * machine's memory and gives little back.
   */
  heapUsedMb: number | undefined;
  /** At the RSS sample: the V8 heap reserved, and memory outside it held by JS objects (MB). */
  heapTotalMb: number | undefined;
  externalMb: number | undefined;
  /** The same operator figures with the workload alone (the restart window, else steady state). */
  reference: { rssMb: number; heapUsedMb: number | undefined } | undefined;
  /** (heap used now − reference heap used) / blocked versions. */
  heapKbPerCachedObject: number | undefined;
  /** CPU since the operator started: the start-up pass over every object included. */
  cpuSeconds: number;
  /** ARM calls while it ran: the workload's, none for the blocked versions. */
  armReads: number;
  armWrites: number;
  /** JSON size of one object as the API server serves it: a Ready workload version, a blocked one. */
  objectBytes: { readyVersion: number; blockedVersion: number };
}

/** After the last status write, before the sample: lets the heap settle, its lowest reading taken. */
const SETTLE_MS = 10_000;

export async function runFootprint(
  run: RunContext,
  cacheNamespace: string,
  reference: WindowResult | undefined,
): Promise<FootprintResult> {
  const { options, workload, tracker } = run;
  const n = options.cachedObjects;
  const total = workload.items.length;
  await run.stopOperator();
  const cache = new ReadyTracker(run.stack.transport, cacheNamespace, ["ImageVersion"]);
  await cache.start();
  run.say(`footprint: creating ${n} blocked ImageVersions (operator stopped)`);
  const createdFrom = nowMs();
  const manifests = blockedVersions(n, cacheNamespace, FINALIZER, LABELS.imageDefinition);
  await createAll(
    run.stack.transport,
    manifests.map((manifest) => ({ kind: "ImageVersion" as const, manifest })),
  );
  const createSeconds = round((nowMs() - createdFrom) / 1000, 1) ?? 0;

  const startedAt = nowMs();
  const operator = await run.startOperator("footprint");
  const syncSeconds = round((nowMs() - startedAt) / 1000, 1) ?? 0;
  run.say(
    `footprint: ${total + n} objects; caches synced after ${syncSeconds} s; waiting for every reconcile`,
  );
  const workloadSettled = () =>
    workload.items.every((item) =>
      tracker.settled(
        `${workload.namespace}/${item.manifest.metadata.name}`,
        item.manifest.metadata.generation ?? 0,
      ),
    );
  await pollUntil(
    () => (cache.reportedCount() >= n && workloadSettled() ? true : undefined),
    120_000 + n * 30,
    500,
  );
  const settledSeconds = round((nowMs() - startedAt) / 1000, 1) ?? 0;
  const heap = await operator.lowestHeapUsedMb(Math.min(SETTLE_MS, run.resyncWindowMs));
  const memory = await operator.memory();
  const sample = sampleProcess(operator.pid);
  const calls = countCalls(run.armLog.between(startedAt));
  const reported = cache.reportedCount();
  await cache.stop();

  const versions = new ResourceClient(run.stack.transport, descriptorOf("ImageVersion"));
  const readyVersion =
    workload.items.find((item) => item.kind === "ImageVersion")?.manifest.metadata.name ?? "";
  const bytesOf = async (namespace: string, name: string) =>
    name ? JSON.stringify(await versions.get({ namespace, name })).length : 0;
  const referenceHeap = reference?.operatorHeapUsedMb;
  const result: FootprintResult = {
    cachedObjects: total + n,
    blockedVersions: n,
    reported,
    createSeconds,
    syncSeconds,
    settledSeconds,
    rssMb: round(sample?.rssMb, 1) ?? 0,
    peakRssMb: round(sample?.peakRssMb, 1) ?? 0,
    heapUsedMb: round(heap, 1),
    heapTotalMb: round(memory?.heapTotalMb, 1),
    externalMb: round(memory?.externalMb, 1),
    reference: reference ? { rssMb: reference.operatorRssMb, heapUsedMb: referenceHeap } : undefined,
    heapKbPerCachedObject:
      n > 0 && heap !== undefined && referenceHeap !== undefined
        ? round(((heap - referenceHeap) * 1024) / n, 1)
        : undefined,
    cpuSeconds: round(sample?.cpuSeconds, 1) ?? 0,
    armReads: calls.reads,
    armWrites: calls.writes + calls.deletes,
    objectBytes: {
      readyVersion: await bytesOf(workload.namespace, readyVersion),
      blockedVersion: n > 0 ? await bytesOf(cacheNamespace, manifests[0]?.metadata.name ?? "") : 0,
    },
  };
  run.say(
    `footprint: ${result.cachedObjects} cached, ${reported}/${n} reported after ${settledSeconds} s; RSS ${result.rssMb} MB (peak ${result.peakRssMb} MB), heap used ${result.heapUsedMb} MB`,
  );
  return result;
}
