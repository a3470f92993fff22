#!/usr/bin/env node
// The operator's command-line entry point: `run`. The development tools (simulator, dev mode,
// local control plane) have their own entry point in a checkout, tools/cli.ts, built on the same
// dispatcher. Each subcommand is loaded lazily, so the Node version check below runs before
// anything imports undici or @azure/*.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { nodeVersionProblem } from "./node-version.js";

type Command = (args: string[]) => Promise<number>;

export type Commands = Record<string, { summary: string; load: () => Promise<Command> }>;

const commands: Commands = {
  run: {
    summary: "run the operator (watch the cluster, reconcile Azure)",
    load: async () => (await import("./commands/run.js")).default,
  },
};

function usage(program: string, table: Commands): string {
  const lines = Object.entries(table).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: ${program} <command> [flags]\n\ncommands:\n${lines.join("\n")}\n`;
}

/** Runs the subcommand `argv[0]` of `table` with the rest of `argv`; resolves to the exit code. */
export async function dispatch(
  program: string,
  table: Commands,
  argv: string[],
  nodeVersion = process.versions.node,
): Promise<number> {
  const tooOld = nodeVersionProblem(nodeVersion);
  if (tooOld) {
    process.stderr.write(`${tooOld}\n`);
    return 1;
  }
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage(program, table));
    return name ? 0 : 2;
  }
  const command = table[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${usage(program, table)}`);
    return 2;
  }
  return (await command.load())(rest);
}

export function main(argv: string[], nodeVersion = process.versions.node): Promise<number> {
  return dispatch("azure-gallery-operator", commands, argv, nodeVersion);
}

/** Runs `entry` when it is the process's main module, setting the exit code from its result. */
export function runIfMain(moduleUrl: string, entry: (argv: string[]) => Promise<number>): void {
  const invokedDirectly = process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(moduleUrl);
  if (!invokedDirectly) return;
  entry(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

runIfMain(import.meta.url, main);
