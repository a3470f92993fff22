// `npm run sim`: runs the ARM simulator as a process until SIGTERM or SIGINT.
// Prints exactly one JSON line when ready, {"endpoint":"https://127.0.0.1:PORT","caFile":"...",
// "identityEndpoint":"http://127.0.0.1:PORT2/msi/token","identityHeader":"..."}, so a parent
// process can read where to connect, which CA to trust and where clients get managed-identity
// tokens (docs/simulator.md, "Real clients").
import { parseArgs } from "node:util";
import { startSimulator } from "../sim/index.js";

const USAGE = `usage: npm run sim -- [--port N] [--state-dir DIR] [--time-scale X] [--clock real|manual]

  --port N          listen on 127.0.0.1:N (default: a free port)
  --state-dir DIR   keep resources and the generated CA in DIR across restarts
  --time-scale X    multiply operation durations by X (0.01: an 8-minute replication takes 4.7 s)
  --clock MODE      "manual" freezes virtual time; advance it with POST /_sim/clock
`;

export interface SimCommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Resolves when the simulator should stop. */
  stopped: Promise<void>;
}

function nonNegative(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0) {
    throw new RangeError(`--${flag} must be a non-negative number, got "${value}"`);
  }
  return parsed;
}

/**
 * Parses the flags, starts a simulator, prints its ready line and serves until `io.stopped`.
 *
 * Guarantees: exactly one line on stdout (the ready line) on success; usage errors go to stderr
 * with exit code 2; the simulator is closed (state flushed) before returning 0.
 */
export async function runSimCommand(args: string[], io: SimCommandIo): Promise<number> {
  let options: { port?: number; stateDir?: string; timeScale?: number; clock?: "real" | "manual" };
  try {
    const { values } = parseArgs({
      args,
      options: {
        port: { type: "string" },
        "state-dir": { type: "string" },
        "time-scale": { type: "string" },
        clock: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    if (values.clock !== undefined && values.clock !== "real" && values.clock !== "manual") {
      throw new RangeError(`--clock must be "real" or "manual", got "${values.clock}"`);
    }
    options = {
      port: nonNegative(values.port, "port"),
      stateDir: values["state-dir"],
      timeScale: nonNegative(values["time-scale"], "time-scale"),
      clock: values.clock,
    };
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const simulator = await startSimulator(options);
  const { endpoint, caFile, identityEndpoint, identityHeader } = simulator;
  io.stdout(`${JSON.stringify({ endpoint, caFile, identityEndpoint, identityHeader })}\n`);
  await io.stopped;
  await simulator.close();
  return 0;
}

export default function sim(args: string[]): Promise<number> {
  const stopped = new Promise<void>((resolve) => {
    process.once("SIGTERM", () => resolve());
    process.once("SIGINT", () => resolve());
  });
  return runSimCommand(args, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stopped,
  });
}
