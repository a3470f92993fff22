// `npm run cluster --  up|status|down` as a human runs it: `up` returns while the control
// plane keeps running, `down` ends it. State goes to a scratch AGO_CACHE_DIR, not the user's.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runKubectl } from "../../tools/control-plane/index.js";
import { testBinDir } from "../support/cluster.js";
import { runTypeScript } from "./run-typescript.js";

let env: NodeJS.ProcessEnv;
let binDir: string;
let cacheDir: string | undefined;
const cli = (...args: string[]) => runTypeScript("tools/cli.ts", ["cluster", ...args], env);

beforeAll(async () => {
  binDir = testBinDir();
  cacheDir = await mkdtemp(join(tmpdir(), "ago-cluster-command-test-"));
  env = { ...process.env, AGO_CACHE_DIR: cacheDir, AGO_CONTROL_PLANE_BIN_DIR: binDir };
});

afterAll(async () => {
  if (!cacheDir) return;
  await cli("down", "--purge");
  await rm(cacheDir, { recursive: true, force: true });
});

it("starts a control plane that outlives the command, reports it, and stops it", async () => {
  expect((await cli("status")).code).toBe(3);

  const up = await cli("up");
  expect(up.code, up.stdout).toBe(0);
  const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(up.stdout)?.[1];
  expect(kubeconfig).toBe(join(cacheDir ?? "", "cluster", "kubeconfig"));

  // The command has exited; the control plane still answers.
  const namespaces = await runKubectl(binDir, kubeconfig ?? "", [
    "get",
    "namespace",
    "default",
    "-o",
    "name",
  ]);
  expect(namespaces.stdout.trim(), namespaces.stderr).toBe("namespace/default");
  const again = await cli("up");
  expect(again.stdout).toMatch(/already running/);
  expect((await cli("status")).code).toBe(0);

  expect((await cli("down")).code).toBe(0);
  const after = await cli("status");
  expect(after.code).toBe(3);
  expect(after.stdout).toMatch(/not running/);
});
