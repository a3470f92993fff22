// The flags of `npm run dev`, parsed into one typed object before anything starts,
// so a typo never leaves half a cluster running.
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, type LogLevel, parseDuration } from "../../src/config.js";
import { cacheRoot } from "../control-plane/index.js";
import { packageRoot } from "./paths.js";

/** How progress is shown: redrawn in place (a terminal) or one line per change (CI, pipes). */
export type OutputMode = "live" | "lines";

export interface DevOptions {
  /** A folder of examples: one example per sub-folder, or the folder itself when it holds YAML. */
  examplesDir: string;
  /** Multiplies every simulated Azure duration (0.1: an 8-minute replication takes 47 s). */
  timeScale: number;
  /** Exit 0 once every applied object is Ready; exit 1 with a summary at `timeoutMs`. */
  exitWhenReady: boolean;
  /** With `exitWhenReady`: the deadline, counted from the start of the command. */
  timeoutMs: number;
  /** Cluster data, rendered manifests and logs; wiped when a dev run starts, kept after it ends. */
  stateDir: string;
  output: OutputMode;
  logLevel: LogLevel;
}

/**
 * 0.1 makes the slowest step of the examples, a Full replication (7 min 47 s in Azure), take 47 s,
 * so the whole demo, control plane start included, takes about a minute.
 */
export const DEFAULT_TIME_SCALE = 0.1;
const DEFAULT_TIMEOUT = "5m";

export const DEV_USAGE = `usage: npm run dev -- [flags]

Starts a local Kubernetes control plane and the ARM simulator, installs the CRDs, runs the
operator, applies the examples (each folder in a namespace and a subscription of its own) and
shows their progress until Ctrl-C, which stops everything it started.

  --examples DIR      examples to apply (default: the package's examples/)
  --time-scale X      multiply simulated Azure durations by X (default ${DEFAULT_TIME_SCALE}: about a minute)
  --exit-when-ready   exit 0 once every applied object is Ready (for CI)
  --timeout D         with --exit-when-ready: exit 1 with a summary after D (default ${DEFAULT_TIMEOUT})
  --state-dir DIR     cluster data, manifests and logs (default $AGO_CACHE_DIR/dev)
  --output MODE       live (redraw in place) | lines (one line per change)
                      (default: live on a terminal, lines otherwise)
  --log-level LEVEL   the operator's log level, written to <state-dir>/operator.log (default info)
`;

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/**
 * Parses the dev flags.
 *
 * Guarantees: paths are absolute (relative ones resolve against `cwd`); the time scale is a finite
 * number above 0. Errors: ConfigError naming the flag.
 */
export function parseDevOptions(argv: string[], context: { cwd: string; isTty: boolean }): DevOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        examples: { type: "string" },
        "time-scale": { type: "string" },
        "exit-when-ready": { type: "boolean" },
        timeout: { type: "string" },
        "state-dir": { type: "string" },
        output: { type: "string" },
        "log-level": { type: "string" },
      },
    }));
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  }
  const text = (flag: string): string | undefined => {
    const value = values[flag];
    return typeof value === "string" ? value : undefined;
  };

  const scaleText = text("time-scale") ?? String(DEFAULT_TIME_SCALE);
  const timeScale = Number(scaleText);
  if (scaleText.trim() === "" || !Number.isFinite(timeScale) || timeScale <= 0) {
    throw new ConfigError(`--time-scale: "${scaleText}" must be a number above 0`);
  }
  const timeoutMs = parseDuration(text("timeout") ?? DEFAULT_TIMEOUT, "--timeout");
  if (timeoutMs < 1000) throw new ConfigError("--timeout: must be at least 1s");

  const outputText = text("output") ?? (context.isTty ? "live" : "lines");
  if (outputText !== "live" && outputText !== "lines") {
    throw new ConfigError(`--output: "${outputText}" must be live or lines`);
  }
  const logLevel = text("log-level") ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`--log-level: "${logLevel}" is not one of ${LOG_LEVELS.join(", ")}`);
  }
  const examples = text("examples");
  const stateDir = text("state-dir");
  return {
    examplesDir: examples ? resolve(context.cwd, examples) : join(packageRoot(), "examples"),
    timeScale,
    exitWhenReady: values["exit-when-ready"] === true,
    timeoutMs,
    stateDir: stateDir ? resolve(context.cwd, stateDir) : join(cacheRoot(), "dev"),
    output: outputText,
    logLevel: logLevel as LogLevel,
  };
}
