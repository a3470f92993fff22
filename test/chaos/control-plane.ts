// The campaign's Kubernetes: one local control plane (etcd + kube-apiserver as processes) kept for
// the whole run, which the campaign can freeze (SIGSTOP/SIGCONT), kill and restart process by
// process on the same data directory and ports, so clients that stay up reconnect to it.
import { readFile } from "node:fs/promises";
import { endOnExit, forgetOnExit } from "../../tools/control-plane/exit-hooks.js";
import {
  apiserverFlags,
  type ControlPlane,
  dataLayout,
  etcdFlags,
  type Ports,
  pkiPaths,
  startControlPlane,
  stopControlPlaneAt,
  waitForEtcd,
  waitForReadyz,
} from "../../tools/control-plane/index.js";
import { loopbackPortsFree } from "../../tools/control-plane/ports.js";
import { pidAlive, signalGroup, sleep, startProcess } from "../../tools/control-plane/process-group.js";
import { waitFor } from "../support/wait.js";
import type { Restartable } from "./plan.js";

const BINARY: Record<Restartable, string> = { apiserver: "kube-apiserver", etcd: "etcd" };
const READY_TIMEOUT_MS = 60_000;
const PORT_FREE_TIMEOUT_MS = 15_000;
const START_ATTEMPTS = 3;

export interface ChaosControlPlane {
  plane: ControlPlane;
  apiserverPort: number;
  /** SIGSTOP (true) or SIGCONT (false) to the API server: it stops answering, connections stay open. */
  freezeApiserver(frozen: boolean): void;
  /** SIGKILL one process and start it again with the same flags; resolves when it serves again. */
  restart(what: Restartable): Promise<void>;
  stop(): Promise<void>;
}

export async function startChaosControlPlane(): Promise<ChaosControlPlane> {
  const plane = await startControlPlane({ controllerManager: false });
  const layout = dataLayout(plane.dataDir);
  const pki = pkiPaths(layout.pki);
  const ports = JSON.parse(await readFile(layout.ports, "utf8")) as Ports;
  const pids: Record<Restartable, number> = {
    apiserver: pidOf(plane, BINARY.apiserver),
    etcd: pidOf(plane, BINARY.etcd),
  };
  const argsOf = (what: Restartable) =>
    what === "etcd" ? etcdFlags(layout.etcd, ports) : apiserverFlags(pki, layout.apiserverCerts, ports);

  return {
    plane,
    apiserverPort: ports.apiserver,
    freezeApiserver(frozen) {
      signalGroup(pids.apiserver, frozen ? "SIGSTOP" : "SIGCONT");
    },
    async restart(what) {
      await end(pids[what], 0);
      // A SIGKILLed Go binary's main thread can be reaped while its other threads still hold the
      // listening sockets, so a start right away may fail with "address already in use".
      await waitForFreePorts(portsOf(what, ports));
      for (let attempt = 1; ; attempt++) {
        const proc = startProcess(
          BINARY[what],
          `${plane.binDir}/${BINARY[what]}`,
          argsOf(what),
          `${layout.logs}/${BINARY[what]}.log`,
        );
        endOnExit(proc.pid);
        pids[what] = proc.pid;
        const failed = () => (proc.hasExited() ? `${proc.name} exited` : undefined);
        try {
          if (what === "etcd")
            await waitForEtcd(`http://127.0.0.1:${ports.etcdClient}`, READY_TIMEOUT_MS, failed);
          return await waitForReadyz(plane.server, pki, READY_TIMEOUT_MS, failed);
        } catch (err) {
          if (!proc.hasExited() || attempt >= START_ATTEMPTS) throw err;
          await waitForFreePorts(portsOf(what, ports));
        }
      }
    },
    async stop() {
      // The API server first, then the etcd it talks to; then the record and the data directory.
      await end(pids.apiserver, 5_000);
      await end(pids.etcd, 5_000);
      await stopControlPlaneAt(plane.dataDir, 0);
    },
  };
}

/**
 * SIGTERM (unless `graceMs` is 0), SIGKILL after `graceMs`, and wait until the pid is gone. Polls the
 * pid rather than awaiting the child's exit event: for processes killed and restarted here that
 * event did not always come, and a stop waiting on it never returned.
 */
async function end(pid: number, graceMs: number): Promise<void> {
  signalGroup(pid, "SIGCONT");
  if (graceMs > 0) signalGroup(pid, "SIGTERM");
  for (const killAt = Date.now() + graceMs; pidAlive(pid) && Date.now() < killAt; ) await sleep(50);
  signalGroup(pid, "SIGKILL");
  for (const deadline = Date.now() + 10_000; pidAlive(pid) && Date.now() < deadline; ) await sleep(50);
  forgetOnExit(pid);
}

function portsOf(what: Restartable, ports: Ports): number[] {
  return what === "etcd" ? [ports.etcdClient, ports.etcdPeer] : [ports.apiserver];
}

/** Waits until the ports can be listened on again on loopback. */
async function waitForFreePorts(list: number[]): Promise<void> {
  await waitFor(
    `ports ${list.join(", ")} to be free after their process ended`,
    () => loopbackPortsFree(list),
    {
      timeoutMs: PORT_FREE_TIMEOUT_MS,
    },
  );
}

function pidOf(plane: ControlPlane, name: string): number {
  const proc = plane.processes.find((p) => p.name === name);
  if (!proc) throw new Error(`the control plane runs no ${name}`);
  return proc.pid;
}
