// The container image built from the repository's Dockerfile, unchanged: it runs as a non-root
// numeric user, its entry point prints the CLI usage, and it carries only what the operator runs.
//
// Needs a Docker engine (tools/docker/setup.sh). Without one this file FAILS, on purpose (see
// ensureImage in ./support.ts, which also builds the image). The full-suite runner runs it in its
// container phase, after setup.
import { beforeAll, describe, expect, it } from "vitest";
import { docker, ensureImage, IMAGE, must, type RunResult } from "./support.js";

/** `docker run` the image the way the chart does: host network (the only one here), hardened. */
function runImage(args: string[], entrypoint?: string): Promise<RunResult> {
  const flags = ["run", "--rm", "--network", "host", "--read-only", "--tmpfs", "/tmp"];
  flags.push("--cap-drop", "ALL", "--security-opt", "no-new-privileges");
  if (entrypoint) flags.push("--entrypoint", entrypoint);
  return docker([...flags, IMAGE, ...args]);
}

beforeAll(async () => {
  await ensureImage("test/packaging/image.test.ts");
}, 50 * 60_000);

describe("the operator image", () => {
  it("runs as the numeric non-root user 65532", async () => {
    const user = must(
      "inspect",
      await docker(["image", "inspect", "-f", "{{ .Config.User }}", IMAGE]),
    ).trim();
    expect(user).toBe("65532:65532");
    expect(must("id", await runImage(["-u"], "id")).trim()).toBe("65532");
    expect(must("id", await runImage(["-g"], "id")).trim()).toBe("65532");
  });

  it("starts `node dist/src/cli.js run` by default, with Node 24", async () => {
    const config = JSON.parse(
      must("inspect", await docker(["image", "inspect", "-f", "{{ json .Config }}", IMAGE])),
    ) as { Entrypoint: string[]; Cmd: string[]; WorkingDir: string; Env: string[] };
    expect(config.Entrypoint).toEqual(["node", "dist/src/cli.js"]);
    // Two malloc arenas: the memory the benchmark measures (docs/benchmarks.md).
    expect(config.Env).toContain("MALLOC_ARENA_MAX=2");
    expect(config.Cmd).toEqual(["run"]);
    expect(config.WorkingDir).toBe("/app");
    expect(must("node --version", await runImage(["--version"], "node")).trim()).toMatch(/^v24\./);
  });

  it("prints the usage for --help, on a read-only root filesystem without capabilities", async () => {
    const result = await runImage(["--help"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("usage: azure-gallery-operator");
  });

  it("holds the compiled operator, production dependencies and CRDs, and nothing to build with", async () => {
    const script = [
      "set -e",
      "test -f dist/src/cli.js && test -f package.json",
      "ls crds/*.yaml >/dev/null",
      "test -d node_modules/@kubernetes/client-node && test -d node_modules/@azure/arm-compute",
      "for p in typescript vitest @biomejs node; do test ! -e node_modules/$p || { echo dev dependency $p; exit 1; }; done",
      "for p in src test tools dist/bench; do test ! -e $p || { echo unexpected $p; exit 1; }; done",
      "for p in npm npx corepack; do ! command -v $p || { echo $p is installed; exit 1; }; done",
      "! touch dist/src/cli.js 2>/dev/null || { echo code is writable; exit 1; }",
      "echo ok",
    ].join("\n");
    const result = await docker([
      "run",
      "--rm",
      "--network",
      "host",
      "--entrypoint",
      "sh",
      IMAGE,
      "-c",
      script,
    ]);
    expect(result.stdout + result.stderr).toBe("ok\n");
  });

  it("loads every production dependency (pruning declarations and maps broke none)", async () => {
    const script = [
      'const pkg = JSON.parse(await (await import("node:fs/promises")).readFile("package.json", "utf8"));',
      "for (const name of Object.keys(pkg.dependencies)) await import(name);",
      'console.log("loaded", Object.keys(pkg.dependencies).length);',
    ].join("\n");
    const result = await runImage(["--input-type=module", "-e", script], "node");
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^loaded \d+\n$/);
  });

  it("reports its size", async () => {
    const bytes = Number(
      must("inspect", await docker(["image", "inspect", "-f", "{{ .Size }}", IMAGE])).trim(),
    );
    process.stdout.write(`image: ${IMAGE} is ${(bytes / 1e6).toFixed(0)} MB\n`);
    // The base (Debian + Node) is most of it; a jump past this means something leaked in.
    expect(bytes).toBeLessThan(450e6);
  });
});
