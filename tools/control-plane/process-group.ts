// One control-plane binary as a child in a process group of its own. Its own group means a signal
// aimed at us (Ctrl-C in a terminal) does not reach it by accident, and ending it by group id also
// ends anything it started.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

/** What a record keeps about a process, enough to find and end it from another process later. */
export interface ProcessRef {
  name: string;
  pid: number;
  /** Absolute path of the binary, checked before signalling a recorded pid (pids get reused). */
  bin: string;
}

export interface RunningProcess extends ProcessRef {
  /** Resolves when the process exits, with a description such as "exit code 1" or "signal SIGKILL". */
  exited: Promise<string>;
  /** Whether it has exited already (as seen by this process). */
  hasExited(): boolean;
}

/**
 * Starts `bin` with `args`, detached into its own session and process group, stdout and stderr
 * appended to `logFile`.
 *
 * Guarantees: the child does not keep the Node event loop alive (callers end it explicitly, and
 * `exit-hooks` ends it when this process exits).
 *
 * Errors: a binary that cannot be executed shows up as `exited` resolving with the spawn error.
 */
export function startProcess(name: string, bin: string, args: string[], logFile: string): RunningProcess {
  const log = openSync(logFile, "a");
  let done = false;
  try {
    const child = spawn(bin, args, { detached: true, stdio: ["ignore", log, log] });
    const exited = new Promise<string>((resolve) => {
      child.once("error", (err) => {
        done = true;
        resolve(`failed to start: ${err.message}`);
      });
      child.once("exit", (code, signal) => {
        done = true;
        resolve(signal ? `signal ${signal}` : `exit code ${code}`);
      });
    });
    child.unref();
    return { name, bin, pid: child.pid ?? -1, exited, hasExited: () => done };
  } finally {
    closeSync(log);
  }
}

/**
 * Ends a process this process started: SIGTERM to its group, SIGKILL after `graceMs`.
 *
 * Guarantees: resolves only once the process has exited.
 */
export async function stopProcess(proc: RunningProcess, graceMs: number): Promise<void> {
  if (proc.hasExited()) return;
  signalGroup(proc.pid, "SIGTERM");
  const timer = setTimeout(() => signalGroup(proc.pid, "SIGKILL"), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

/**
 * Ends a recorded process that may belong to another (or a dead) Node process: SIGTERM to its group,
 * SIGKILL once `graceMs` has passed (at once when it is 0), then waits up to 5 s for it to disappear.
 *
 * Guarantees: does nothing when the pid is gone or now runs some other program.
 */
export async function endRecordedProcess(ref: ProcessRef, graceMs: number): Promise<void> {
  if (!isRunning(ref)) return;
  if (graceMs > 0) {
    signalGroup(ref.pid, "SIGTERM");
    if (await waitUntilGone(ref, graceMs)) return;
  }
  signalGroup(ref.pid, "SIGKILL");
  await waitUntilGone(ref, 5_000);
}

async function waitUntilGone(ref: ProcessRef, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isRunning(ref)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Whether `ref.pid` is alive and still runs `ref.bin` (where /proc can tell). */
export function isRunning(ref: ProcessRef): boolean {
  if (!pidAlive(ref.pid)) return false;
  const exe = commandOf(ref.pid);
  // Empty while the process is exiting (its memory, argv included, is released before it becomes a
  // zombie): still ours, and still holding its files and ports.
  return exe === undefined || exe === "" || exe === ref.bin;
}

/** Sends `signal` to the group led by `pid` (and to `pid` alone if it has no group of its own). */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
      return;
    } catch {
      // ESRCH: no such group (or already gone); try the single process, then give up quietly.
    }
  }
}

export function pidAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The process's start time in clock ticks since boot (Linux), so a reused pid is not mistaken for it. */
export function processStartTime(pid: number): string | undefined {
  const stat = readProc(pid, "stat");
  // Field 22 counts from after the parenthesised command name, which may itself contain spaces.
  return stat?.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
}

function commandOf(pid: number): string | undefined {
  return readProc(pid, "cmdline")?.split("\0")[0];
}

// A killed child of a dead parent lingers as a zombie until init reaps it; it is not running.
function isZombie(pid: number): boolean {
  const stat = readProc(pid, "stat");
  return stat?.slice(stat.lastIndexOf(")") + 2).startsWith("Z") ?? false;
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
