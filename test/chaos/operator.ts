// The operator under test, as users run it: `azure-gallery-operator run` in a process of its own,
// the build of a source tree (this one, or `--operator-root` for another checkout such as the code
// before a fix; see `buildOperator`). Its output goes to a file for a human to read; the campaign
// never judges from it.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { simulatorFlags } from "../../src/config.js";
import { endOnExit, forgetOnExit } from "../../tools/control-plane/exit-hooks.js";
import { mintToken } from "../../tools/sim/index.js";

/** The object id in the operator's token: the simulator's log tells its requests apart by it. */
export const OPERATOR_OID = "chaos-operator";

export interface OperatorTarget {
  root: string;
  kubeconfigPath: string;
  armEndpoint: string;
  armCaFile: string;
  tenantId: string;
  namespaces: string[];
  /** The simulator's time scale: the operator's rate-limit windows follow it. */
  timeScale: number;
  logFile: string;
}

/**
 * Builds the operator of `root` (`tsc -p tsconfig.build.json`, a few seconds): a built operator
 * starts in about a second, where running the sources costs several, and a crash step should cost
 * what a real restart costs.
 */
export function buildOperator(root: string): void {
  const built = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  if (built.status !== 0) throw new Error(`building the operator in ${root} failed (exit ${built.status})`);
}

export class OperatorProcess {
  readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(target: OperatorTarget) {
    const log = openSync(target.logFile, "a");
    const args = [
      join(target.root, "dist", "src", "cli.js"),
      "run",
      ...simulatorFlags({
        kubeconfigPath: target.kubeconfigPath,
        endpoint: target.armEndpoint,
        caFile: target.armCaFile,
      }),
      "--namespaces",
      target.namespaces.join(","),
      "--poll-interval",
      "200ms",
      // Short, so outside changes are seen within the convergence bound (docs/reliability.md).
      "--resync-period",
      "5s",
      "--arm-time-scale",
      String(target.timeScale),
      "--log-level",
      "debug",
    ];
    try {
      this.child = spawn(process.execPath, args, {
        cwd: target.root,
        env: {
          ...process.env,
          AGO_ARM_TOKEN: mintToken(
            { tid: target.tenantId, oid: OPERATOR_OID, appid: "azure-gallery-operator" },
            86_400,
          ),
          AZURE_TENANT_ID: target.tenantId,
        },
        stdio: ["ignore", log, log],
      });
    } finally {
      closeSync(log);
    }
    // Ended with the campaign too (Ctrl-C, a crash of its own): a leftover operator would go on
    // writing to a simulator nobody judges, and hold its port and files.
    const pid = this.child.pid;
    if (pid !== undefined) endOnExit(pid);
    this.exited = new Promise((resolve) =>
      this.child.once("exit", () => {
        if (pid !== undefined) forgetOnExit(pid);
        resolve();
      }),
    );
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** kill -9: a crash, nothing flushed, nothing cleaned up. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill("SIGKILL");
    await this.exited;
  }
}
