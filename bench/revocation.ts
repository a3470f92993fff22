// `npm run bench -- --revocation`: how long a GallerySharing takes to revoke. Each sample times
// from the API server accepting a spec edit that drops a subscription (the PATCH answer arriving
// here) to the simulator's gallery no longer listing it, in three cases (issue 15):
// - alone: the edit only drops it;
// - beside a failing addition: the same edit adds a role assignment whose principal ARM answers
//   400 PrincipalNotFound for (as for minutes after an identity is created);
// - at the share quota's edge: the edit swaps it for another subscription (a Remove and an Add)
//   when the subscription's PostShareGallery quota has one call left.
// Small on purpose (three galleries, the operator as a process, a local control plane): it runs
// in a few minutes on a shared machine. Figures are wall-clock at the chosen time scale; divided
// by it they are in Azure's time, an upper bound (the operator's own work does not shrink).
import { randomUUID } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Gallery, GallerySharing, GallerySharingSpec } from "../src/api/index.js";
import { BUILTIN_ROLES, resolveRoleDefinitionId, roleAssignmentName } from "../src/azure/index.js";
import { ResourceClient } from "../src/kube/index.js";
import { descriptorOf } from "../src/reconcilers/index.js";
import { COMPUTE_BUCKETS, mintToken } from "../tools/sim/index.js";
import { nowMs, parseArmTime, pollUntil } from "./clock.js";
import { scenarioOperator } from "./operator-process.js";
import { DEFAULT_LATENCY_MS } from "./options.js";
import { table } from "./report/md.js";
import { publishScenarioReport } from "./report/write.js";
import { type Stack, startStack } from "./stack.js";
import { percentile, round } from "./stats.js";

const NAMESPACE = "revocation";
const RESOURCE_GROUP = "rg-revocation";
const LOCATION = "westus";
const CASES = ["alone", "failingAddition", "quotaEdge"] as const;
type Case = (typeof CASES)[number];
const CASE_TITLES: Record<Case, string> = {
  alone: "alone",
  failingAddition: "beside a failing addition (PrincipalNotFound)",
  quotaEdge: "at the share quota's edge (one PostShareGallery call left; swap = Remove + Add)",
};
/** Subscriptions each gallery stays shared with; the sample drops one more (the victim). */
const KEPT = 4;
const SAMPLE_TIMEOUT_MS = 120_000;
const [QUOTA_3MIN, QUOTA_30MIN] = COMPUTE_BUCKETS.PostShareGallery;

export interface RevocationSample {
  ms: number | undefined;
  /** PostShareGallery calls the subscription had left when the edit was made (quota edge only). */
  quotaLeft?: number;
}

export interface RevocationReport {
  name: string;
  startedAt: string;
  timeScale: number;
  samplesPerCase: number;
  cases: Record<
    Case,
    { p50Ms?: number; p99Ms?: number; maxMs?: number; timedOut: number; samples: RevocationSample[] }
  >;
}

export async function runRevocationBench(argv: string[], repoRoot: string): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      revocation: { type: "boolean" },
      samples: { type: "string" },
      "time-scale": { type: "string" },
      out: { type: "string" },
      name: { type: "string" },
    },
  });
  const samples = Number(values.samples ?? 10);
  const timeScale = Number(values["time-scale"] ?? 0.05);
  if (!Number.isInteger(samples) || samples < 1 || samples > 200) throw new Error("--samples: 1 to 200");
  if (!(timeScale >= 0.001 && timeScale <= 1)) throw new Error("--time-scale: 0.001 to 1");
  const name = values.name ?? `${new Date().toISOString().slice(0, 10)}-revocation`;
  const outDir = values.out ?? join(repoRoot, "bench", "results");
  const workDir = await mkdtemp(join(tmpdir(), "ago-revocation-"));
  const say = (line: string) => process.stdout.write(`[revocation] ${line}\n`);

  const tenantId = randomUUID();
  const subscriptions = Object.fromEntries(CASES.map((c) => [c, randomUUID()])) as Record<Case, string>;
  const stack = await startStack({
    timeScale,
    latencyMs: DEFAULT_LATENCY_MS,
    fixtures: {
      tenants: [{ id: tenantId, subscriptions: Object.values(subscriptions) }],
      resourceGroups: Object.values(subscriptions).map((subscriptionId) => ({
        subscriptionId,
        name: RESOURCE_GROUP,
        location: LOCATION,
      })),
    },
    namespaces: [NAMESPACE],
  });
  const operator = scenarioOperator(stack, tenantId, timeScale, workDir);
  try {
    say(`time scale ${timeScale}, ${samples} samples per case; logs in ${workDir}`);
    const synced = await pollUntil(() => (operator.syncedControllers >= 4 ? true : undefined), 120_000);
    if (!synced) throw new Error(`the operator did not start:\n${operator.lastLines()}`);
    const bench = new Bench(stack, subscriptions, tenantId, timeScale);
    const report: RevocationReport = {
      name,
      startedAt: new Date().toISOString(),
      timeScale,
      samplesPerCase: samples,
      cases: {} as RevocationReport["cases"],
    };
    for (const c of CASES) {
      say(`case ${CASE_TITLES[c]}`);
      const results: RevocationSample[] = [];
      await bench.prepare(c);
      for (let i = 0; i < samples; i++) {
        const sample = await bench.sample(c);
        results.push(sample);
        say(
          `  ${i + 1}/${samples}: ${sample.ms === undefined ? "timed out" : `${Math.round(sample.ms)} ms`}`,
        );
      }
      const ms = results.flatMap((r) => (r.ms === undefined ? [] : [r.ms]));
      report.cases[c] = {
        p50Ms: round(percentile(ms, 50), 0),
        p99Ms: round(percentile(ms, 99), 0),
        maxMs: round(Math.max(...ms), 0),
        timedOut: results.length - ms.length,
        samples: results.map((r) => ({ ...r, ms: round(r.ms, 1) })),
      };
    }
    await publishScenarioReport(outDir, name, report, markdown(report), say);
  } finally {
    await operator.stop();
    await stack.stop();
  }
}

