// `npm run bench -- --soak`: a long run (issue 16). Two simulated hours of spec edits and
// rotations of a namespace identity's secret, with the operator's RSS and V8 heap sampled each
// simulated minute; the report gives the slope of each after a warm-up (goal: flat). Small on
// purpose (a few galleries, definitions and versions, the operator as a process, a local control
// plane): at the default time scale (0.05) it takes about eight minutes on a shared machine.
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Gallery, ImageDefinition, ImageVersion } from "../src/api/index.js";
import { type KubeObject, ResourceClient } from "../src/kube/index.js";
import { POLICIES } from "../src/policy/cache.js";
import { descriptorOf } from "../src/reconcilers/index.js";
import { mintToken } from "../tools/sim/index.js";
import { nowMs, pollUntil, sleep } from "./clock.js";
import { scenarioOperator } from "./operator-process.js";
import { DEFAULT_LATENCY_MS } from "./options.js";
import { sampleProcess } from "./proc-stats.js";
import { facts, table } from "./report/md.js";
import { publishScenarioReport } from "./report/write.js";
import { startStack } from "./stack.js";
import { round } from "./stats.js";

const NAMESPACE = "soak";
/** Where the identity's Secret lives: the operator's own namespace (--lease-namespace). */
const OPERATOR_NAMESPACE = "soak-operator";
const SECRET = "soak-identity";
const RESOURCE_GROUP = "rg-soak";
const LOCATION = "westus";
const GALLERIES = 4;
const DEFINITIONS_PER_GALLERY = 2;
const SIMULATED_MINUTE_MS = 60_000;
/** The first samples are start-up and the first creates, not the steady state the slope is about. */
const WARM_UP_MINUTES = 20;
/** A rotation every 10 simulated minutes: twelve in two hours. */
const ROTATE_EVERY_MINUTES = 10;

interface Sample {
  minute: number;
  rssMb: number | undefined;
  heapUsedMb: number | undefined;
}

export interface SoakReport {
  name: string;
  startedAt: string;
  timeScale: number;
  simulatedMinutes: number;
  edits: number;
  rotations: number;
  objects: number;
  warmUpMinutes: number;
  /** Least-squares slope after the warm-up, MB per simulated hour. */
  rssSlopeMbPerHour: number | undefined;
  heapSlopeMbPerHour: number | undefined;
  samples: Sample[];
}

