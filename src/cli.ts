#!/usr/bin/env node
// The one command-line entry point. Each subcommand lives in src/commands/<name>.ts and is
// loaded lazily, so `sim` does not pay for the Kubernetes client and `run` not for the simulator,
// and so the Node version check below runs before anything imports undici or @azure/*.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { nodeVersionProblem } from "./node-version.js";

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: {
    summary: "run the operator (watch the cluster, reconcile Azure)",
    load: async () => (await import("./commands/run.js")).default,
  },
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

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: azure-gallery-operator <command> [flags]\n\ncommands:\n${lines.join("\n")}\n`;
}

export async function main(argv: string[], nodeVersion = process.versions.node): Promise<number> {
  const tooOld = nodeVersionProblem(nodeVersion);
  if (tooOld) {
    process.stderr.write(`${tooOld}\n`);
    return 1;
  }
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return (await command.load())(rest);
}

const invokedDirectly = process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
