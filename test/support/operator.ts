// Runs the operator as a real process (`src/cli.ts run`, straight from the TypeScript sources) against
// a test cluster and a simulator, and reads its JSON log lines as they come.
import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import type { Gallery } from "../../src/api/index.js";
import { simulatorFlags } from "../../src/config.js";
import { mintToken, type RequestRecord, type Simulator } from "../../tools/sim/index.js";
import type { World } from "./world.js";

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
    ...simulatorFlags({ kubeconfigPath: options.kubeconfigPath, ...options.sim }),
    "--poll-interval",
    "200ms",
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

/** Runs any subcommand of the operator's CLI (src/cli.ts) from the sources. */
export function spawnCli(args: string[], env: Record<string, string> = {}): OperatorProcess {
  return spawnEntry(join(ROOT, "src", "cli.ts"), args, env);
}

/** Runs a subcommand of the development tools' CLI (tools/cli.ts: sim, dev, cluster) from the sources. */
export function spawnDevTool(args: string[], env: Record<string, string> = {}): OperatorProcess {
  return spawnEntry(join(ROOT, "tools", "cli.ts"), args, env);
}

function spawnEntry(entry: string, args: string[], env: Record<string, string>): OperatorProcess {
  const child = spawn(
    process.execPath,
    [
      "--experimental-transform-types",
      "--no-warnings",
      "--import",
      join(ROOT, "test", "support", "ts-hooks.mjs"),
      entry,
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

// ---------------------------------------------------------------------------------------------
// Helpers the operator end-to-end tests share: a Gallery manifest for a test world, the ARM
// requests the simulator saw for one gallery, the operator's reconcile log lines for one object,
// a kubeconfig that reaches the API server another way, and plain HTTP reads of the operator's
// own endpoints.

/** A Gallery named `name` in the world's namespace, subscription, resource group and location. */
export function galleryManifest(
  world: Pick<World, "namespace" | "subscriptionId" | "resourceGroup" | "location">,
  name: string,
  spec: Partial<Gallery["spec"]> = {},
): Gallery {
  return {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "Gallery",
    metadata: { name, namespace: world.namespace },
    spec: {
      subscriptionId: world.subscriptionId,
      resourceGroup: world.resourceGroup,
      location: world.location,
      sharing: { permissions: "Private" },
      deletionPolicy: "Delete",
      ...spec,
    },
  };
}

/** The simulator's log of requests on one gallery: its own URL and its actions (`/share`). */
export function galleryRequests(
  world: Pick<World, "sim" | "subscriptionId" | "resourceGroup">,
  name: string,
  opts: { after?: number; writes?: boolean } = {},
): RequestRecord[] {
  const url =
    `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.Compute/galleries/${name}`.toLowerCase();
  return world.sim
    .requests(opts.after)
    .filter((r) => {
      const path = r.path.toLowerCase();
      return path === url || path.startsWith(`${url}/`);
    })
    .filter((r) => !opts.writes || r.method !== "GET");
}

/** The sequence number of the simulator's latest request (0 before any): "requests after now". */
export function lastRequestSeq(sim: Pick<Simulator, "requests">): number {
  return sim.requests().at(-1)?.seq ?? 0;
}

/** The operator's reconcile outcome lines ("reconciled", "reconcile failed; backing off") for one object. */
export function reconcileLines(operator: Pick<OperatorProcess, "lines">, name: string): LogLine[] {
  return operator.lines.filter(
    (l) => (l.msg === "reconciled" || l.msg === "reconcile failed; backing off") && l.name === name,
  );
}

/**
 * Writes a copy of the kubeconfig at `from` whose current cluster's server is `server` (a proxy in
 * front of the API server, say) to `to`. The certificates stay the same: they are embedded, and
 * the API server's certificate names 127.0.0.1, whatever the port.
 */
export async function writeKubeconfigVia(from: string, server: string, to: string): Promise<string> {
  const config = new KubeConfig();
  config.loadFromFile(from);
  const current = config.getCurrentCluster();
  if (!current) throw new Error(`${from}: no current cluster`);
  config.clusters = config.clusters.map((c) => (c.name === current.name ? { ...c, server } : c));
  await writeFile(to, config.exportConfig(), { mode: 0o600 });
  return to;
}

/** One plain-HTTP GET (the operator's /metrics, /healthz, /readyz); never throws for a status. */
export async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.text() };
}

/** A loopback port nothing listens on (connections to it are refused). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
