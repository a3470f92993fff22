// The one cluster a test run shares, started on first use. The vitest global setup (main process)
// only decides which cluster and where its state goes; the first test file that asks for the cluster
// starts it, later files (other worker processes) find it ready, and the global teardown stops it.
// A run of unit tests alone therefore never pays for a control plane.
import { open, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  ownerAlive,
  ownerOfThisProcess,
  type ProcessOwner,
  startControlPlane,
  stopControlPlaneAt,
} from "../../tools/control-plane/index.js";
import type { SharedCluster } from "./cluster.js";

/** Which cluster, decided by the global setup from TEST_KUBECONFIG / TEST_CLUSTER. */
export type ClusterChoice = "kubeconfig" | "processes" | "containers" | "k3s" | "none";

/** What the global setup hands to every test file (serialisable: it crosses processes). */
export interface ClusterPlan {
  choice: ClusterChoice;
  /** For `kubeconfig`: the cluster to use. */
  kubeconfigPath?: string;
  /** Host directory holding kubectl, helm, etcd, kube-apiserver. */
  binDir: string;
  /** Scratch directory of this run: lock, ready file, control-plane data. */
  stateDir: string;
  /** The vitest main process: the cluster dies with it, whichever worker started it. */
  owner: ProcessOwner;
}

/** How the global teardown ends what a worker started. */
export type Teardown = { kind: "control-plane"; dataDir: string } | { kind: "containers"; ids: string[] };

export interface StartedCluster {
  shared: SharedCluster;
  teardown: Teardown;
}

type Outcome = { ok: true; started: StartedCluster } | { ok: false; error: string };

const WAIT_FOR_OTHER_STARTER_MS = 15 * 60_000;

/**
 * The run's shared cluster, starting it if no test file has yet.
 *
 * Flow:
 * 1. `kubeconfig`: nothing to start. `none`: throws (the run was asked not to have a cluster).
 * 2. Otherwise the first caller to create `<stateDir>/start.lock` starts the chosen cluster and
 *    writes the outcome to `<stateDir>/outcome.json`; every other caller waits for that file.
 *
 * Guarantees: at most one cluster per run; a failed start fails every caller with the same message
 * (no second attempt per test file); a starter that died mid-start fails the waiters at once.
 */
export async function ensureSharedCluster(plan: ClusterPlan): Promise<SharedCluster> {
  if (plan.choice === "none") {
    throw new Error("TEST_CLUSTER=none: this run has no cluster; unset it to run tests that need one");
  }
  if (plan.choice === "kubeconfig") {
    return { kind: "kubeconfig", kubeconfigPath: plan.kubeconfigPath ?? "", binDir: plan.binDir };
  }
  const outcomeFile = join(plan.stateDir, "outcome.json");
  const outcome = (await takeLock(plan.stateDir))
    ? await startAndRecord(plan, outcomeFile)
    : await waitFor(plan.stateDir, outcomeFile);
  if (!outcome.ok) throw new Error(`the shared test cluster failed to start: ${outcome.error}`);
  return outcome.started.shared;
}

/** Stops the shared cluster if a worker started one (global teardown, main process). */
export async function stopSharedCluster(plan: ClusterPlan): Promise<void> {
  const outcome = await readOutcome(join(plan.stateDir, "outcome.json"));
  if (!outcome?.ok) return;
  const { teardown } = outcome.started;
  if (teardown.kind === "control-plane") await stopControlPlaneAt(teardown.dataDir);
  else await (await import("./cluster-containers.js")).removeContainers(teardown.ids);
}

async function startAndRecord(plan: ClusterPlan, outcomeFile: string): Promise<Outcome> {
  let outcome: Outcome;
  try {
    outcome = { ok: true, started: await startChosen(plan) };
  } catch (err) {
    outcome = { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  // Written whole and renamed into place, so a waiter never reads half of it.
  await writeFile(`${outcomeFile}.tmp`, JSON.stringify(outcome));
  await rename(`${outcomeFile}.tmp`, outcomeFile);
  return outcome;
}

async function startChosen(plan: ClusterPlan): Promise<StartedCluster> {
  switch (plan.choice) {
    case "containers":
      return (await import("./cluster-containers.js")).startContainersCluster(plan);
    case "k3s":
      return (await import("./cluster-k3s.js")).startK3sCluster(plan);
    default: {
      // kube-controller-manager makes namespace deletion and garbage collection work, as users expect.
      const dataDir = join(plan.stateDir, "control-plane");
      const plane = await startControlPlane({
        dataDir,
        keepDataDir: false,
        controllerManager: true,
        binDir: plan.binDir,
        owner: plan.owner,
      });
      process.stderr.write(
        `test cluster (processes) ready in ${plane.startupMs} ms: ${plane.kubeconfigPath}\n`,
      );
      return {
        shared: { kind: "processes", kubeconfigPath: plane.kubeconfigPath, binDir: plane.binDir },
        teardown: { kind: "control-plane", dataDir },
      };
    }
  }
}

// The lock names its holder, so a waiter can tell a slow start from a dead starter.
async function takeLock(stateDir: string): Promise<boolean> {
  try {
    const lock = await open(lockPath(stateDir), "wx");
    await lock.writeFile(JSON.stringify(ownerOfThisProcess()));
    await lock.close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}

function lockPath(stateDir: string): string {
  return join(stateDir, "start.lock");
}

async function waitFor(stateDir: string, outcomeFile: string): Promise<Outcome> {
  const deadline = Date.now() + WAIT_FOR_OTHER_STARTER_MS;
  for (;;) {
    const outcome = await readOutcome(outcomeFile);
    if (outcome) return outcome;
    const starter = await readFile(lockPath(stateDir), "utf8").then(
      (text) => (text ? (JSON.parse(text) as ProcessOwner) : undefined),
      () => undefined,
    );
    if (starter && !ownerAlive(starter)) {
      return { ok: false, error: `the test file that was starting it (pid ${starter.pid}) died first` };
    }
    if (Date.now() > deadline) return { ok: false, error: "another test file started it and never finished" };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function readOutcome(outcomeFile: string): Promise<Outcome | undefined> {
  try {
    return JSON.parse(await readFile(outcomeFile, "utf8")) as Outcome;
  } catch {
    return undefined; // not written yet
  }
}
