// A real Kubernetes control plane (etcd + kube-apiserver, and kube-controller-manager on request) as
// local processes on 127.0.0.1: what envtest is to controller-runtime, for tests, `dev` and benchmarks.
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AuditLog, auditFlags, prepareAuditLog } from "./audit.js";
import { resolveBinDir } from "./binaries.js";
import { endOnExit, forgetOnExit } from "./exit-hooks.js";
import { apiserverFlags, controllerManagerFlags, etcdFlags } from "./flags.js";
import { type KubectlOptions, type KubectlResult, runKubectl } from "./kubectl.js";
import { type PreparedControlPlane, prepareControlPlane } from "./prepare.js";
import { type RunningProcess, startProcess, stopProcess } from "./process-group.js";
import { waitForEtcd, waitForReadyz } from "./readiness.js";
import {
  dropRecord,
  ownerOfThisProcess,
  type ProcessOwner,
  type RunRecord,
  reapStaleRecords,
  writeRecord,
} from "./run-records.js";

export interface ControlPlaneOptions {
  /**
   * Where etcd data, certificates, logs and the kubeconfig live. Start again with the same directory
   * and the objects are still there. Default: a new temporary directory.
   */
  dataDir?: string;
  /** Keep `dataDir` on stop. Default: true for a caller-given `dataDir`, false for a temporary one. */
  keepDataDir?: boolean;
  /** Also run kube-controller-manager (namespace deletion, garbage collection, SA tokens). Default false. */
  controllerManager?: boolean;
  /** Directory with the binaries. Default: `resolveBinDir()` (builds them on first use). */
  binDir?: string;
  /** How long to wait for `/readyz`. Default 120 s (a cold first start on a small machine). */
  readyTimeoutMs?: number;
  /**
   * Let the processes outlive this one and every other (`cluster up`): no owner, never reaped; end
   * them with `stopControlPlaneAt(dataDir)`. Requires `dataDir`. Default false.
   */
  detach?: boolean;
  /**
   * The process whose death ends the processes, when it is not this one (a vitest worker starting
   * the cluster the main process will stop). This process then neither kills them on exit nor
   * expects to: stop them with `stopControlPlaneAt(dataDir)`. Default: this process.
   */
  owner?: ProcessOwner;
  /**
   * Have kube-apiserver write an audit log of service accounts' requests (metadata only) to
   * `auditLogPath`: what a workload really calls, for deriving its RBAC. Default false.
   */
  auditLog?: boolean;
}

