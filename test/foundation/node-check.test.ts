// The CLI on a Node.js older than it supports: it must say which Node it needs before anything
// loads undici or @azure/* (which crash on Node 20 with an error that names nothing). Run for real on
// an older Node when the machine has one outside node_modules (our CI machines have Node 20).
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { stripTypeScriptTypes } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli.js";
import { REQUIRED_NODE_MAJOR } from "../../src/node-version.js";

const run = promisify(execFile);
const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** A `node` on PATH (outside node_modules) older than the operator needs, with its version. */
async function olderSystemNode(): Promise<{ path: string; version: string } | undefined> {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter((d) => d && !d.includes("node_modules"));
  for (const dir of dirs) {
    const path = join(dir, "node");
    if (!existsSync(path)) continue;
    const { stdout } = await run(path, ["-p", "process.versions.node"]);
    const version = stdout.trim();
    if (Number.parseInt(version, 10) < REQUIRED_NODE_MAJOR) return { path, version };
  }
  return undefined;
}

const older = await olderSystemNode();
const work = mkdtempSync(join(tmpdir(), "ago-node-check-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the CLI on an older Node", () => {
  // The CLI and its version check as Node would load them from dist/, types stripped; nothing else
  // is copied, so a check that ran after loading a command would fail to find the command.
  it.skipIf(!older)("exits 1 and says which Node it needs, before loading any command", async () => {
    for (const file of ["cli", "node-version"]) {
      const source = readFileSync(join(ROOT, "src", `${file}.ts`), "utf8");
      writeFileSync(join(work, `${file}.js`), stripTypeScriptTypes(source));
    }
    writeFileSync(join(work, "package.json"), '{"type":"module"}');
    const result = await run(older?.path ?? "", [join(work, "cli.js"), "run", "--help"]).then(
      () => ({ code: 0, stderr: "" }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`needs Node.js >= ${REQUIRED_NODE_MAJOR}`);
    expect(result.stderr).toContain(`this is Node ${older?.version}`);
    expect(result.stderr).not.toContain("reading 'bind'");
  });

  it("refuses an older version in-process too, and accepts this one", async () => {
    expect(await main(["--help"], "20.20.2")).toBe(1);
    expect(await main(["no-such-command"], process.versions.node)).toBe(2);
  });
});

describe("one Node statement", () => {
  it("package.json engines and the README say the same minimum", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${REQUIRED_NODE_MAJOR}`);
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const statements = [...readme.matchAll(/Node(?:\.js)? ≥ (\d+)/g)].map((m) => Number(m[1]));
    expect(statements.length).toBeGreaterThan(0);
    expect(new Set(statements)).toEqual(new Set([REQUIRED_NODE_MAJOR]));
  });
});
