// Runs the operator as a real process (`src/cli.ts run`, straight from the TypeScript sources) against
// a test cluster and a simulator, and reads its JSON log lines as they come.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { mintToken, type Simulator } from "../../src/sim/index.js";

const ROOT = join(import.meta.dirname, "..", "..");

export interface LogLine {
  level?: string;
  msg?: string;
  [key: string]: unknown;
}

export interface OperatorProcess {
  child: ChildProcess;
  /** Every JSON line logged so far. */
  lines: LogLine[];
  /** Everything written to stdout and stderr, raw (to look for leaked secrets). */
  output(): string;
  /** Resolves with the first line (already logged or still to come) that `match` accepts. */
  waitForLine(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM and wait. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL and wait: a crash, no cleanup. */
  kill(): Promise<void>;
}

export interface OperatorProcessOptions {
  kubeconfigPath: string;
  sim: Pick<Simulator, "endpoint" | "caFile">;
  tenantId: string;
  /** Extra flags after the defaults (later flags win). */
  args?: string[];
  env?: Record<string, string>;
}

/** Defaults tuned for tests: fast polling, no HTTP server, debug logs. */
export function operatorArgs(options: OperatorProcessOptions): string[] {
  return [
    "--kubeconfig",
    options.kubeconfigPath,
    "--arm-endpoint",
    options.sim.endpoint,
    "--arm-ca-file",
    options.sim.caFile,
    "--credential",
    "static",
    "--poll-interval",
    "200ms",
    "--http-address",
    "0",
    "--log-level",
    "debug",
    ...(options.args ?? []),
  ];
}

/** Starts `azure-gallery-operator run` with the test defaults plus `options.args`. */
export function startOperatorProcess(options: OperatorProcessOptions): OperatorProcess {
  return spawnCli(["run", ...operatorArgs(options)], {
    AGO_ARM_TOKEN: mintToken({ tid: options.tenantId, oid: "operator", appid: "azure-gallery-operator" }),
    AZURE_TENANT_ID: options.tenantId,
    ...options.env,
  });
}

/** Runs any CLI subcommand from the sources. */
export function spawnCli(args: string[], env: Record<string, string> = {}): OperatorProcess {
  const child = spawn(
    process.execPath,
    [
      "--experimental-transform-types",
      "--no-warnings",
      "--import",
      join(ROOT, "test", "support", "ts-hooks.mjs"),
      join(ROOT, "src", "cli.ts"),
      ...args,
    ],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  let partial = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    raw.push(chunk);
    partial += chunk;
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    for (const text of parts) {
      if (!text.trim()) continue;
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text };
      }
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => raw.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    lines,
    output: () => raw.join(""),
    waitForLine(match, timeoutMs = 30_000) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no matching operator log line within ${timeoutMs} ms:\n${raw.join("").slice(-4000)}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
