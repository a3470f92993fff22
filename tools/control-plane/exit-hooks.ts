// Ends the control-plane processes this process owns when it exits or is told to stop, so a test
// run ended by Ctrl-C does not leave etcd and kube-apiserver behind. (What even this cannot catch,
// SIGKILL, the next start reaps: see run-records.)
import { signalGroup } from "./process-group.js";

const liveGroups = new Set<number>();
let installed = false;

/**
 * Registers a child process group to be killed when this process exits or gets SIGINT, SIGTERM or
 * SIGHUP.
 *
 * Caveats: a signal handler replaces Node's default "exit on signal"; when ours is the only handler
 * we remove it and re-raise the signal, so the process still ends as the sender intended.
 */
export function endOnExit(pid: number): void {
  liveGroups.add(pid);
  if (installed) return;
  installed = true;
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      killAll();
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

export function forgetOnExit(pid: number): void {
  liveGroups.delete(pid);
}

function killAll(): void {
  for (const pid of liveGroups) signalGroup(pid, "SIGKILL");
  liveGroups.clear();
}
