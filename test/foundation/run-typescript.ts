// Runs a TypeScript entry point of this repository in a separate Node process, straight from the
// sources: for tests whose subject is what happens across processes (a command that leaves daemons
// behind, an owner that gets SIGKILLed).
import { type ChildProcess, spawn } from "node:child_process";

// Node strips the types itself; it only needs `./x.js` imports (as tsc wants them written) to find
// `./x.ts`.
const RESOLVE_TS_HOOK = `
import { registerHooks } from "node:module";
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (err) {
      if (specifier.startsWith(".") && specifier.endsWith(".js")) return next(specifier.slice(0, -3) + ".ts", context);
      throw err;
    }
  },
});
`;

const HOOK_URL = `data:text/javascript,${encodeURIComponent(RESOLVE_TS_HOOK)}`;

/** Spawns `node <file> ...args` with `.ts` sources loadable; stdout is piped, stderr inherited. */
export function spawnTypeScript(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): ChildProcess {
  return spawn(process.execPath, ["--import", HOOK_URL, file, ...args], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
}

/** Runs it to the end and returns its exit code and stdout. */
export async function runTypeScript(
  file: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string }> {
  const child = spawnTypeScript(file, args, env);
  const chunks: Buffer[] = [];
  child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk));
  const code = await new Promise<number>((resolve) => child.once("close", (c) => resolve(c ?? 1)));
  return { code, stdout: Buffer.concat(chunks).toString("utf8") };
}
