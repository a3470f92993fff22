// tools/control-plane/build.sh is run by every fresh checkout and every test run: a second run must
// build nothing (and say so), or each test run would pay minutes of Go compilation.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);

it("builds nothing the second time and says so", async () => {
  const script = "tools/control-plane/build.sh";
  await run("bash", [script], { maxBuffer: 16 * 1024 * 1024 }); // builds whatever is missing
  const again = await run("bash", [script]);
  expect(again.stdout).toMatch(/nothing to build/);
  expect(again.stdout).not.toMatch(/building /);
}, 1_800_000);

// Binaries obtained some other way (AGO_CONTROL_PLANE_BIN_DIR): the script checks them and never
// asks for Go, so `npm run dev` runs on a machine without it.
describe("with AGO_CONTROL_PLANE_BIN_DIR", () => {
  const script = "tools/control-plane/build.sh";
  const dir = mkdtempSync(join(tmpdir(), "ago-bins-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // A PATH that holds bash and coreutils but no Go.
  const env = { PATH: "/usr/bin:/bin", HOME: tmpdir(), AGO_CONTROL_PLANE_BIN_DIR: dir };

  it("names the binaries that are missing there", async () => {
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
    for (const name of ["etcd", "kube-apiserver", "kube-controller-manager", "kubectl", "helm"]) {
      writeFileSync(join(dir, name), "#!/bin/sh\n", { mode: 0o755 });
    }
    const { stdout, stderr } = await run("bash", [script, "--print-dir"], { env });
    expect(stdout.trim()).toBe(dir);
    expect(stderr).toContain("nothing to build");
  });
});
