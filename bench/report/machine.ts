// Where and with what a run happened: the machine (CPU, memory, load), and the versions of the
// operator, Node, the control plane and the commit, so two reports can be told apart.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { basename, dirname, join } from "node:path";

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGb: number;
  kernel: string;
  /** 1, 5 and 15-minute load averages when the run began and ended (other work shares the machine). */
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
}

export interface Versions {
  operator: string;
  node: string;
  /** The control plane's binaries (Kubernetes, etcd), from their pinned build directory. */
  controlPlane: string;
  commit: string;
  /** True when tracked files had changes the commit does not hold. */
  dirty: boolean;
}

const loads = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

export function machineInfo(): Omit<MachineInfo, "loadAverageAtEnd"> {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cpus: cpus.length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    loadAverageAtStart: loads(),
  };
}

export function loadAverage(): number[] {
  return loads();
}

export function versions(repoRoot: string, binDir: string): Versions {
  const git = (args: string[]) => {
    try {
      return execFileSync("git", args, { cwd: repoRoot, encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version?: string };
  return {
    operator: pkg.version ?? "unknown",
    node: process.version,
    controlPlane: basename(dirname(binDir)),
    commit: git(["rev-parse", "--short", "HEAD"]) || "unknown",
    // Tracked files only: a run's own untracked reports (or a worktree's node_modules link) are not code.
    dirty: git(["status", "--porcelain", "--untracked-files=no"]).length > 0,
  };
}
