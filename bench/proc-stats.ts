// A process's memory and CPU as Linux accounts them: VmRSS and VmHWM (peak RSS) from
// /proc/<pid>/status, user + system CPU time from /proc/<pid>/stat.
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
