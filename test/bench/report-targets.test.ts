// How a benchmark report judges target 5 (several subscriptions at once), and the CPU figures that
// say whether a phase measured the machine: at compressed time the run's own ratio is reported
// beside the machine's load, the subscriptions' writes must still go side by side, and the ratio is
// judged from the run at Azure's speed next to it (docs/benchmarks.md#several-subscriptions-at-once).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cpuMark, cpuSince } from "../../bench/proc-stats.js";
import { type PastReport, scenarioReports } from "../../bench/report/compare.js";
import { renderMarkdown } from "../../bench/report/markdown.js";
import { judgeTargets } from "../../bench/report/targets.js";
import type { BenchReport, TargetRow } from "../../bench/report/types.js";

type Judged = Omit<BenchReport, "targets">;

const SIDE_BY_SIDE = [35.3, 35.5, 35.9, 35.4, 35.7];
/** What pacing that served one subscription after another would show: 64.8 s of writes, a fifth each. */
const ONE_AFTER_ANOTHER = [6.5, 19.4, 32.4, 45.4, 58.3];

/** A report with the fields the targets read: a converged main workload and the five-subscription phase. */
function report(
  timeScale: number,
  ratio: number,
  options: { quick?: boolean; medians?: number[] } = {},
): Judged {
  const converged = { ratio: 1.05, ready: 10, objects: 10, calls: { throttled: 0 } };
  const fixture = {
    settings: { timeScale, quick: options.quick ?? false, scale: 1, shape: { subscriptions: 1 } },
    versions: { commit: "abc1234" },
    convergence: converged,
    subscriptions: {
      ...converged,
      ratio,
      subscriptions: 5,
      bound: { scaledSeconds: 64.8 },
      perSubscription: (options.medians ?? SIDE_BY_SIDE).map((median) => ({ writeSeconds: { median } })),
      cpu: { cores: 2, machineBusyPercent: 98, processSeconds: {} },
    },
  };
  return fixture as unknown as Judged;
}

function atAzureSpeed(
  name: string,
  ratio: number | undefined,
  settings: { timeScale?: number; subscriptions?: number; quick?: boolean; commit?: string } = {},
): PastReport {
  const fixture = {
    name,
    versions: { commit: settings.commit ?? "abc1234" },
    settings: {
      timeScale: settings.timeScale ?? 1,
      quick: settings.quick ?? false,
      scale: 1,
      shape: { subscriptions: settings.subscriptions ?? 5 },
    },
    convergence: { ratio, ready: 10, objects: 10, calls: { throttled: 0 } },
  };
  return fixture as unknown as PastReport;
}

const ratioRows = (rows: TargetRow[]) =>
  rows.filter((row) => row.name.includes("slowest subscription's bound"));
const sideBySide = (rows: TargetRow[]) => rows.find((row) => row.name.includes("writes side by side"));

