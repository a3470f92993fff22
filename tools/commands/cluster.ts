// `npm run cluster -- up|down|status`: the local control plane for humans. `up` leaves
// etcd, kube-apiserver and kube-controller-manager running in the background after the command ends;
// everything (data, certificates, logs, kubeconfig) lives in ~/.cache/azure-gallery-operator/cluster/,
// so `down` then `up` brings the same objects back.
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  cacheRoot,
  controlPlaneStatusAt,
  dataLayout,
  pkiPaths,
  type RecordedStatus,
  startControlPlane,
  stopControlPlaneAt,
  waitForReadyz,
} from "../control-plane/index.js";

const USAGE = `usage: npm run cluster -- <up|down|status> [flags]

  up       start the local control plane in the background (etcd, kube-apiserver,
           kube-controller-manager) and print its kubeconfig
             --no-controller-manager   without kube-controller-manager
  down     stop it; its objects are kept for the next "up"
             --purge                   also delete its data, certificates and logs
  status   say whether it runs and answers /readyz (exit code 3 when it does not)

state: $AGO_CACHE_DIR/cluster (default ~/.cache/azure-gallery-operator/cluster)
`;

/** What `up` leaves for `status` beside the process record. */
interface ClusterState {
  server: string;
  kubeconfigPath: string;
  startedAt: string;
}

const NOT_RUNNING = 3;

export default async function cluster(args: string[]): Promise<number> {
  const [sub, ...flags] = args;
  const known: Record<string, string[]> = { up: ["--no-controller-manager"], down: ["--purge"], status: [] };
  const allowed = sub ? known[sub] : undefined;
  const unknown = flags.filter((f) => !allowed?.includes(f));
  if (!allowed || unknown.length > 0) {
    process.stderr.write(`${unknown.length > 0 ? `unknown flag ${unknown.join(" ")}\n\n` : ""}${USAGE}`);
    return 2;
  }
  const dir = clusterDir();
  switch (sub) {
    case "up":
      return up(dir, !flags.includes("--no-controller-manager"));
    case "down":
      return down(dir, flags.includes("--purge"));
    default:
      return status(dir);
  }
}

function clusterDir(): string {
  return join(cacheRoot(), "cluster");
}

async function up(dir: string, controllerManager: boolean): Promise<number> {
  const current = await controlPlaneStatusAt(dir);
  const state = await readState(dir);
  if (allRunning(current) && state) {
    say(`already running at ${state.server} (since ${state.startedAt})`);
    printKubeconfig(state.kubeconfigPath);
    return 0;
  }
  // Half a control plane (say etcd died) is worse than none: end what is left and start afresh.
  if (current.recorded) await stopControlPlaneAt(dir);

  say(`starting etcd, kube-apiserver${controllerManager ? ", kube-controller-manager" : ""} ...`);
  const plane = await startControlPlane({ dataDir: dir, detach: true, controllerManager });
  const started: ClusterState = {
    server: plane.server,
    kubeconfigPath: plane.kubeconfigPath,
    startedAt: new Date().toISOString(),
  };
  await writeFile(statePath(dir), `${JSON.stringify(started, null, 2)}\n`);
  say(
    `ready in ${(plane.startupMs / 1000).toFixed(1)} s at ${plane.server}; logs in ${dataLayout(dir).logs}`,
  );
  printKubeconfig(plane.kubeconfigPath);
  return 0;
}

async function down(dir: string, purge: boolean): Promise<number> {
  const current = await controlPlaneStatusAt(dir);
  await stopControlPlaneAt(dir);
  await rm(statePath(dir), { force: true });
  say(current.processes.some((p) => p.running) ? "stopped" : "was not running");
  if (purge) {
    await rm(dir, { recursive: true, force: true });
    say(`deleted ${dir}`);
  }
  return 0;
}

async function status(dir: string): Promise<number> {
  const current = await controlPlaneStatusAt(dir);
  const state = await readState(dir);
  if (!current.recorded || !state) {
    say("not running (start it with: npm run cluster -- up)");
    return NOT_RUNNING;
  }
  for (const p of current.processes)
    say(`${p.name.padEnd(24)} pid ${p.pid}  ${p.running ? "running" : "NOT RUNNING"}`);
  const ready = await answersReadyz(dir, state.server);
  say(`${state.server} ${ready ? "is ready" : "does not answer /readyz"}`);
  say(`kubeconfig: ${state.kubeconfigPath}`);
  return ready && allRunning(current) ? 0 : NOT_RUNNING;
}

async function answersReadyz(dir: string, server: string): Promise<boolean> {
  try {
    await waitForReadyz(server, pkiPaths(dataLayout(dir).pki), 2_000, () => undefined);
    return true;
  } catch {
    return false;
  }
}

function allRunning(current: RecordedStatus): boolean {
  return current.processes.length > 0 && current.processes.every((p) => p.running);
}

function statePath(dir: string): string {
  return join(dir, "state.json");
}

async function readState(dir: string): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(statePath(dir), "utf8")) as ClusterState;
  } catch {
    return undefined;
  }
}

function printKubeconfig(path: string): void {
  process.stdout.write(`kubeconfig: ${path}\nexport KUBECONFIG=${path}\n`);
}

function say(message: string): void {
  process.stdout.write(`cluster: ${message}\n`);
}
