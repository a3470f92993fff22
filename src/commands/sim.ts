// `azure-gallery-operator sim`: runs the ARM simulator as a process until SIGTERM or SIGINT.
// Prints exactly one JSON line when ready, {"endpoint":"https://127.0.0.1:PORT","caFile":"..."},
// so a parent process can read where to connect and which CA to trust.
import { parseArgs } from "node:util";
import { startSimulator } from "../sim/index.js";

const USAGE = `usage: azure-gallery-operator sim [--port N] [--state-dir DIR] [--time-scale X] [--clock real|manual]

  --port N          listen on 127.0.0.1:N (default: a free port)
  --state-dir DIR   keep resources and the generated CA in DIR across restarts
  --time-scale X    multiply operation durations by X (0.01: an 8-minute replication takes 4.7 s)
  --clock MODE      "manual" freezes virtual time; advance it with POST /_sim/clock
`;

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new RangeError(`--${name} must be a non-negative number, got "${value}"`);
  return parsed;
}

export default async function sim(args: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: "string" },
        "state-dir": { type: "string" },
        "time-scale": { type: "string" },
        clock: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const clock = values.clock;
  if (clock !== undefined && clock !== "real" && clock !== "manual") {
    process.stderr.write(`--clock must be "real" or "manual"\n\n${USAGE}`);
    return 2;
  }
  const simulator = await startSimulator({
    port: number(values.port as string | undefined, "port"),
    stateDir: values["state-dir"] as string | undefined,
    timeScale: number(values["time-scale"] as string | undefined, "time-scale"),
    clock,
  });
  process.stdout.write(`${JSON.stringify({ endpoint: simulator.endpoint, caFile: simulator.caFile })}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  await simulator.close();
  return 0;
}
