// A control plane started again on the same data dir still has its objects and its identity: what
// `cluster down` / `cluster up` and operator restart tests rely on.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { type ControlPlane, startControlPlane } from "../../tools/control-plane/index.js";
import { testBinDir } from "../support/cluster.js";

const planes: ControlPlane[] = [];
let dataDir: string | undefined;

afterAll(async () => {
  for (const plane of planes) await plane.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it("keeps objects across a stop and a start with the same data dir", async () => {
  const binDir = testBinDir();
  dataDir = await mkdtemp(join(tmpdir(), "ago-restart-test-"));

  const first = await startControlPlane({ dataDir, binDir });
  planes.push(first);
  const ok = async (plane: ControlPlane, args: string[], input?: string) => {
    const result = await plane.kubectl(args, input === undefined ? {} : { input });
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };
  await ok(first, ["create", "namespace", "survivor"]);
  await ok(first, ["create", "configmap", "kept", "-n", "survivor", "--from-literal=answer=42"]);
  const caBefore = await readFile(first.caFile, "utf8");
  await first.stop();

  const second = await startControlPlane({ dataDir, binDir });
  planes.push(second);
  expect(second.kubeconfigPath).toBe(first.kubeconfigPath);
  expect(second.server).toBe(first.server); // its ports were still free, so it kept them
  expect(await readFile(second.caFile, "utf8")).toBe(caBefore);
  const answer = await ok(second, [
    "get",
    "configmap",
    "kept",
    "-n",
    "survivor",
    "-o",
    "jsonpath={.data.answer}",
  ]);
  expect(answer).toBe("42");
});
