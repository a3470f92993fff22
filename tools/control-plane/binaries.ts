// Finds the Go-built control-plane binaries. They are built by tools/control-plane/build.sh into a
// cache keyed by their pinned versions; asking the script (rather than recomputing its key here)
// keeps one owner of that key, and builds whatever is missing on first use.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * The directory holding etcd, kube-apiserver, kube-controller-manager, kubectl and helm.
 *
 * Flow:
 * 1. `$AGO_CONTROL_PLANE_BIN_DIR` when set (binaries obtained some other way).
 * 2. Otherwise `tools/control-plane/build.sh --print-dir` from the repository this module lives in,
 *    which builds what is missing (minutes, once) and prints the directory.
 *
 * Errors: rejects when the build script cannot be found (an installed package, not a checkout: set
 * AGO_CONTROL_PLANE_BIN_DIR) or fails (its output is in the message).
 */
export async function resolveBinDir(): Promise<string> {
  const fromEnv = process.env.AGO_CONTROL_PLANE_BIN_DIR;
  if (fromEnv) return fromEnv;
  const script = findBuildScript();
  if (!script) {
    throw new Error(
      "cannot find tools/control-plane/build.sh above this module; set AGO_CONTROL_PLANE_BIN_DIR to a directory with etcd and kube-apiserver",
    );
  }
  try {
    const { stdout } = await run("bash", [script, "--print-dir"], { maxBuffer: 16 * 1024 * 1024 });
    const dir = stdout.trim().split("\n").at(-1) ?? "";
    if (!dir) throw new Error("it printed no directory");
    return dir;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? "";
    throw new Error(
      `${script} --print-dir failed: ${stderr.trim().split("\n").slice(-20).join("\n") || err}`,
    );
  }
}

// Works from both tools/control-plane (vitest, tsx) and dist/tools/control-plane (compiled).
function findBuildScript(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "tools", "control-plane", "build.sh");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