export async function runSoak(argv: string[], repoRoot: string): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      soak: { type: "boolean" },
      "time-scale": { type: "string" },
      minutes: { type: "string" },
      out: { type: "string" },
      name: { type: "string" },
    },
  });
  const timeScale = Number(values["time-scale"] ?? 0.05);
  const minutes = Number(values.minutes ?? 120);
  if (!(timeScale >= 0.001 && timeScale <= 1)) throw new Error("--time-scale: 0.001 to 1");
  if (!Number.isInteger(minutes) || minutes <= WARM_UP_MINUTES + 10) {
    throw new Error(`--minutes: an integer above ${WARM_UP_MINUTES + 10}`);
  }
  const name = values.name ?? `${new Date().toISOString().slice(0, 10)}-soak`;
  const outDir = values.out ?? join(repoRoot, "bench", "results");
  const workDir = await mkdtemp(join(tmpdir(), "ago-soak-"));
  const say = (line: string) => process.stdout.write(`[soak] ${line}\n`);

  const tenantId = randomUUID();
  const subscriptionId = randomUUID();
  const clientId = randomUUID();
  const sources = Array.from({ length: GALLERIES * DEFINITIONS_PER_GALLERY }, (_, i) => ({
    id: `/subscriptions/${subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Compute/images/source${i}`,
    location: LOCATION,
  }));
  const stack = await startStack({
    timeScale,
    latencyMs: DEFAULT_LATENCY_MS,
    fixtures: {
      tenants: [{ id: tenantId, subscriptions: [subscriptionId] }],
      resourceGroups: [{ subscriptionId, name: RESOURCE_GROUP, location: LOCATION }],
      sources,
    },
    namespaces: [NAMESPACE, OPERATOR_NAMESPACE],
  });
  // The simulator cannot issue tokens: the identity's token comes from <dir>/<clientId>.jwt
  // (docs/policy.md), whatever its secret; rotating the secret still gives the operator a new
  // credential configuration each time, which is what its caches are keyed by.
  const tokenDir = join(workDir, "tokens");
  await mkdir(tokenDir, { recursive: true });
  await writeFile(
    join(tokenDir, `${clientId}.jwt`),
    mintToken({ tid: tenantId, oid: "soak-identity", appid: clientId }, 86_400),
  );
  const kube = {
    secrets: new ResourceClient<KubeObject & { stringData?: Record<string, string> }>(stack.transport, {
      group: "",
      version: "v1",
      plural: "secrets",
      kind: "Secret",
      namespaced: true,
    }),
    policies: new ResourceClient<KubeObject & { spec: object }>(stack.transport, POLICIES),
    galleries: new ResourceClient<Gallery>(stack.transport, descriptorOf("Gallery")),
    definitions: new ResourceClient<ImageDefinition>(stack.transport, descriptorOf("ImageDefinition")),
    versions: new ResourceClient<ImageVersion>(stack.transport, descriptorOf("ImageVersion")),
  };
  const secretData = (rotation: number) => ({
    AZURE_TENANT_ID: tenantId,
    AZURE_CLIENT_ID: clientId,
    AZURE_CLIENT_SECRET: `rotated-${rotation}-${randomUUID()}`,
  });
  await kube.secrets.create({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: SECRET, namespace: OPERATOR_NAMESPACE },
    stringData: secretData(0),
  });
  await kube.policies.create({
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "GalleryPolicy",
    metadata: { name: "soak" },
    spec: {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NAMESPACE } },
      identity: { clientSecret: { secretName: SECRET } },
    },
  });
  const operator = scenarioOperator(stack, tenantId, timeScale, workDir, [
    "--static-token-dir",
    tokenDir,
    "--lease-namespace",
    OPERATOR_NAMESPACE,
  ]);
  try {
    say(`time scale ${timeScale}, ${minutes} simulated minutes; logs in ${workDir}`);
    const synced = await pollUntil(() => (operator.syncedControllers >= 4 ? true : undefined), 120_000);
    if (!synced) throw new Error(`the operator did not start:\n${operator.lastLines()}`);
    const objects = await createWorkload(
      kube,
      subscriptionId,
      sources.map((s) => s.id),
    );
    say(`${objects} objects created; sampling every simulated minute`);

    const samples: Sample[] = [];
    let edits = 0;
    let rotations = 0;
    const minuteMs = SIMULATED_MINUTE_MS * timeScale;
    const began = nowMs();
    for (let minute = 0; minute < minutes; minute++) {
      await sleep(Math.max(0, began + minute * minuteMs - nowMs()));
      samples.push({
        minute,
        rssMb: round(sampleProcess(operator.pid)?.rssMb, 1),
        heapUsedMb: await operator.heapUsedMb(),
      });
      // One spec edit a minute, round robin over galleries and definitions.
      const g = minute % GALLERIES;
      const description = `edit ${minute}`;
      if (minute % 2 === 0) {
        await kube.galleries.mergePatch({ namespace: NAMESPACE, name: `gal${g}` }, { spec: { description } });
      } else {
        const d = Math.floor(minute / 2) % DEFINITIONS_PER_GALLERY;
        await kube.definitions.mergePatch(
          { namespace: NAMESPACE, name: `def${g}-${d}` },
          { spec: { description } },
        );
      }
      edits++;
      if (minute > 0 && minute % ROTATE_EVERY_MINUTES === 0) {
        rotations++;
        await kube.secrets.mergePatch(
          { namespace: OPERATOR_NAMESPACE, name: SECRET },
          { stringData: secretData(rotations) },
        );
      }
      if (minute % 10 === 0) {
        const last = samples.at(-1);
        say(
          `minute ${minute}: RSS ${last?.rssMb ?? "?"} MB, heap used ${round(last?.heapUsedMb, 1) ?? "?"} MB`,
        );
      }
    }
    const steady = samples.filter((s) => s.minute >= WARM_UP_MINUTES);
    const report: SoakReport = {
      name,
      startedAt: new Date(Date.now() - (nowMs() - began)).toISOString(),
      timeScale,
      simulatedMinutes: minutes,
      edits,
      rotations,
      objects,
      warmUpMinutes: WARM_UP_MINUTES,
      rssSlopeMbPerHour: round(
        slopePerHour(steady, (s) => s.rssMb),
        2,
      ),
      heapSlopeMbPerHour: round(
        slopePerHour(steady, (s) => s.heapUsedMb),
        2,
      ),
      samples: samples.map((s) => ({ ...s, heapUsedMb: round(s.heapUsedMb, 1) })),
    };
    await publishScenarioReport(outDir, name, report, markdown(report), say);
  } finally {
    await operator.stop();
    await stack.stop();
  }
}