/** The three galleries, their GallerySharings, and one timed edit at a time. */
class Bench {
  private readonly galleries: ResourceClient<Gallery>;
  private readonly sharings: ResourceClient<GallerySharing>;
  private readonly principal = randomUUID();
  private readonly token: string;

  constructor(
    private readonly stack: Stack,
    private readonly subscriptions: Record<Case, string>,
    tenantId: string,
    private readonly timeScale: number,
  ) {
    this.galleries = new ResourceClient(stack.transport, descriptorOf("Gallery"));
    this.sharings = new ResourceClient(stack.transport, descriptorOf("GallerySharing"));
    this.token = mintToken({ tid: tenantId, oid: "revocation-bench" }, 86_400);
  }

  private readonly kept = Object.fromEntries(
    CASES.map((c) => [c, Array.from({ length: KEPT }, () => randomUUID())]),
  ) as Record<Case, string[]>;

  private galleryId(c: Case, gallery = c.toLowerCase()): string {
    return `/subscriptions/${this.subscriptions[c]}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Compute/galleries/${gallery}`;
  }

  /** Its gallery (Groups) and GallerySharing; the quota case also a Private gallery to spend the quota on. */
  async prepare(c: Case): Promise<void> {
    const gallery = (name: string, permissions: "Groups" | "Private"): Gallery => ({
      apiVersion: "gallery.azure.dev/v1alpha1",
      kind: "Gallery",
      metadata: { name, namespace: NAMESPACE },
      spec: {
        subscriptionId: this.subscriptions[c],
        resourceGroup: RESOURCE_GROUP,
        location: LOCATION,
        sharing: { permissions },
        deletionPolicy: "Delete",
      },
    });
    const name = c.toLowerCase();
    await this.galleries.create(gallery(name, "Groups"));
    if (c === "quotaEdge") await this.galleries.create(gallery(`${name}spend`, "Private"));
    await this.sharings.create({
      apiVersion: "gallery.azure.dev/v1alpha1",
      kind: "GallerySharing",
      metadata: { name, namespace: NAMESPACE },
      spec: { galleryRef: { name }, subscriptions: this.kept[c], deletionPolicy: "Delete" },
    });
    if (c === "failingAddition") this.failPrincipal(c);
    await this.settled(c);
  }

  /**
   * One timed revocation: share with a victim and let it settle, then drop it (with the case's
   * extra change) and time until ARM no longer lists it; then undo the extra change.
   */
  async sample(c: Case): Promise<RevocationSample> {
    const victim = randomUUID();
    await this.edit(c, { subscriptions: [...this.kept[c], victim], roleAssignments: [] });
    await this.settled(c);
    const edit: Partial<GallerySharingSpec> =
      c === "failingAddition"
        ? {
            subscriptions: this.kept[c],
            roleAssignments: [{ principalId: this.principal, principalType: "User", role: "Reader" }],
          }
        : c === "quotaEdge"
          ? { subscriptions: [...this.kept[c], randomUUID()] }
          : { subscriptions: this.kept[c] };
    const quotaLeft = c === "quotaEdge" ? await this.spendQuotaDownTo(c, 1) : undefined;
    const accepted = await this.edit(c, edit);
    const gone = await pollUntil(
      () => (this.sharedWith(c).includes(victim) ? undefined : nowMs()),
      SAMPLE_TIMEOUT_MS,
      10,
    );
    if (c === "quotaEdge") {
      // The swap's Add went in too before the next sample starts.
      this.kept[c] = edit.subscriptions ?? this.kept[c];
    }
    return {
      ms: gone === undefined ? undefined : gone - accepted,
      ...(quotaLeft === undefined ? {} : { quotaLeft }),
    };
  }

  /** Merge-patches the case's GallerySharing; resolves with the time the API server's answer arrived. */
  private async edit(c: Case, spec: Partial<GallerySharingSpec>): Promise<number> {
    await this.sharings.mergePatch({ namespace: NAMESPACE, name: c.toLowerCase() }, { spec });
    return nowMs();
  }

