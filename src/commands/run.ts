// `azure-gallery-operator run`: the operator process. Exit codes: 0 after a clean stop (SIGTERM),
// 1 when leadership was lost or it crashed, 2 for bad configuration.
import { ConfigError, type OperatorConfig, parseOperatorConfig, USAGE } from "../config.js";
import { abortOnSignals, loadKubeConfig } from "../kube/index.js";
import { createLogger } from "../log.js";
import { startOperator } from "../operator.js";
import { OperatorMetrics, ReadinessState, startOperatorServer } from "../server/index.js";

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
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(
      `azure-gallery-operator run: ${err instanceof ConfigError ? "" : "kubeconfig: "}${message}\n`,
    );
    process.stderr.write("run `azure-gallery-operator run --help` for the flags\n");
    return 2;
  }
  const logger = createLogger({ level: config.logLevel });
  const signal = abortOnSignals();
  const metrics = new OperatorMetrics();
  const readiness = new ReadinessState();
  readiness.leadership(config.leaderElection.enabled ? "standby" : "unknown");
  const handle = startOperator(
    {
      config,
      logger,
      kubeConfig,
      hooks: metrics.controllerHooks(),
      onArmRequest: metrics.onArmRequest,
      onLeadingChanged: (leading) => readiness.leadership(leading ? "leader" : "standby"),
      onCachesSynced: (name) => readiness.cachesSynced(name),
    },
    signal,
  );
  readiness.expectControllers(handle.controllerNames);
  const stopWatchingBudgets = metrics.watchThrottleRemaining(() => handle.factory.budgets.snapshot());
  const server =
    config.httpAddress === "0"
      ? undefined
      : await startOperatorServer({
          address: config.httpAddress,
          metrics,
          readiness: () => readiness.check(),
          logger,
        });
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
