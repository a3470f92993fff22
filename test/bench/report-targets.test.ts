// How a benchmark report judges target 5 (several subscriptions at once), and the CPU figures that
// say whether a phase measured the machine: at compressed time the run's own ratio is reported
// beside the machine's load, the subscriptions' writes must still go side by side, and the ratio is
// judged from the run at Azure's speed next to it (docs/benchmarks.md#several-subscriptions-at-once).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cpuMark, cpuSince } from "../../bench/proc-stats.js";
import { loadPrevious, type PastReport, scenarioReports } from "../../bench/report/compare.js";
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
  ratio: number | undefined,
  options: { quick?: boolean; medians?: (number | undefined)[] } = {},
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

const row = (rows: TargetRow[], part: string) => rows.filter((r) => r.name.includes(part));
const compressedRow = (rows: TargetRow[]) => row(rows, "at time scale")[0];
const sideBySide = (rows: TargetRow[]) => row(rows, "writes side by side")[0];
const fastRow = (rows: TargetRow[]) => row(rows, "at Azure's speed")[0];

describe("target 5 in a benchmark report", () => {
  it("judges the run's own ratio when it ran at Azure's speed, whatever run lies next to it", () => {
    const rows = judgeTargets(report(1, 1.3), { subscriptionsAtAzureSpeed: atAzureSpeed("other", 1.02) });
    const ratios = rows.filter((r) => r.name.startsWith("5 subscriptions at once / "));
    expect(ratios).toEqual([expect.objectContaining({ measured: "1.3x", met: false, missedBy: "0.2x" })]);
  });

  it("at compressed time, reports its own ratio with the machine's load and judges the run at Azure's speed", () => {
    const rows = judgeTargets(report(0.1, 1.5), {
      subscriptionsAtAzureSpeed: atAzureSpeed("2026-12-08-scale1-five-subs", 1.04),
    });
    expect(compressedRow(rows)).toMatchObject({
      measured: "1.5x, 0.40x over (machine CPU 98% busy)",
      met: undefined,
    });
    expect(fastRow(rows)).toMatchObject({ measured: "1.04x", met: true });
    expect(fastRow(rows)?.name).toContain("2026-12-08-scale1-five-subs");
  });

  it("at compressed time, a phase that did not converge misses the target", () => {
    const rows = judgeTargets(report(0.1, undefined), {
      subscriptionsAtAzureSpeed: atAzureSpeed("2026-12-08-scale1-five-subs", 1.04),
    });
    expect(compressedRow(rows)).toMatchObject({ met: false, missedBy: "did not converge" });
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

  it("counts a subscription whose writes are missing as a miss, and no subscriptions as not measured", () => {
    const missing = report(0.1, 1.5, { medians: [35.3, 35.5, undefined] });
    expect(sideBySide(judgeTargets(missing))).toMatchObject({ met: false });
    expect(sideBySide(judgeTargets(report(0.1, 1.5, { medians: [] })))).toMatchObject({ met: undefined });
  });

  it("with no run at Azure's speed next to it, counts the ratio as missed, not met", () => {
    expect(fastRow(judgeTargets(report(0.1, 1.05)))).toMatchObject({ met: false, missedBy: "not measured" });
  });

  it("a run at Azure's speed on another commit does not count: the target is missed", () => {
    const rows = judgeTargets(report(0.1, 1.5), {
      subscriptionsAtAzureSpeed: atAzureSpeed("older", 1.04, { commit: "0000000" }),
    });
    expect(fastRow(rows)).toMatchObject({ met: false, missedBy: "not measured on this commit" });
    expect(fastRow(rows)?.measured).toContain("commit 0000000");
  });

  it("a run at Azure's speed that did not converge misses the target", () => {
    const rows = judgeTargets(report(0.1, 1.05), { subscriptionsAtAzureSpeed: atAzureSpeed("x", undefined) });
    expect(fastRow(rows)).toMatchObject({ met: false, missedBy: "did not converge" });
  });

  it("a quick run takes nothing from a run at Azure's speed", () => {
    const rows = judgeTargets(report(0.01, 1.4, { quick: true }), {
      subscriptionsAtAzureSpeed: atAzureSpeed("full", 1.04),
    });
    expect(fastRow(rows)).toBeUndefined();
    expect(compressedRow(rows)).toMatchObject({ met: undefined });
  });

  it("an old report without the CPU and spread figures is still judged and rendered", () => {
    const old = JSON.parse(readFileSync("bench/results/2026-12-07g.json", "utf8")) as BenchReport;
    const rows = judgeTargets(old);
    expect(sideBySide(rows)).toMatchObject({ measured: "not measured", met: undefined });
    const markdown = renderMarkdown({ ...old, targets: rows }, { convergence: "c.svg", buckets: "b.svg" });
    expect(markdown).toContain("machine CPU not measured");
  });
});

describe("the reports next to a report", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A directory holding `fixtures`, each as `<name>.json`. */
  const reportsDir = (...fixtures: { name: string }[]) => {
    const dir = mkdtempSync(join(tmpdir(), "bench-reports-"));
    dirs.push(dir);
    for (const f of fixtures) writeFileSync(join(dir, `${f.name}.json`), JSON.stringify(f));
    return dir;
  };
  const atAzureSpeedIn = (...fixtures: PastReport[]) =>
    scenarioReports(reportsDir(...fixtures)).subscriptionsAtAzureSpeed?.name;

  it("the run at Azure's speed is the newest by name, not the best", () => {
    expect(
      atAzureSpeedIn(
        atAzureSpeed("2026-12-07-scale1-five-subs", 1.02),
        atAzureSpeed("2026-12-08-scale1-five-subs", 1.09),
      ),
    ).toBe("2026-12-08-scale1-five-subs");
  });

  it("skips a newer report so named that is not five subscriptions at time scale 1 over the whole workload", () => {
    const older = atAzureSpeed("2026-12-06-scale1-five-subs", 1.05);
    const newer = (settings: Parameters<typeof atAzureSpeed>[2]) =>
      atAzureSpeed("2026-12-08-scale1-five-subs", 1.04, settings);
    expect(atAzureSpeedIn(older, newer({ timeScale: 0.1 }))).toBe(older.name);
    expect(atAzureSpeedIn(older, newer({ subscriptions: 2 }))).toBe(older.name);
    expect(atAzureSpeedIn(older, newer({ quick: true }))).toBe(older.name);
    const partial = newer({});
    if (partial.settings) partial.settings.scale = 0.5;
    expect(atAzureSpeedIn(older, partial)).toBe(older.name);
  });

  it("a report written again takes the run at Azure's speed and the previous report from before it", () => {
    const at = (name: string, startedAt: string) => ({ ...atAzureSpeed(name, 1.05), startedAt });
    const dir = reportsDir(
      at("2026-12-06-scale1-five-subs", "2026-12-06T10:00:00.000Z"),
      at("2026-12-07", "2026-12-07T10:00:00.000Z"),
      at("2026-12-08-scale1-five-subs", "2026-12-08T10:00:00.000Z"),
      at("2026-12-08", "2026-12-08T11:00:00.000Z"),
    );
    expect(scenarioReports(dir, "2026-12-07T10:00:00.000Z").subscriptionsAtAzureSpeed?.name).toBe(
      "2026-12-06-scale1-five-subs",
    );
    expect(loadPrevious(dir, "2026-12-07", undefined, "2026-12-07T10:00:00.000Z")).toBeUndefined();
    expect(loadPrevious(dir, "2026-12-07")?.name).toBe("2026-12-08");
  });

  it("a new run is compared with the newest full report, whatever its own name", () => {
    const dir = reportsDir({ name: "2026-12-07g" }, { name: "2026-12-08" }, { name: "2026-12-08-quick" });
    for (const name of ["2026-12-08b", "2026-12-08-quick", "2026-12-08-foo", "0-test", "q1"]) {
      expect(loadPrevious(dir, name)?.name).toBe("2026-12-08");
    }
    expect(loadPrevious(dir, "2026-12-08")?.name).toBe("2026-12-07g");
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