  /** Until the GallerySharing is Ready for its current spec with nothing pending and no operation. */
  private async settled(c: Case): Promise<void> {
    const ok = await pollUntilAsync(async () => {
      const obj = await this.sharings.get({ namespace: NAMESPACE, name: c.toLowerCase() });
      const ready = obj.status?.conditions?.find((x) => x.type === "Ready");
      return ready?.status === "True" &&
        obj.status?.observedGeneration === obj.metadata.generation &&
        !obj.status?.operation
        ? true
        : undefined;
    }, SAMPLE_TIMEOUT_MS);
    if (!ok) throw new Error(`GallerySharing ${c} did not settle`);
  }

  /** The subscriptions ARM shares the case's gallery with now (lower case). */
  private sharedWith(c: Case): string[] {
    const id = this.galleryId(c).toLowerCase();
    const gallery = this.stack.sim.state().galleries.find((g) => g.id.toLowerCase() === id);
    return (gallery?.sharing?.groups ?? [])
      .filter((g) => g.type === "Subscriptions")
      .flatMap((g) => g.ids.map((x) => x.toLowerCase()));
  }

  /** Every role-assignment PUT for the bench's principal at the case's gallery fails with PrincipalNotFound. */
  private failPrincipal(c: Case): void {
    const scope = this.galleryId(c);
    const definition = resolveRoleDefinitionId(this.subscriptions[c], BUILTIN_ROLES.Reader);
    this.stack.sim.fault({
      method: "PUT",
      path: `/roleAssignments/${roleAssignmentName(scope, this.principal, definition)}$`,
      status: 400,
      body: {
        error: {
          code: "PrincipalNotFound",
          message: `Principal ${this.principal.replace(/-/g, "")} does not exist in the directory.`,
        },
      },
      count: -1,
    });
  }

  /**
   * Spends the subscription's PostShareGallery quota (Reset on a Private gallery of its own,
   * which ARM accepts and counts) until `left` calls remain in both of its windows, counting
   * the calls ARM admitted in each window from the simulator's request log. Returns what was left.
   */
  private async spendQuotaDownTo(c: Case, left: number): Promise<number> {
    const remaining = () => {
      const now = nowMs();
      const admitted = this.stack.sim
        .requests()
        .filter(
          (r) =>
            r.bucket === "PostShareGallery" && r.subscriptionId === this.subscriptions[c] && r.status < 400,
        )
        .map((r) => parseArmTime(r.time));
      const within = (windowMs: number) => admitted.filter((t) => t > now - windowMs).length;
      return Math.min(
        QUOTA_3MIN - within(180_000 * this.timeScale),
        QUOTA_30MIN - within(1_800_000 * this.timeScale),
      );
    };
    for (let guard = 0; remaining() > left && guard < QUOTA_30MIN; guard++) {
      const status = await this.postReset(this.galleryId(c, `${c.toLowerCase()}spend`));
      if (status === 429) break;
    }
    return remaining();
  }

  /** One raw `POST …/share` Reset, as another client of the subscription would send it. */
  private postReset(galleryId: string): Promise<number> {
    const url = new URL(`${galleryId}/share?api-version=2023-07-03`, this.stack.sim.endpoint);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: "POST",
          ca: this.stack.sim.caPem,
          headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify({ operationType: "Reset" }));
    });
  }
}

async function pollUntilAsync<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T | undefined> {
  const deadline = nowMs() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined || nowMs() >= deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function markdown(report: RevocationReport): string {
  const ms = (v: number | undefined) => (v === undefined ? "n/a" : `${v} ms`);
  const azure = (v: number | undefined) =>
    v === undefined ? "n/a" : `${(v / report.timeScale / 1000).toFixed(1)} s`;
  const rows = CASES.map((c) => {
    const r = report.cases[c];
    return [
      CASE_TITLES[c],
      ms(r.p50Ms),
      ms(r.p99Ms),
      ms(r.maxMs),
      azure(r.p50Ms),
      azure(r.p99Ms),
      r.timedOut,
    ];
  });
  const left = report.cases.quotaEdge.samples.flatMap((x) =>
    x.quotaLeft === undefined ? [] : [x.quotaLeft],
  );
  return [
    `# Revocation latency (${report.name})`,
    "",
    `Spec edit accepted by the API server → the simulator's gallery no longer lists the dropped subscription. Time scale ${report.timeScale} (Azure time = wall ÷ ${report.timeScale}, an upper bound); ${report.samplesPerCase} samples per case.`,
    "",
    table(["case", "p50", "p99", "max", "p50 (Azure)", "p99 (Azure)", "timed out"], rows),
    "",
    `PostShareGallery calls left in the subscription when the quota-edge edits were made: ${left.length > 0 ? `${Math.min(...left)} to ${Math.max(...left)}` : "n/a"}.`,
    "",
  ].join("\n");
}
