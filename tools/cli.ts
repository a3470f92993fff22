// The development tools' entry point, reached from a checkout (`npm run sim`, `npm run dev`,
// `npm run cluster`); none of it ships in the operator's package or image (docs/architecture.md).
import { type Commands, dispatch, runIfMain } from "../src/cli.js";

const commands: Commands = {
  sim: {
    summary: "run the ARM simulator (HTTPS) until SIGTERM",
    load: async () => (await import("./commands/sim.js")).default,
  },
  dev: {
    summary: "local control plane + ARM simulator + operator, examples applied, live progress",
    load: async () => (await import("./commands/dev.js")).default,
  },
  cluster: {
    summary: "start, stop or inspect the local Kubernetes control plane (up|down|status)",
    load: async () => (await import("./commands/cluster.js")).default,
  },
};

export function main(argv: string[]): Promise<number> {
  return dispatch("node dist/tools/cli.js", commands, argv);
}

runIfMain(import.meta.url, main);
