// tools/control-plane/build.sh is run by every fresh checkout and every test run: a second run must
// build nothing (and say so), or each test run would pay minutes of Go compilation. No test here
// builds anything: the real build is CI's first step, not a test's side effect.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);

// Run against a cache of its own, filled with stand-ins, so the test never starts a Go build.
it("builds nothing when the cache holds every binary, and says so (no Go needed then)", async () => {
  const script = "tools/control-plane/build.sh";
  const cache = mkdtempSync(join(tmpdir(), "ago-cache-"));
  try {
    const env = { PATH: "/usr/bin:/bin", HOME: tmpdir(), AGO_CACHE_DIR: cache };
    const check = await run("bash", [script, "--check"], { env }).then(
      () => ({ code: 0, stdout: "" }),
      (err: { code: number; stdout: string }) => err,
    );
    expect(check.code).toBe(1);
    const binDir =
      /would build: etcd kube-apiserver kubectl kube-controller-manager helm \(into (\S+)\)/.exec(
        check.stdout,
      )?.[1];
    expect(binDir?.startsWith(cache)).toBe(true);
    for (const name of ["etcd", "kube-apiserver", "kubectl", "kube-controller-manager", "helm"]) {
      writeFileSync(join(binDir ?? "", name), "#!/bin/sh\n", { mode: 0o755 });
    }
    const again = await run("bash", [script], { env });
    expect(again.stdout).toMatch(/nothing to build/);
    expect(again.stdout).not.toMatch(/building /);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

// Binaries obtained some other way (AGO_CONTROL_PLANE_BIN_DIR): the script checks them and never
// asks for Go, so `npm run dev` runs on a machine without it.
describe("with AGO_CONTROL_PLANE_BIN_DIR", () => {
  const script = "tools/control-plane/build.sh";
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  /** A directory of this test's own, and an env naming it, with a PATH that holds bash and coreutils but no Go. */
  const binDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "ago-bins-"));
    dirs.push(dir);
    return { dir, env: { PATH: "/usr/bin:/bin", HOME: tmpdir(), AGO_CONTROL_PLANE_BIN_DIR: dir } };
  };

  it("names the binaries that are missing there", async () => {
    const { dir, env } = binDir();
    writeFileSync(join(dir, "etcd"), "#!/bin/sh\n", { mode: 0o755 });
    const result = await run("bash", [script, "--print-dir"], { env }).then(
      () => ({ code: 0, stderr: "" }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("lacks executable kube-apiserver kube-controller-manager kubectl helm");
    expect(result.stderr).not.toMatch(/Go is required/);
  });

  it("prints that directory and builds nothing when all five are there", async () => {
    const { dir, env } = binDir();
    for (const name of ["etcd", "kube-apiserver", "kube-controller-manager", "kubectl", "helm"]) {
      writeFileSync(join(dir, name), "#!/bin/sh\n", { mode: 0o755 });
    }
    const { stdout, stderr } = await run("bash", [script, "--print-dir"], { env });
    expect(stdout.trim()).toBe(dir);
    expect(stderr).toContain("nothing to build");
  });
});
