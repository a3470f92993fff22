// The operator of a dev run, in this process.
//
// Why in-process rather than a `run` child: the simulator accepts a token per tenant, and a
// cross-tenant source needs an auxiliary token of the source's tenant; `run --credential static`
// takes only one token (AGO_ARM_TOKEN), while `startOperator` accepts a credential with a token per
// tenant. In-process also means one process to stop on Ctrl-C: only the control plane runs apart,
// and it has its own exit hooks and reaping records.
import { createWriteStream } from "node:fs";
import { Secret } from "../../src/azure/index.js";
import { type LogLevel, type OperatorConfig, parseOperatorConfig, simulatorFlags } from "../../src/config.js";
import { loadKubeConfig, type StepDownReason } from "../../src/kube/index.js";
import { createLogger } from "../../src/log.js";
import { startOperator } from "../../src/operator.js";
import { mintToken, type Simulator } from "../sim/index.js";

export interface DevOperatorOptions {
  kubeconfigPath: string;
  sim: Pick<Simulator, "endpoint" | "caFile">;
  tenantId: string;
  auxiliaryTenants: readonly string[];
  timeScale: number;
  logFile: string;
  logLevel: LogLevel;
}

export interface DevOperator {
  config: OperatorConfig;
  /** Settles when the operator stopped (or crashed: then it rejects). */
  done: Promise<StepDownReason>;
  /** Stops it and waits, at most `deadlineMs`; closes the log. Idempotent. */
  stop(deadlineMs: number): Promise<void>;
}

/** The same identity in every tenant; what the simulator records as the caller. */
const IDENTITY = { oid: "dev-operator", appid: "azure-gallery-operator-dev" };

/**
 * Starts the operator against the dev cluster and simulator, logging JSON to `logFile`.
 *
 * Guarantees: configured through the same parser as `run` (so a flag `run` rejects, dev rejects
 * too); no leader election (one replica); no HTTP server; polls, resyncs and rate-limit windows
 * scaled with the time scale so a sped-up Azure is watched and paced as the real one is at scale 1.
 */
export function startDevOperator(options: DevOperatorOptions): DevOperator {
  const tokenFor = (tid: string) => new Secret(mintToken({ tid, ...IDENTITY }, 24 * 3600));
  const config = parseOperatorConfig(
    [
      ...simulatorFlags({ kubeconfigPath: options.kubeconfigPath, ...options.sim }),
      "--poll-interval",
      `${pollIntervalMs(options.timeScale)}ms`,
      "--resync-period",
      `${resyncPeriodMs(options.timeScale)}ms`,
      // The simulator's rate windows and durations are scaled: the operator paces by them, as it
      // would by Azure's (the flag takes no slower clock than Azure's; above 1 it keeps Azure's).
      "--arm-time-scale",
      String(Math.min(1, options.timeScale)),
      "--log-level",
      options.logLevel,
      // The examples' namespaces are covered by no GalleryPolicy; dev is one person's sandbox, so
      // they act as the operator (the chart denies such namespaces: docs/policy.md).
      "--default-policy",
      "allow",
      ...(options.auxiliaryTenants.length > 0
        ? ["--auxiliary-tenants", options.auxiliaryTenants.join(",")]
        : []),
    ],
    { AGO_ARM_TOKEN: tokenFor(options.tenantId).reveal(), AZURE_TENANT_ID: options.tenantId },
  );
  const log = createWriteStream(options.logFile, { flags: "a" });
  // A line logged after the log was closed (an operator past its stop deadline) is dropped, not a crash.
  log.on("error", noop);
  const logger = createLogger({ level: config.logLevel, destination: log });
  const abort = new AbortController();
  const handle = startOperator(
    {
      config,
      logger,
      kubeConfig: loadKubeConfig({ path: options.kubeconfigPath }).kubeConfig,
      credential: {
        kind: "static",
        tenantId: options.tenantId,
        token: tokenFor(options.tenantId),
        tenantTokens: Object.fromEntries(options.auxiliaryTenants.map((t) => [t, tokenFor(t)])),
        ...(options.auxiliaryTenants.length > 0 ? { auxiliaryTenants: [...options.auxiliaryTenants] } : {}),
      },
    },
    abort.signal,
  );
  handle.done.catch((err: unknown) => logger.error({ err }, "operator crashed"));
  let stopping: Promise<void> | undefined;
  return {
    config,
    done: handle.done,
    stop(deadlineMs) {
      stopping ??= (async () => {
        abort.abort(new Error("dev mode is stopping"));
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, deadlineMs);
        });
        await Promise.race([handle.done.then(noop, noop), deadline]);
        clearTimeout(timer);
        await new Promise<void>((resolve) => log.end(resolve));
      })();
      return stopping;
    },
  };
}

function noop(): void {}

/** Real Azure is polled every 10 s; a sped-up one proportionally more often, but not below 200 ms. */
export function pollIntervalMs(timeScale: number): number {
  return Math.round(Math.min(10_000, Math.max(200, 10_000 * timeScale)));
}

/** The 10-minute resync, scaled, between 5 s and 10 min: steady state shows reads but no writes. */
export function resyncPeriodMs(timeScale: number): number {
  return Math.round(Math.min(600_000, Math.max(5_000, 600_000 * timeScale)));
}
