// `npm run dev`: a local control plane, the ARM simulator and the operator, with the
// examples applied and their progress on screen (docs/dev.md). Exit codes: see runDev; 2 for bad
// flags or examples that cannot be read.
import { ConfigError } from "../../src/config.js";
import { ExamplesError } from "../dev/examples.js";
import { DEV_USAGE, parseDevOptions } from "../dev/options.js";
import { runDev } from "../dev/run.js";
import { StateDirBusyError } from "../dev/state-dir.js";

/**
 * A safety net, not the way out: once runDev returned, everything it started is stopped; should a
 * stray handle (a keep-alive socket) still hold the event loop, the process ends anyway.
 */
const EXIT_GRACE_MS = 3_000;

export default async function dev(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(DEV_USAGE);
    return 0;
  }
  let code: number;
  try {
    const options = parseDevOptions(args, { cwd: process.cwd(), isTty: process.stdout.isTTY === true });
    code = await runDev(options, {
      out: process.stdout,
      colour: process.stdout.isTTY === true && !process.env.NO_COLOR,
    });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ExamplesError || err instanceof StateDirBusyError) {
      process.stderr.write(`azure-gallery-operator dev: ${err.message}\n`);
      if (err instanceof ConfigError) process.stderr.write("run `npm run dev -- --help` for the flags\n");
      return 2;
    }
    throw err;
  }
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  return code;
}
