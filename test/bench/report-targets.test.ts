// How a benchmark report judges target 5 (several subscriptions at once), and the CPU figures that
// say whether a phase measured the machine: at compressed time the run's own figure is reported
// beside the machine's load and the target is judged from the run at Azure's speed next to it
// (docs/benchmarks.md#several-subscriptions-at-once).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cpuMark, cpuSince } from "../../bench/proc-stats.js";
import { type PastReport, scenarioReports } from "../../bench/report/compare.js";
import { judgeTargets } from "../../bench/report/targets.js";
import type { BenchReport } from "../../bench/report/types.js";

type Judged = Omit<BenchReport, "targets">;

/** A report with the fields the targets read: a converged main workload and the five-subscription phase. */
function report(timeScale: number, subscriptionsRatio: number): Judged {
  const converged = { ratio: 1.05, ready: 10, objects: 10, calls: { throttled: 0 } };
  const fixture = {
    settings: { timeScale, quick: false, shape: { subscriptions: 1 } },
    versions: { commit: "abc1234" },
    convergence: converged,
    subscriptions: {
      ...converged,
      ratio: subscriptionsRatio,
      subscriptions: 5,
      cpu: { cores: 2, machineBusyPercent: 98, processSeconds: {} },
    },
  };
  return fixture as unknown as Judged;
}

function atAzureSpeed(
  name: string,
  ratio: number | undefined,
  timeScale = 1,
  commit = "abc1234",
): PastReport {
  const fixture = {
    name,
    versions: { commit },
    settings: { timeScale, quick: false, shape: { subscriptions: 5 } },
    convergence: { ratio, ready: 10, objects: 10, calls: { throttled: 0 } },
  };
  return fixture as unknown as PastReport;
}

const rowsNamed = (rows: ReturnType<typeof judgeTargets>, part: string) =>
  rows.filter((row) => row.name.includes(part));

describe("target 5 in a benchmark report", () => {
  it("judges the run's own figure when it ran at Azure's speed", () => {
    const [row, ...rest] = rowsNamed(judgeTargets(report(1, 1.3)), "subscriptions at once /");
    expect(rest).toEqual([]);
    expect(row).toMatchObject({ measured: "1.3x", met: false, missedBy: "0.2x" });
  });

  it("at compressed time, reports its own figure with the machine's load and judges the run at Azure's speed", () => {
    const rows = judgeTargets(report(0.1, 1.5), {
      subscriptionsAtAzureSpeed: atAzureSpeed("2026-12-08-scale1-five-subs", 1.04),
    });
    const [compressed, fast] = rowsNamed(rows, "subscriptions at once /");
    expect(compressed).toMatchObject({ measured: "1.5x (machine CPU 98% busy)", met: undefined });
    expect(compressed?.name).toContain("time scale 0.1");
    expect(fast).toMatchObject({ measured: "1.04x", met: true });
    expect(fast?.name).toContain("2026-12-08-scale1-five-subs");
    expect(fast?.name).not.toContain("commit");
  });

  it("names the commit of a run at Azure's speed made on other code", () => {
    const rows = judgeTargets(report(0.1, 1.5), {
      subscriptionsAtAzureSpeed: atAzureSpeed("older", 1.04, 1, "0000000"),
    });
    expect(rowsNamed(rows, "subscriptions at once /")[1]?.name).toContain("commit 0000000");
  });

  it("at compressed time with no run at Azure's speed, counts target 5 as missed, not met", () => {
    const [, fast] = rowsNamed(judgeTargets(report(0.1, 1.05)), "subscriptions at once /");
    expect(fast).toMatchObject({ met: false, missedBy: "not measured" });
  });

  it("a run at Azure's speed that did not converge misses the target", () => {
    const rows = judgeTargets(report(0.1, 1.05), { subscriptionsAtAzureSpeed: atAzureSpeed("x", undefined) });
    expect(rowsNamed(rows, "subscriptions at once /")[1]).toMatchObject({
      met: false,
      missedBy: "did not converge",
    });
  });
});

describe("the run at Azure's speed next to a report", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, fixture: PastReport) =>
    writeFileSync(join(dir ?? "", `${name}.json`), JSON.stringify(fixture));

  it("is the newest by name whose settings are time scale 1 over several subscriptions", () => {
    dir = mkdtempSync(join(tmpdir(), "bench-reports-"));
    write("2026-12-07-scale1-five-subs", atAzureSpeed("2026-12-07-scale1-five-subs", 1.06));
    write("2026-12-08-scale1-five-subs", atAzureSpeed("2026-12-08-scale1-five-subs", 1.04));
    expect(scenarioReports(dir).subscriptionsAtAzureSpeed?.name).toBe("2026-12-08-scale1-five-subs");
  });

  it("is not a report so named that ran at compressed time", () => {
    dir = mkdtempSync(join(tmpdir(), "bench-reports-"));
    write("2026-12-08-scale1-five-subs", atAzureSpeed("2026-12-08-scale1-five-subs", 1.04, 0.1));
    expect(scenarioReports(dir).subscriptionsAtAzureSpeed).toBeUndefined();
  });
});

describe("CPU in a phase", () => {
  it("counts the machine's busy share and a named process's seconds", () => {
    const mark = cpuMark({ benchmark: process.pid });
    const start = process.cpuUsage();
    const usedMs = () => {
      const { user, system } = process.cpuUsage(start);
      return (user + system) / 1000;
    };
    // Spin until this process itself used 300 ms of CPU, however busy the machine is.
    while (usedMs() < 300);
    const cpu = cpuSince(mark);
    expect(cpu.cores).toBeGreaterThan(0);
    // The kernel counts in clock ticks (10 ms): 300 ms of CPU reads as at least 0.2 s.
    expect(cpu.processSeconds.benchmark).toBeGreaterThanOrEqual(0.2);
    expect(cpu.machineBusyPercent).toBeGreaterThan(0);
    expect(cpu.machineBusyPercent).toBeLessThanOrEqual(100);
  });
});
