// `azure-gallery-operator run`: the operator process. Exit codes: 0 after a clean stop (SIGTERM),
// 1 when leadership was lost or it crashed, 2 for bad configuration.
import { CaFileError, CredentialConfigError } from "../azure/index.js";
import { ConfigError, type OperatorConfig, parseOperatorConfig, USAGE } from "../config.js";
import { applyOwnCrds } from "../crd-upgrade.js";
import { abortOnSignals, KubeTransport, loadKubeConfig } from "../kube/index.js";
import { createLogger } from "../log.js";
import { type OperatorHandle, startOperator } from "../operator.js";
import {
  OperatorMetrics,
  type OperatorServer,
  ReadinessState,
  startOperatorServer,
} from "../server/index.js";
import { operatorVersion } from "../version.js";

/** Says what is wrong with the configuration on stderr; returns the exit code for it. */
function badConfig(message: string): number {
  process.stderr.write(`azure-gallery-operator run: ${message}\n`);
  process.stderr.write("run `azure-gallery-operator run --help` for the flags\n");
  return 2;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export default async function run(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  let config: OperatorConfig;
  let kubeConfig: ReturnType<typeof loadKubeConfig>["kubeConfig"];
  try {
    config = parseOperatorConfig(args, process.env);
    ({ kubeConfig } = loadKubeConfig({ path: config.kubeconfig }));
  } catch (err) {
    return badConfig(`${err instanceof ConfigError ? "" : "kubeconfig: "}${messageOf(err)}`);
  }
  const logger = createLogger({ level: config.logLevel });
  const metrics = new OperatorMetrics({ perObject: config.perObjectMetrics });
  const lease = config.leaderElection.enabled ? config.leaderElection.leaseName : undefined;
  if (lease) metrics.setLeading(lease, false);
  const readiness = new ReadinessState();
  readiness.leadership(config.leaderElection.enabled ? "standby" : "unknown");
  // The address is bound before anything runs: one that cannot be served (taken, unknown host)
  // must stop the process, not leave an operator reconciling without its probes and metrics.
  let server: OperatorServer | undefined;
  try {
    server =
      config.httpAddress === "0"
        ? undefined
        : await startOperatorServer({
            address: config.httpAddress,
            metrics,
            readiness: () => readiness.check(),
            logger,
          });
  } catch (err) {
    return badConfig(`--http-address ${config.httpAddress}: ${messageOf(err)}`);
  }
  if (config.applyCrds) {
    try {
      await applyOwnCrds(new KubeTransport(kubeConfig), operatorVersion(), logger);
    } catch (err) {
      logger.error(
        { error: messageOf(err) },
        "applying this version's CRDs failed (--apply-crds; the chart's crds.applyOnStart grants the permission it needs)",
      );
      await server?.close();
      return 1;
    }
  }
  const signal = abortOnSignals();
  let handle: OperatorHandle;
  try {
    handle = startOperator(
      {
        config,
        logger,
        kubeConfig,
        hooks: metrics.controllerHooks(),
        onArmRequest: metrics.onArmRequest,
        onKubeRequest: metrics.onKubeRequest,
        metrics: { setReplicationProgress: (ns, name, pct) => metrics.setReplicationProgress(ns, name, pct) },
        onLeadingChanged: (leading) => {
          readiness.leadership(leading ? "leader" : "standby");
          if (lease) metrics.setLeading(lease, leading);
        },
        onCachesSynced: (name) => readiness.cachesSynced(name),
      },
      signal,
    );
  } catch (err) {
    await server?.close();
    // The ARM settings are only checked as the operator is assembled (the CA file is read then).
    if (err instanceof CaFileError || err instanceof CredentialConfigError) return badConfig(messageOf(err));
    throw err;
  }
  readiness.expectControllers(handle.controllerNames);
  const stopWatchingBudgets = metrics.watchThrottleRemaining(() => handle.factory.budgets.snapshot());
  logger.info(
    {
      namespaces: config.namespaces.length > 0 ? config.namespaces : "all",
      armEndpoint: config.arm.endpoint ?? "public Azure",
      credential: config.credential.mode,
      leaderElection: config.leaderElection.enabled,
      http: server ? server.port : "off",
    },
    "operator starting",
  );
  try {
    const reason = await handle.done;
    logger.info({ reason }, "operator stopped");
    return reason === "lost" ? 1 : 0;
  } catch (err) {
    logger.error({ err }, "operator crashed");
    return 1;
  } finally {
    stopWatchingBudgets();
    await server?.close();
  }
}