/** Galleries, two definitions each, one version per definition (each from its own source). */
async function createWorkload(
  kube: {
    galleries: ResourceClient<Gallery>;
    definitions: ResourceClient<ImageDefinition>;
    versions: ResourceClient<ImageVersion>;
  },
  subscriptionId: string,
  sources: string[],
): Promise<number> {
  let objects = 0;
  for (let g = 0; g < GALLERIES; g++) {
    await kube.galleries.create({
      apiVersion: "gallery.azure.dev/v1alpha1",
      kind: "Gallery",
      metadata: { name: `gal${g}`, namespace: NAMESPACE },
      spec: {
        subscriptionId,
        resourceGroup: RESOURCE_GROUP,
        location: LOCATION,
        sharing: { permissions: "Private" },
        deletionPolicy: "Delete",
      },
    });
    objects++;
    for (let d = 0; d < DEFINITIONS_PER_GALLERY; d++) {
      const name = `def${g}-${d}`;
      await kube.definitions.create({
        apiVersion: "gallery.azure.dev/v1alpha1",
        kind: "ImageDefinition",
        metadata: { name, namespace: NAMESPACE },
        spec: {
          galleryRef: { name: `gal${g}` },
          osType: "Linux",
          osState: "Generalized",
          hyperVGeneration: "V2",
          architecture: "x64",
          identifier: { publisher: "soak", offer: `gal${g}`, sku: name },
          deletionPolicy: "Delete",
        },
      });
      await kube.versions.create({
        apiVersion: "gallery.azure.dev/v1alpha1",
        kind: "ImageVersion",
        metadata: { name: `${name}-1`, namespace: NAMESPACE },
        spec: {
          imageDefinitionRef: { name },
          version: "1.0.0",
          source: { managedImageId: sources[g * DEFINITIONS_PER_GALLERY + d] ?? "" },
          targetRegions: [{ name: LOCATION, storageAccountType: "Standard_LRS" }],
          replicaCount: 1,
          excludeFromLatest: false,
          deletionPolicy: "Delete",
        },
      });
      objects += 2;
    }
  }
  return objects;
}

/** Least-squares slope of `value` over the samples' minutes, in MB per hour. */
function slopePerHour(
  samples: readonly Sample[],
  value: (s: Sample) => number | undefined,
): number | undefined {
  const points = samples.flatMap((s) => {
    const v = value(s);
    return v === undefined ? [] : [[s.minute, v] as const];
  });
  if (points.length < 3) return undefined;
  const meanX = points.reduce((a, [x]) => a + x, 0) / points.length;
  const meanY = points.reduce((a, [, y]) => a + y, 0) / points.length;
  const sxy = points.reduce((a, [x, y]) => a + (x - meanX) * (y - meanY), 0);
  const sxx = points.reduce((a, [x]) => a + (x - meanX) ** 2, 0);
  return (sxy / sxx) * 60;
}

function markdown(r: SoakReport): string {
  const every10 = r.samples.filter((s) => s.minute % 10 === 0);
  return [
    `# Soak ${r.name}`,
    "",
    facts([
      ["time scale", r.timeScale],
      ["simulated minutes", r.simulatedMinutes],
      ["objects", r.objects],
      ["spec edits", r.edits],
      ["secret rotations", r.rotations],
      ["warm-up (simulated minutes, left out of the slopes)", r.warmUpMinutes],
      ["RSS slope after warm-up (MB per simulated hour)", r.rssSlopeMbPerHour ?? "n/a"],
      ["heap-used slope after warm-up (MB per simulated hour)", r.heapSlopeMbPerHour ?? "n/a"],
    ]),
    "",
    table(
      ["simulated minute", "RSS (MB)", "heap used (MB)"],
      every10.map((s) => [s.minute, s.rssMb ?? "?", s.heapUsedMb ?? "?"]),
    ),
    "",
  ].join("\n");
}