describe("target 5 in a benchmark report", () => {
  it("judges the run's own ratio when it ran at Azure's speed, whatever run lies next to it", () => {
    const rows = judgeTargets(report(1, 1.3), { subscriptionsAtAzureSpeed: atAzureSpeed("other", 1.02) });
    expect(ratioRows(rows).filter((row) => !row.name.includes("side by side"))).toEqual([
      expect.objectContaining({ measured: "1.3x", met: false, missedBy: "0.2x" }),
    ]);
  });

  it("at compressed time, reports its own ratio with the machine's load and judges the run at Azure's speed", () => {
    const rows = judgeTargets(report(0.1, 1.5), {
      subscriptionsAtAzureSpeed: atAzureSpeed("2026-12-08-scale1-five-subs", 1.04),
    });
    const [compressed, , fast] = ratioRows(rows);
    expect(compressed).toMatchObject({ measured: "1.5x, 0.40x over (machine CPU 98% busy)", met: undefined });
    expect(compressed?.name).toContain("time scale 0.1");
    expect(fast).toMatchObject({ measured: "1.04x", met: true });
    expect(fast?.name).toContain("2026-12-08-scale1-five-subs");
  });

  it("judges at any time scale that the subscriptions' writes went side by side", () => {
    expect(sideBySide(judgeTargets(report(0.1, 1.5)))).toMatchObject({
      measured: "0.009 (0.6 s of 64.8 s)",
      met: true,
    });
  });

  it("catches pacing that serves one subscription after another", () => {
    const rows = judgeTargets(report(0.1, 1.5, { medians: ONE_AFTER_ANOTHER }));
    expect(sideBySide(rows)).toMatchObject({ met: false });
  });

  it("with no run at Azure's speed next to it, counts the ratio as missed, not met", () => {
    const [, , fast] = ratioRows(judgeTargets(report(0.1, 1.05)));
    expect(fast).toMatchObject({ met: false, missedBy: "not measured" });
  });

  it("a run at Azure's speed on another commit judges nothing and says so", () => {
    const rows = judgeTargets(report(0.1, 1.5), {
      subscriptionsAtAzureSpeed: atAzureSpeed("older", 1.04, { commit: "0000000" }),
    });
    const [, , fast] = ratioRows(rows);
    expect(fast).toMatchObject({ met: undefined });
    expect(fast?.measured).toContain("commit 0000000");
  });

  it("a run at Azure's speed that did not converge misses the target", () => {
    const rows = judgeTargets(report(0.1, 1.05), { subscriptionsAtAzureSpeed: atAzureSpeed("x", undefined) });
    expect(ratioRows(rows)[2]).toMatchObject({ met: false, missedBy: "did not converge" });
  });

  it("a quick run takes nothing from a run at Azure's speed", () => {
    const rows = judgeTargets(report(0.01, 1.4, { quick: true }), {
      subscriptionsAtAzureSpeed: atAzureSpeed("full", 1.04),
    });
    expect(ratioRows(rows).map((row) => row.met)).toEqual([undefined, true]);
  });

  it("an old report without the CPU and spread figures is still judged and rendered", () => {
    const old = JSON.parse(readFileSync("bench/results/2026-12-07g.json", "utf8")) as BenchReport;
    const rows = judgeTargets(old);
    expect(sideBySide(rows)).toMatchObject({ measured: "not measured", met: undefined });
    const markdown = renderMarkdown({ ...old, targets: rows }, { convergence: "c.svg", buckets: "b.svg" });
    expect(markdown).toContain("machine CPU not measured");
  });
});

describe("the run at Azure's speed next to a report", () => {
  let dir = "";
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const reports = (...fixtures: PastReport[]) => {
    dir = mkdtempSync(join(tmpdir(), "bench-reports-"));
    for (const f of fixtures) writeFileSync(join(dir, `${f.name}.json`), JSON.stringify(f));
    return scenarioReports(dir).subscriptionsAtAzureSpeed?.name;
  };

  it("is the newest by name, not the best", () => {
    expect(
      reports(
        atAzureSpeed("2026-12-07-scale1-five-subs", 1.02),
        atAzureSpeed("2026-12-08-scale1-five-subs", 1.09),
      ),
    ).toBe("2026-12-08-scale1-five-subs");
  });

  it("skips a newer report so named that is not five subscriptions at time scale 1 over the whole workload", () => {
    const older = atAzureSpeed("2026-12-06-scale1-five-subs", 1.05);
    expect(reports(older, atAzureSpeed("2026-12-08-scale1-five-subs", 1.04, { timeScale: 0.1 }))).toBe(
      older.name,
    );
    expect(reports(older, atAzureSpeed("2026-12-08-scale1-five-subs", 1.04, { subscriptions: 2 }))).toBe(
      older.name,
    );
    expect(reports(older, atAzureSpeed("2026-12-08-scale1-five-subs", 1.04, { quick: true }))).toBe(
      older.name,
    );
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
  });
});
