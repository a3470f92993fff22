// How GitOps tools judge our objects, computed by their own logic: kstatus from sigs.k8s.io/cli-utils
// (tools/kstatus, built from the Go module proxy on first use) and the Argo CD health check of
// docs/gitops.md run by a real Lua 5.1 interpreter (Argo CD's gopher-lua speaks Lua 5.1).
import { execFile, spawn } from "node:child_process";
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const ROOT = join(import.meta.dirname, "..", "..");
const run = promisify(execFile);

export const ARGOCD_HEALTH_LUA = join(ROOT, "gitops", "argocd-health.lua");

export interface ToolVerdict {
  status: string;
  message: string;
}

let kstatusBin: Promise<string> | undefined;

/** kstatus's verdict (InProgress, Current, Failed, Terminating...) on each object, in order. */
export async function kstatusOf(objects: readonly object[]): Promise<ToolVerdict[]> {
  kstatusBin ??= run("bash", [join(ROOT, "tools", "kstatus", "build.sh")], { timeout: 600_000 }).then((r) =>
    r.stdout.trim(),
  );
  const out = await withStdin(await kstatusBin, [], JSON.stringify(objects));
  return JSON.parse(out) as ToolVerdict[];
}

let lua: Promise<string> | undefined;

/** The Argo CD health (Healthy, Progressing, Degraded, Suspended) our Lua script gives each object. */
export async function argoHealthOf(objects: readonly object[]): Promise<ToolVerdict[]> {
  lua ??= ensureLua();
  const interpreter = await lua;
  const script = await readFile(ARGOCD_HEALTH_LUA, "utf8");
  const verdicts: ToolVerdict[] = [];
  for (const obj of objects) {
    // As Argo CD does: the object is the global `obj`, the script is a function body.
    const program = `obj = ${luaValue(obj)}\nlocal function check()\n${script}\nend\nlocal h = check()\nio.write(h.status, "\\n", h.message or "")`;
    const out = await withStdin(interpreter, ["-"], program);
    const [status = "", ...message] = out.split("\n");
    verdicts.push({ status, message: message.join("\n") });
  }
  return verdicts;
}

/** `lua5.1`, installed from Debian when missing and we may (root with apt-get), as CI does. */
async function ensureLua(): Promise<string> {
  const found = await run("sh", ["-c", "command -v lua5.1"]).then(
    (r) => r.stdout.trim(),
    () => "",
  );
  if (found) return found;
  const root = process.getuid?.() === 0;
  const apt = await access("/usr/bin/apt-get").then(
    () => true,
    () => false,
  );
  if (!root || !apt) {
    throw new Error("the Argo CD health test needs lua5.1: apt-get install lua5.1 (Debian/Ubuntu)");
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["install", "-y", "--no-install-recommends", "lua5.1"], {
    env,
    timeout: 600_000,
  }).catch(async () => {
    await run("apt-get", ["update"], { env, timeout: 600_000 });
    await run("apt-get", ["install", "-y", "--no-install-recommends", "lua5.1"], { env, timeout: 600_000 });
  });
  return "lua5.1";
}

/** A JSON value as a Lua 5.1 table constructor (JSON null is Lua nil, as in Argo CD). */
export function luaValue(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "string") return luaString(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `{${value.map(luaValue).join(", ")}}`;
  const fields = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `[${luaString(k)}] = ${luaValue(v)}`,
  );
  return `{${fields.join(", ")}}`;
}

function luaString(text: string): string {
  // Lua 5.1 has no \u escapes; control characters, quotes and backslashes go as \ddd, always three
  // digits: Lua reads up to three, so `\34` before a digit would swallow it.
  const escaped = [...text]
    .map((c) =>
      c.charCodeAt(0) < 32 || c === '"' || c === "\\" ? `\\${String(c.charCodeAt(0)).padStart(3, "0")}` : c,
    )
    .join("");
  return `"${escaped}"`;
}

function withStdin(command: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${err.trim()}`)),
    );
    child.stdin.end(input);
  });
}
