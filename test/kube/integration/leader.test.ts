// Leader election on a real Lease: one leader at a time; a leader stopped with SIGTERM releases the
// lease and is replaced at once; a leader killed with SIGKILL is replaced once its lease expires.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller } from "../../../src/kube/controller.js";
import { LeaderElector } from "../../../src/kube/leader.js";
import { runManager } from "../../../src/kube/manager.js";
import { ResourceClient } from "../../../src/kube/resource-client.js";
import { KubeTransport } from "../../../src/kube/transport.js";
import { type TestCluster, testCluster } from "../../support/cluster.js";
import { heldThrough } from "../../support/lease.js";
import { ensureTestCrds, eventually, WIDGETS, type Widget, widget } from "../support/widgets.js";

const LEASE_MS = 3_000;
const RENEW_DEADLINE_MS = 2_000;
const RETRY_MS = 300;

interface Candidate {
  identity: string;
  stop: AbortController;
  done: Promise<void>;
  leadingSince?: number;
}

describe("LeaderElector", () => {
  let cluster: TestCluster;
  let namespace: string;
  let transport: KubeTransport;
  const candidates: Candidate[] = [];
  const children: ChildProcess[] = [];
  // Per lease: overlapping terms would mean two leaders at once.
  const leaders = new Map<string, number>();
  const maxLeaders = new Map<string, number>();

  beforeAll(async () => {
    cluster = await testCluster();
    namespace = await cluster.newNamespace("kube-leader");
    transport = new KubeTransport(cluster.kubeConfig);
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    for (const c of candidates) c.stop.abort();
    await Promise.all(candidates.map((c) => c.done));
    await cluster?.kubectl(["delete", "namespace", namespace, "--wait=false"]);
  });

  function candidate(lease: string, identity: string): Candidate {
    const c: Candidate = { identity, stop: new AbortController(), done: Promise.resolve() };
    const elector = new LeaderElector({
      transport,
      namespace,
      name: lease,
      identity,
      leaseDurationMs: LEASE_MS,
      renewDeadlineMs: RENEW_DEADLINE_MS,
      retryPeriodMs: RETRY_MS,
      logger: pino({ level: "silent" }),
      onStartedLeading: async (leading) => {
        const now = (leaders.get(lease) ?? 0) + 1;
        leaders.set(lease, now);
        maxLeaders.set(lease, Math.max(maxLeaders.get(lease) ?? 0, now));
        c.leadingSince = Date.now();
        await new Promise((resolve) => leading.addEventListener("abort", resolve, { once: true }));
        leaders.set(lease, (leaders.get(lease) ?? 1) - 1);
      },
    });
    c.done = elector.run(c.stop.signal);
    candidates.push(c);
    return c;
  }

  it("elects one leader at a time; a released lease is taken over at once", async () => {
    const a = candidate("released", "replica-a");
    const b = candidate("released", "replica-b");
    const first = await eventually("a leader", () => [a, b].find((c) => c.leadingSince));
    const other = first === a ? b : a;
    await heldThrough(cluster, namespace, "released", 2 * LEASE_MS, first.identity);
    expect(other.leadingSince).toBeUndefined();
    expect(maxLeaders.get("released")).toBe(1);

    first.stop.abort();
    await first.done;
    const releasedAt = Date.now();
    await eventually("takeover", () => other.leadingSince);
    const takeoverMs = (other.leadingSince ?? 0) - releasedAt;
    // Released: the next retry (≤ 1.2 × retry period) takes it, long before the lease could expire.
    expect(takeoverMs).toBeLessThan(RETRY_MS * 1.2 + 1_200);
    expect(maxLeaders.get("released")).toBe(1);
  });

  it("a lost lease aborts running reconciles at once, long before another replica may lead", async () => {
    await ensureTestCrds(cluster);
    await new ResourceClient<Widget>(transport, WIDGETS).create(widget(namespace, "busy"));
    let startedAt: number | undefined;
    let abortedAt: number | undefined;
    const controller = new Controller<Widget>({
      resource: WIDGETS,
      transport,
      logger: pino({ level: "silent" }),
      namespace,
      // A reconcile that would write to ARM for ever: it ends only when its signal says so.
      reconcile: ({ signal }) => {
        startedAt ??= Date.now();
        return new Promise((resolve) =>
          signal.addEventListener(
            "abort",
            () => {
              abortedAt ??= Date.now();
              resolve(undefined);
            },
            { once: true },
          ),
        );
      },
    });
    const stop = new AbortController();
    const ended = runManager(
      {
        controllers: [controller],
        logger: pino({ level: "silent" }),
        leaderElection: {
          transport,
          namespace,
          name: "lost-lease",
          identity: "first",
          leaseDurationMs: LEASE_MS,
          renewDeadlineMs: RENEW_DEADLINE_MS,
          retryPeriodMs: RETRY_MS,
        },
      },
      stop.signal,
    );
    try {
      await eventually("the reconcile to run", () => startedAt !== undefined, 30_000);
      // Another replica took the lease (as after a partition): this one must stop writing now.
      const stolenAt = Date.now();
      const patched = await cluster.kubectl([
        "-n",
        namespace,
        "patch",
        "lease",
        "lost-lease",
        "--type",
        "merge",
        "-p",
        JSON.stringify({ spec: { holderIdentity: "second" } }),
      ]);
      expect(patched.stderr).toBe("");
      expect(await ended).toBe("lost");
      expect(abortedAt).toBeDefined();
      // Before the thief's lease could even have expired once: no drain past the loss.
      expect((abortedAt ?? Number.POSITIVE_INFINITY) - stolenAt).toBeLessThan(LEASE_MS);
    } finally {
      stop.abort();
      await ended;
    }
  });

  it("a leader stopped with SIGTERM steps down and releases: another replica takes over at once", async () => {
    const child = await leaderInChildProcess("sigterm", "replica-e");
    const survivor = candidate("sigterm", "replica-f");
    await heldThrough(cluster, namespace, "sigterm", 3 * RETRY_MS, "replica-e");
    expect(survivor.leadingSince).toBeUndefined();

    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    const stoppedAt = Date.now();
    await eventually("takeover after release", () => survivor.leadingSince);
    expect((survivor.leadingSince ?? 0) - stoppedAt).toBeLessThan(RETRY_MS * 1.2 + 1_200);
  });

  it("a leader killed with SIGKILL is replaced once its lease expired", async () => {
    const child = await leaderInChildProcess("sigkill", "replica-g");
    const survivor = candidate("sigkill", "replica-h");
    // Let the survivor watch a few renewals, as a long-running replica would have.
    await heldThrough(cluster, namespace, "sigkill", 5 * RETRY_MS, "replica-g");
    expect(survivor.leadingSince).toBeUndefined();

    child.kill("SIGKILL");
    await once(child, "exit");
    const diedAt = Date.now();
    await eventually("takeover after expiry", () => survivor.leadingSince, 3 * LEASE_MS);
    const takeoverMs = (survivor.leadingSince ?? 0) - diedAt;
    // Not before the lease could have expired (less one renewal interval), not much after.
    expect(takeoverMs).toBeGreaterThan(LEASE_MS - RETRY_MS * 2 - 500);
    expect(takeoverMs).toBeLessThan(LEASE_MS + RETRY_MS * 1.2 + 1_500);
  });

  /** Starts a replica in its own process and resolves once it leads. */
  async function leaderInChildProcess(lease: string, identity: string): Promise<ChildProcess> {
    const here = (file: string) => fileURLToPath(new URL(`../support/${file}`, import.meta.url));
    const child = spawn(
      process.execPath,
      [
        "--experimental-transform-types",
        "--no-warnings",
        "--import",
        fileURLToPath(new URL("../../support/ts-hooks.mjs", import.meta.url)),
        here("elector-child.ts"),
        cluster.kubeconfigPath,
        namespace,
        lease,
        identity,
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          LEASE_MS: String(LEASE_MS),
          RENEW_DEADLINE_MS: String(RENEW_DEADLINE_MS),
          RETRY_MS: String(RETRY_MS),
        },
      },
    );
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await eventually(
      `${identity} leading (stderr: ${stderr})`,
      () => stdout.includes("LEADING") || child.exitCode !== null,
      30_000,
    );
    if (!stdout.includes("LEADING")) throw new Error(`${identity} exited: ${stderr}`);
    return child;
  }
});
