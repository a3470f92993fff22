// The dev state directory: one dev run at a time uses it; each run starts from a clean one (the
// simulated Azure starts empty, so an old cluster's objects would point at resources that are gone)
// and leaves it behind (logs, the manifests it applied) to be read after the run.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { reapStaleControlPlanes } from "../control-plane/index.js";

export interface StateLayout {
  dir: string;
  /** The control plane's data dir: etcd data, certificates, `kubeconfig`, `logs/`. */
  cluster: string;
  /** The manifests as applied (namespaces and subscriptions rewritten), one file per example. */
  manifests: string;
  operatorLog: string;
}

export class StateDirBusyError extends Error {
  override name = "StateDirBusyError";
}

export function stateLayout(dir: string): StateLayout {
  return {
    dir,
    cluster: join(dir, "cluster"),
    manifests: join(dir, "manifests"),
    operatorLog: join(dir, "operator.log"),
  };
}

/**
 * Takes the directory for this process and empties what a previous run left.
 *
 * Flow: 1. refuse when the pid in `dev.pid` is another live process; 2. reap control planes whose
 * owner died (a dev run killed with SIGKILL), so nothing still writes into the directory;
 * 3. remove the previous run's files; 4. write our pid.
 * Returns a release function that removes `dev.pid`.
 * Errors: StateDirBusyError naming the other pid and how to get around it.
 */
export async function claimStateDir(
  dir: string,
): Promise<{ layout: StateLayout; release: () => Promise<void> }> {
  const layout = stateLayout(dir);
  const pidFile = join(dir, "dev.pid");
  await mkdir(dir, { recursive: true });
  const other = Number((await readFile(pidFile, "utf8").catch(() => "")).trim());
  if (Number.isInteger(other) && other > 0 && other !== process.pid && alive(other)) {
    throw new StateDirBusyError(
      `another dev run (pid ${other}) uses ${dir}; stop it, or pass --state-dir for a second one`,
    );
  }
  await reapStaleControlPlanes();
  await Promise.all(
    [layout.cluster, layout.manifests, layout.operatorLog].map((p) =>
      rm(p, { recursive: true, force: true }),
    ),
  );
  await mkdir(layout.manifests, { recursive: true });
  await writeFile(pidFile, `${process.pid}\n`);
  return { layout, release: () => rm(pidFile, { force: true }) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
