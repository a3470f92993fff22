// A process's memory and CPU as Linux accounts them: VmRSS and VmHWM (peak RSS) from
// /proc/<pid>/status, user + system CPU time from /proc/<pid>/stat; and the whole machine's CPU
// from /proc/stat, so a report can say when a figure measured the machine rather than the operator.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

export interface ProcSample {
  rssMb: number;
  /** Highest RSS the process ever had. */
  peakRssMb: number;
  cpuSeconds: number;
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function statusKb(text: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return match ? Number(match[1]) : 0;
}

/** The process's figures now; undefined when it is gone. */
export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return {
      rssMb: statusKb(status, "VmRSS") / 1024,
      peakRssMb: statusKb(status, "VmHWM") / 1024,
      cpuSeconds: ticks / clockTicks(),
    };
  } catch {
    return undefined;
  }
}

/** Samples a process every second and keeps the largest RSS seen, between `reset`s. */
export class ProcSampler {
  private timer: NodeJS.Timeout | undefined;
  private maxRssMb = 0;

  constructor(readonly pid: number) {}

  start(): void {
    this.timer = setInterval(() => {
      const s = sampleProcess(this.pid);
      if (s) this.maxRssMb = Math.max(this.maxRssMb, s.rssMb);
    }, 1_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The largest RSS since the last reset (or start), and starts a new interval. */
  takeMaxRssMb(): number {
    const now = sampleProcess(this.pid)?.rssMb ?? 0;
    const max = Math.max(this.maxRssMb, now);
    this.maxRssMb = 0;
    return max;
  }
}

/** All cores' time since boot as /proc/stat counts it, in seconds: in use, and in all. */
function sampleMachine(): { busySeconds: number; totalSeconds: number; cores: number } | undefined {
  try {
    const lines = readFileSync("/proc/stat", "utf8").split("\n");
    // user nice system idle iowait irq softirq: time the machine ran or could have run; steal (the
    // hypervisor's) is left out, and guest time is already inside user and nice.
    const ticks = (lines[0] ?? "").trim().split(/\s+/).slice(1, 8).map(Number);
    const total = ticks.reduce((sum, t) => sum + t, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    const cores = lines.filter((line) => /^cpu\d+ /.test(line)).length;
    return { busySeconds: (total - idle) / clockTicks(), totalSeconds: total / clockTicks(), cores };
  } catch {
    return undefined;
  }
}

/** How the machine's CPU went while a phase ran. */
export interface CpuShare {
  cores: number;
  /** Of all cores' time in the phase, the percent some process used. */
  machineBusyPercent: number;
  /** CPU seconds each named process used in the phase. */
  processSeconds: Record<string, number>;
}

/** Where a phase began: the machine's counters and those of the processes it names. */
export interface CpuMark {
  machine: ReturnType<typeof sampleMachine>;
  processes: Record<string, { pid: number; cpuSeconds: number }>;
}

export function cpuMark(pids: Record<string, number>): CpuMark {
  const processes: CpuMark["processes"] = {};
  for (const [name, pid] of Object.entries(pids)) {
    processes[name] = { pid, cpuSeconds: sampleProcess(pid)?.cpuSeconds ?? 0 };
  }
  return { machine: sampleMachine(), processes };
}

/** The CPU used since `mark`, in tenths of a second and whole percent. */
export function cpuSince(mark: CpuMark): CpuShare {
  const now = sampleMachine();
  const before = mark.machine;
  const total = now && before ? now.totalSeconds - before.totalSeconds : 0;
  const busy = now && before ? now.busySeconds - before.busySeconds : 0;
  const processSeconds: Record<string, number> = {};
  for (const [name, { pid, cpuSeconds }] of Object.entries(mark.processes)) {
    const used = (sampleProcess(pid)?.cpuSeconds ?? cpuSeconds) - cpuSeconds;
    processSeconds[name] = Math.round(used * 10) / 10;
  }
  return {
    cores: now?.cores ?? 0,
    machineBusyPercent: total > 0 ? Math.round((busy / total) * 100) : 0,
    processSeconds,
  };
}
