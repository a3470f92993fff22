// The whole test suite as CI runs it (README: "Run the tests"). Runs under the Node that
// `npm run` puts first on PATH (node_modules/.bin/node, Node 24, from the npm `node` package).
//   1. control-plane binaries (built once into ~/.cache/azure-gallery-operator)
//   2. lint + format check, typecheck, build
//   3. every test on the default cluster (local kube-apiserver + etcd as processes)
//   4. the cluster-facing integration tests again with TEST_CLUSTER=containers
//   5. the benchmark smoke run (`npm run bench -- --quick`: every phase works, figures printed)
//   6. the chaos campaign's quick profile (`npm run chaos -- --quick --lanes 2`: fixed seeds plus one random
//      seed it prints; any violation fails the run)
// It ends with one line "N passed, N failed" summing both vitest runs (a failed chaos campaign
// counts as one failed test).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Suites that run a second time on containers (TEST_CLUSTER=containers), after the Docker engine
// is set up; the image test needs that engine and runs only then.
const CONTAINER_SUITES = [
  "test/foundation",
  "test/packaging/image.test.ts",
  "test/packaging/image-runs.test.ts",
];
const NEEDS_DOCKER = ["test/packaging/image.test.ts", "test/packaging/image-runs.test.ts"];
const started = Date.now();
const totals = { passed: 0, failed: 0, skipped: 0 };

function step(title, command, args, env = {}) {
  const t0 = Date.now();
  console.log(`\n==> ${title}: ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`==> ${title} failed (exit ${result.status ?? result.signal}) after ${seconds}s`);
    return false;
  }
  console.log(`==> ${title} ok in ${seconds}s`);
  return true;
}

function vitest(title, paths, env = {}) {
  const out = join(mkdtempSync(join(tmpdir(), "ago-vitest-")), "report.json");
  const ok = step(
    title,
    "npx",
    ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...paths],
    env,
  );
  try {
    const report = JSON.parse(readFileSync(out, "utf8"));
    totals.passed += report.numPassedTests;
    // A run that failed without a failing test (a crashed file, an unhandled error) counts as one.
    totals.failed += report.numFailedTests || (ok ? 0 : 1);
    totals.skipped += report.numPendingTests + report.numTodoTests;
  } catch {
    totals.failed += 1; // no report: the run itself broke
  }
  return ok;
}

let ok =
  step("control-plane binaries", "bash", ["tools/control-plane/build.sh"]) &&
  step("lint + format", "npx", ["biome", "check", "."]) &&
  step("typecheck", "npx", ["tsc", "-p", "tsconfig.json"]) &&
  step("build", "npx", ["tsc", "-p", "tsconfig.build.json"]);
if (ok) {
  ok =
    vitest(
      "tests (local control plane)",
      NEEDS_DOCKER.flatMap((p) => ["--exclude", p]),
    ) && ok;
  if (process.env.AGO_SKIP_CONTAINERS === "1") {
    console.log("==> containers run skipped (AGO_SKIP_CONTAINERS=1)");
  } else if (step("docker engine + images", "bash", ["tools/docker/setup.sh"])) {
    ok = vitest("tests (TEST_CLUSTER=containers)", CONTAINER_SUITES, { TEST_CLUSTER: "containers" }) && ok;
  } else {
    ok = false;
    totals.failed += 1;
  }
  // The benchmark's smoke run (about 80 s): every phase works and prints its figures; targets are
  // reported, not enforced.
  const benchOut = mkdtempSync(join(tmpdir(), "ago-bench-"));
  ok = step("benchmark smoke (--quick)", "node", ["dist/bench/run.js", "--quick", "--out", benchOut]) && ok;
  // The chaos campaign (docs/reliability.md), at most 6 minutes: a violation is a failed test.
  // Two lanes: the seven schedules mostly wait on scaled Azure time, so two at once take half as long.
  if (!step("chaos campaign (--quick)", "npm", ["run", "chaos", "--", "--quick", "--lanes", "2"])) {
    ok = false;
    totals.failed += 1;
  }
} else {
  totals.failed += 1;
}
console.log(`\n==> total ${((Date.now() - started) / 1000).toFixed(0)}s, ${totals.skipped} skipped`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(ok ? 0 : 1);
