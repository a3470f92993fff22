// `npm run chaos`: the seeded fault-and-drift campaign (docs/reliability.md). Starts a local control
// plane once, then per schedule a simulator, fresh namespaces and the operator as a process of its
// own, disturbs them as the seed says, and judges invariants I1-I6 from the simulator and the API
// server. Last line: `chaos: N schedules, M violations`; exit code 1 on any violation, 2 when a
// schedule could not be judged because the campaign itself failed.
import { randomInt } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startHarness } from "./harness.js";
import { buildOperator } from "./operator.js";
import { planSchedule, QUICK_SEEDS } from "./plan.js";
import { formatResult } from "./report.js";
import { runSchedule } from "./run-schedule.js";

const ACTION_MS = 20_000;

const USAGE = `usage: npm run chaos -- [--quick | --seed S ... | --schedules N | --minutes M]
  --quick              the fixed seeds ${QUICK_SEEDS.join(",")} plus one random seed (printed)
  --seed S             replay schedule S exactly (repeatable)
  --schedules N        N random schedules
  --minutes M          random schedules until M minutes have passed
  --lanes L            run L schedules at a time, each lane on a control plane of its own (default 1)
  --operator-root DIR  run the operator from this source tree (default: this one)
  --verbose            print every schedule's timeline, not only failing ones`;

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean" },
      seed: { type: "string", multiple: true },
      schedules: { type: "string" },
      minutes: { type: "string" },
      lanes: { type: "string" },
      "operator-root": { type: "string" },
      verbose: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const seeds = (values.seed ?? []).map(Number);
  if (seeds.some((s) => !Number.isInteger(s) || s < 0))
    throw new Error(`--seed takes non-negative integers\n${USAGE}`);
  const count = values.schedules === undefined ? undefined : Number(values.schedules);
  const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
  const lanes = Number(values.lanes ?? 1);
  if (!Number.isInteger(lanes) || lanes < 1) throw new Error(`--lanes takes a positive integer\n${USAGE}`);
  return {
    quick: values.quick ?? false,
    seeds,
    count,
    minutes,
    lanes,
    operatorRoot: resolve(values["operator-root"] ?? join(import.meta.dirname, "..", "..")),
    verbose: values.verbose ?? false,
  };
}

/** The seeds to run, in order; an endless source for --minutes. */
function* seedsOf(o: ReturnType<typeof options>): Generator<number> {
  if (o.seeds.length > 0) return yield* o.seeds;
  if (o.quick) {
    const random = randomInt(1_000, 2 ** 31);
    console.log(
      `chaos: seeds ${QUICK_SEEDS.join(",")} and the random seed ${random} (replay: npm run chaos -- --seed ${random})`,
    );
    yield* QUICK_SEEDS;
    return yield random;
  }
  const limit = o.count ?? (o.minutes === undefined ? 1 : Number.POSITIVE_INFINITY);
  for (let i = 0; i < limit; i++) yield randomInt(1_000, 2 ** 31);
}

async function main(): Promise<number> {
  const o = options();
  const logDir = await mkdtemp(join(tmpdir(), "chaos-"));
  const runId = logDir
    .slice(-6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "x");
  console.log(`chaos: operator built from ${o.operatorRoot}; operator logs in ${logDir}`);
  buildOperator(o.operatorRoot);
  const deadline = o.minutes === undefined ? Number.POSITIVE_INFINITY : Date.now() + o.minutes * 60_000;
  const totals = { schedules: 0, violations: 0, errors: 0 };
  const faults: Record<string, number> = {};
  const byInvariant: Record<string, number> = {};
  // One generator for every lane: a lane takes the next seed when its schedule is done.
  const seeds = seedsOf(o);

  const lane = async (index: number): Promise<void> => {
    // Lanes share nothing but the seed source: a restart or freeze in one lane cannot show up as a
    // blocked operator in another lane's journal.
    const harness = await startHarness(o.operatorRoot, o.lanes > 1 ? join(logDir, `lane-${index}`) : logDir);
    try {
      for (let next = seeds.next(); !next.done && Date.now() <= deadline; next = seeds.next()) {
        const seed = next.value;
        const schedule = planSchedule(seed, { prefix: `c${runId}${index}`, actionMs: ACTION_MS });
        const result = await runSchedule(harness, schedule).catch((err: unknown) => {
          // The campaign's own failure is not the operator's: report it, go on with the next seed.
          totals.errors += 1;
          console.log(`schedule seed=${seed}: campaign error: ${err instanceof Error ? err.stack : err}`);
          return undefined;
        });
        if (!result) continue;
        console.log(formatResult(result, o.verbose));
        totals.schedules += 1;
        totals.violations += result.violations.length;
        for (const [type, n] of Object.entries(result.journal.faultsByType))
          faults[type] = (faults[type] ?? 0) + n;
        for (const v of result.violations) byInvariant[v.invariant] = (byInvariant[v.invariant] ?? 0) + 1;
      }
    } finally {
      await harness.close();
    }
  };
  await Promise.all(Array.from({ length: o.lanes }, (_, index) => lane(index)));

  console.log(`chaos: disturbances by type ${JSON.stringify(faults)}`);
  console.log(`chaos: violations by invariant ${JSON.stringify(byInvariant)}`);
  if (totals.errors > 0)
    console.log(`chaos: ${totals.errors} schedule(s) not judged: the campaign itself failed`);
  console.log(`chaos: ${totals.schedules} schedules, ${totals.violations} violations`);
  return totals.violations > 0 ? 1 : totals.errors > 0 ? 2 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(2);
  },
);
