// A Python virtual environment with given PyPI packages, made once and cached under
// ~/.cache/azure-gallery-operator/ (keyed by the package list), so tests can drive the simulator
// with the Azure SDK for Python. A fresh clone builds it on first use (about 15 s with a warm pip
// cache); later runs reuse it.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const READY = "ready";

/**
 * The path of the venv's python with exactly `packages` (pinned `name==version`) installed.
 *
 * Guarantees: a venv is used only once its install finished (a marker file written last); it is
 * built in a temporary directory and renamed into place, so concurrent callers never see a half
 * built one. Errors: the failing command's output, when `python3 -m venv` or `pip install` fails.
 */
export async function pythonWith(packages: readonly string[]): Promise<string> {
  const key = createHash("sha256").update(packages.join("\n")).digest("hex").slice(0, 12);
  const dir = join(homedir(), ".cache", "azure-gallery-operator", `python-${key}`);
  const python = join(dir, "bin", "python");
  if (existsSync(join(dir, READY))) return python;
  const building = `${dir}.building-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  try {
    await run("python3", ["-m", "venv", building]);
    await run(
      join(building, "bin", "pip"),
      ["install", "--quiet", "--disable-pip-version-check", ...packages],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    await writeFile(join(building, READY), `${packages.join("\n")}\n`);
    // venvs hard-code their own path in scripts, but `bin/python` itself runs from anywhere.
    await rename(building, dir).catch(async (error: NodeJS.ErrnoException) => {
      if (!existsSync(join(dir, READY))) throw error;
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return python;
}