export interface ControlPlane {
  /** `https://127.0.0.1:<port>` */
  server: string;
  /** Admin kubeconfig (user `admin`, group `system:masters`), certificates embedded. */
  kubeconfigPath: string;
  caFile: string;
  binDir: string;
  dataDir: string;
  /** With `auditLog`: the audit log, JSON lines (see tools/control-plane/audit.ts). */
  auditLogPath?: string;
  /** Milliseconds from the call to `/readyz` answering 200. */
  startupMs: number;
  /** The processes it runs (each leads its own process group). */
  processes: readonly { name: string; pid: number }[];
  /** kubectl against this control plane; see `runKubectl`. */
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** Ends the processes (newest first) and removes the data dir unless kept. Idempotent. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5_000;

/**
 * Starts etcd and kube-apiserver (and optionally kube-controller-manager) on free loopback ports.
 *
 * Expected flow:
 * 1. Reap control planes left running by dead owners (a crashed or SIGKILLed test run).
 * 2. Prepare the data dir: CA and certificates (reused when present), ports, admin kubeconfig.
 * 3. Start etcd, wait for its `/health`, then start kube-apiserver: each in its own process group,
 *    logs in `<dataDir>/logs/`, pids recorded as soon as they exist.
 * 4. Wait for `/readyz`; then start kube-controller-manager if asked.
 *
 * Guarantees:
 * - TLS everywhere the apiserver serves; clients authenticate with certificates from the control
 *   plane's own CA; authorization is Node,RBAC; ValidatingAdmissionPolicy admission is on;
 *   service-account tokens are signed with a key in the data dir.
 * - Unless `detach` or `owner` says otherwise, the processes end when this process exits or gets
 *   SIGINT/SIGTERM/SIGHUP; whatever their owner, a later start reaps them once the owner is dead.
 * - On failure everything started is stopped again and the error carries the tail of the logs.
 *
 * Assumptions: `openssl` is on PATH; nothing else uses the data dir at the same time.
 *
 * Caveats: no nodes, no scheduler: pods are stored, never run. kube-controller-manager is started
 * but not waited for: the first namespace deletion may take a few seconds longer.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const began = Date.now();
  if (options.detach && !options.dataDir) throw new Error("a detached control plane needs a dataDir");
  if (options.detach && options.owner) throw new Error("a detached control plane has no owner");
  await reapStaleRecords();
  const binDir = options.binDir ?? (await resolveBinDir());
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "ago-control-plane-")));
  await mkdir(dataDir, { recursive: true });
  const keepDataDir = options.keepDataDir ?? options.dataDir !== undefined;

  const owner = options.detach ? undefined : (options.owner ?? ownerOfThisProcess());
  const ownedHere = owner?.pid === process.pid;
  const record: RunRecord = {
    dataDir,
    ...(owner ? { owner } : {}),
    processes: [],
    removeDataDir: !keepDataDir,
  };
  const running: RunningProcess[] = [];
  const launch = async (name: string, args: string[], logsDir: string) => {
    const proc = startProcess(name, join(binDir, name), args, join(logsDir, `${name}.log`));
    running.push(proc);
    if (ownedHere) endOnExit(proc.pid);
    record.processes.push({ name: proc.name, pid: proc.pid, bin: proc.bin });
    await writeRecord(record);
  };

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await stopAll(running, dataDir);
      if (!keepDataDir) await rm(dataDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  let prepared: PreparedControlPlane | undefined;
  let audit: AuditLog | undefined;
  try {
    prepared = await prepareControlPlane(dataDir);
    const { layout, pki, ports, server } = prepared;
    const timeoutMs = options.readyTimeoutMs ?? 120_000;
    const failed = () => {
      const dead = running.find((p) => p.hasExited());
      return dead && `${dead.name} exited`;
    };
    await launch("etcd", etcdFlags(layout.etcd, ports), layout.logs);
    await waitForEtcd(`http://127.0.0.1:${ports.etcdClient}`, timeoutMs, failed);
    audit = options.auditLog ? await prepareAuditLog(dataDir, layout.logs) : undefined;
    const apiserverArgs = [
      ...apiserverFlags(pki, layout.apiserverCerts, ports),
      ...(audit ? auditFlags(audit) : []),
    ];
    await launch("kube-apiserver", apiserverArgs, layout.logs);
    await waitForReadyz(server, pki, timeoutMs, failed);
    if (options.controllerManager) {
      await launch("kube-controller-manager", controllerManagerFlags(pki, layout.kubeconfig), layout.logs);
    }
  } catch (err) {
    const logs = prepared ? await logTails(prepared.layout.logs, running) : "";
    await stopAll(running, dataDir);
    // Keep the evidence: a temporary data dir with logs in it stays, so they can be read.
    const evidence = running.length > 0;
    if (!keepDataDir && !evidence) await rm(dataDir, { recursive: true, force: true });
    const keptFor = !keepDataDir && evidence ? ` (logs kept in ${dataDir}/logs)` : "";
    throw new Error(`${err instanceof Error ? err.message : String(err)}${keptFor}${logs}`, { cause: err });
  }

  const { layout, pki, server } = prepared;
  return {
    server,
    kubeconfigPath: layout.kubeconfig,
    caFile: pki.caCert,
    binDir,
    dataDir,
    ...(audit ? { auditLogPath: audit.logPath } : {}),
    startupMs: Date.now() - began,
    processes: running.map(({ name, pid }) => ({ name, pid })),
    kubectl: (args, opts) => runKubectl(binDir, layout.kubeconfig, args, opts),
    stop,
  };
}

async function stopAll(running: RunningProcess[], dataDir: string): Promise<void> {
  for (const proc of [...running].reverse()) {
    await stopProcess(proc, STOP_GRACE_MS);
    forgetOnExit(proc.pid);
  }
  await dropRecord(dataDir);
}

async function logTails(logsDir: string, running: RunningProcess[]): Promise<string> {
  const tails = await Promise.all(
    running.map(async (proc) => {
      const text = await readFile(join(logsDir, `${proc.name}.log`), "utf8").catch(() => "");
      const lines = text.trimEnd().split("\n").slice(-15).join("\n");
      return `\n--- ${proc.name} (${proc.hasExited() ? await proc.exited : "running"}), last lines:\n${lines}`;
    }),
  );
  return tails.join("");
}
