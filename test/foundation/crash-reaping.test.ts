// A test run that dies without cleaning up (SIGKILL, OOM) must not leave etcd and kube-apiserver
// running into the next run: the next start reaps control planes whose owner process is dead.
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, expect, it } from "vitest";
import { reapStaleControlPlanes } from "../../tools/control-plane/index.js";
import { testBinDir } from "../support/cluster.js";
import { spawnTypeScript } from "./run-typescript.js";

const OWNER = `
import { startControlPlane } from ${JSON.stringify(resolve("tools/control-plane/index.ts"))};
const plane = await startControlPlane({ binDir: process.env.BIN_DIR });
console.log(JSON.stringify({ dataDir: plane.dataDir, processes: plane.processes }));
setInterval(() => {}, 60_000);
`;

let scratch: string | undefined;
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

it("reaps the control plane of an owner that was SIGKILLed", async () => {
  const binDir = testBinDir();
  scratch = await mkdtemp(join(tmpdir(), "ago-reap-test-"));
  await writeFile(join(scratch, "owner.mjs"), OWNER);

  const owner = spawnTypeScript(join(scratch, "owner.mjs"), [], { ...process.env, BIN_DIR: binDir });
  const [line] = (await once(createInterface({ input: owner.stdout! }), "line")) as [string];
  const started = JSON.parse(line) as { dataDir: string; processes: { pid: number }[] };
  expect(started.processes).toHaveLength(2);

  owner.kill("SIGKILL"); // no exit hook runs
  await new Promise((done) => owner.once("exit", done));
  expect(started.processes.every(({ pid }) => alive(pid))).toBe(true);

  await reapStaleControlPlanes();

  expect(started.processes.some(({ pid }) => alive(pid))).toBe(false);
  await expect(access(started.dataDir)).rejects.toThrow(); // its temporary data dir went with it
});

// Orphans that were killed may linger as zombies until init reaps them; those are not running.
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}
