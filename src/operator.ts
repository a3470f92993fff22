// The operator process, assembled: Kubernetes transport, ARM clients, one controller per kind
// (per watched namespace), leader election, and the metrics/health server. `run` calls this;
// tests and benchmarks call it in-process when they need to.
import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { GalleryPolicy } from "./api/index.js";
import type { ArmRequestEvent, CredentialConfig } from "./azure/index.js";
import { ClientFactory, credentialConfigFromSettings } from "./azure/index.js";
import type { OperatorConfig } from "./config.js";
import {
  backoffDelay,
  Controller,
  type ControllerHooks,
  DEFAULT_BACKOFF,
  EventRecorder,
  InformerSet,
  type KubeCredentials,
  type KubeObject,
  KubeTransport,
  type KubeTransportOptions,
  keyOf,
  type ReconcileFn,
  ResourceClient,
  runManager,
  type StepDownReason,
} from "./kube/index.js";
import { POLICIES } from "./policy/cache.js";
import type { Peers } from "./policy/counts.js";
import { startPolicyRuntime } from "./policy/runtime.js";
import { PolicyStatusWriter } from "./policy/status.js";
import type { ArmObject } from "./reconcilers/driver/arm-kind.js";
import { OwnResets } from "./reconcilers/driver/own-resets.js";
import {
  armReconciler,
  BY_NAMESPACE,
  type Caches,
  CONFIGMAPS,
  type ConfigMap,
  descriptorOf,
  indexedCaches,
  KIND_WIRINGS,
  type KindWiring,
  type ReconcilerContext,
  subscriptionOf,
} from "./reconcilers/index.js";

export interface OperatorOptions {
  config: OperatorConfig;
  logger: Logger;
  kubeConfig: KubeCredentials;
  /** Replaces the identity the config describes (tests hand in a simulator credential). */
  credential?: CredentialConfig;
  hooks?: ControllerHooks;
  onArmRequest?: (event: ArmRequestEvent) => void;
  /** Every request to the API server (`rest_client_requests_total`). */
  onKubeRequest?: KubeTransportOptions["onRequest"];
  onLeadingChanged?(leading: boolean): void;
  onCachesSynced?(controller: string): void;
  /** Series the reconcilers feed (replication progress per version). */
  metrics?: ReconcilerContext["metrics"];
}

/**
 * ARM calls made by the reconcile running in the current async context: the SDK pipeline runs
 * inside the reconcile's context, so its per-request hook can count for the right object.
 */
const armCalls = new AsyncLocalStorage<{ reads: number; writes: number }>();

function countArmCall(event: ArmRequestEvent): void {
  const counter = armCalls.getStore();
  if (!counter) return;
  if (event.method === "GET" || event.method === "HEAD") counter.reads += 1;
  else counter.writes += 1;
}

export interface OperatorHandle {
  /** Resolves when the operator stopped: "cancelled" on the signal, "lost" when leadership was lost. */
  done: Promise<StepDownReason>;
  factory: ClientFactory;
  /** Names of the controllers (readiness waits for each one's caches). */
  controllerNames: string[];
}

/**
 * Starts the operator; it runs until `signal` aborts.
 *
 * Expected flow: 1. build the ARM client factory; watch GalleryPolicies and Namespaces (they choose
 * each namespace's identity and guardrails); 2. one controller per kind and watched namespace
 * (cross-object references never leave a namespace, so each namespace's caches are complete on
 * their own); 3. run them under leader election (when enabled).
 * Guarantees: nothing reconciles before this replica leads, the policies are known and its caches
 * synced; a policy change wakes the objects of the namespaces it touches; on `signal`, work drains
 * and the lease is released.
 */
export function startOperator(options: OperatorOptions, signal: AbortSignal): OperatorHandle {
  const { config, logger } = options;
  const transport = new KubeTransport(
    options.kubeConfig,
    options.onKubeRequest ? { onRequest: options.onKubeRequest } : {},
  );
  const factory = new ClientFactory({
    endpoint: config.arm.endpoint,
    caFile: config.arm.caFile,
    rateLimit: { windowScale: config.armTimeScale, reserve: { fraction: config.rateLimitReserve } },
    onRequest: (event) => {
      countArmCall(event);
      options.onArmRequest?.(event);
    },
  });
  const credential =
    options.credential ??
    credentialConfigFromSettings({
      ...config.credential,
      authorityHost: config.arm.authorityHost,
    });
  // GalleryPolicies choose each namespace's identity and guardrails; a change wakes the objects of
  // the namespaces it touches (wake() is called only after the caches synced, so `controllers` is set).
  const policies = startPolicyRuntime({
    transport,
    logger,
    factory,
    credential,
    authorityHost: config.arm.authorityHost,
    secretNamespace: config.leaderElection.namespace,
    defaultPolicy: config.policy.defaultPolicy,
    staticTokenDir: config.policy.staticTokenDir,
    // A resync reads each parent's list once per period instead of every child (list-snapshot.ts).
    listMaxAgeMs: config.resyncPeriodMs,
    onChange: (changed) => {
      wake(changed);
      policyStatus.poke();
    },
  });
  // Each GalleryPolicy's reach (covered namespaces, objects that break it) in its status.
  const allCaches: Caches[] = [];
  const allPeers: Peers = (kind, ns) => allCaches.flatMap((c) => peersIn(c)(kind, ns));
  const policyStatus = new PolicyStatusWriter({
    policies: () => policies.cache.list(),
    coveredBy: (policy) => policies.cache.coveredBy(policy),
    subjects: () => controllers.flatMap((c) => c.store.list()),
    violations: (subject) => policies.violations(subject, allPeers),
    client: new ResourceClient<GalleryPolicy>(transport, POLICIES),
    logger: logger.child({ component: "policy-status" }),
  });
  const events = new EventRecorder({
    transport,
    reportingController: "gallery.azure.dev/azure-gallery-operator",
    reportingInstance: config.leaderElection.identity.slice(0, 128),
    logger,
  });

  // The cluster's identity in ownership tags: known before any controller starts (see `runnables`).
  // Read when the first controller starts, and retried: an operator may start before its API server
  // answers, and that must delay its first write, not end the process.
  let clusterId = config.clusterId;
  let clusterKnown: Promise<void> | undefined;
  const knowCluster = (signal?: AbortSignal): Promise<void> => {
    if (clusterId) return Promise.resolve();
    clusterKnown ??= untilRead(() => kubeSystemUid(transport), logger, signal).then(
      (uid) => {
        clusterId = uid;
      },
      (err: unknown) => {
        clusterKnown = undefined; // stopped before it was read: the next start reads again
        throw err;
      },
    );
    return clusterKnown;
  };
  const namespaces = config.namespaces.length > 0 ? config.namespaces : [undefined];
  const everywhere: Caches[] = [];
  const controllers = namespaces.flatMap((namespace) => {
    // One watch and one cache per kind, shared by the controllers and read by every reconciler.
    const informers = new InformerSet(transport, { namespace, logger });
    const caches = indexedCaches(informers);
    everywhere.push(caches);
    allCaches.push(caches);
    const ctx: ReconcilerContext = {
      arm: (ns) => policies.arm(ns),
      identity: (ns) => policies.identity(ns),
      policyViolations: (obj) => policyStatus.judged(obj, policies.violations(obj, peersIn(caches))),
      caches,
      everywhere,
      clusterId: () => clusterId,
      events,
      configMaps: new ResourceClient<ConfigMap>(transport, CONFIGMAPS),
      log: logger,
      pollIntervalMs: config.pollIntervalMs,
      ownResets: new OwnResets(),
      armTimeScale: config.armTimeScale,
      now: () => new Date(),
      armBudget: (subscriptionId, bucket) => factory.budgets.remaining(subscriptionId, bucket),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    };
    return KIND_WIRINGS.map((wiring) =>
      buildController(wiring, { transport, informers, namespace, logger, config, ctx, hooks: options.hooks }),
    );
  });
  function wake(namespaces: ReadonlySet<string>): void {
    for (const c of controllers) {
      for (const obj of c.store.list())
        if (namespaces.has(obj.metadata.namespace ?? "")) c.enqueue(keyOf(obj));
    }
  }

  const leaderElection = config.leaderElection.enabled
    ? {
        transport,
        namespace: config.leaderElection.namespace,
        name: config.leaderElection.leaseName,
        identity: config.leaderElection.identity,
      }
    : undefined;
  const runnables = controllers.map((c) => ({
    name: c.name,
    start: async (startSignal?: AbortSignal) => {
      // No reconcile before the policies are known: an object must not slip through unjudged.
      await policies.cache.waitSynced(startSignal);
      // No write before the ownership tag can be read and written.
      await knowCluster(startSignal);
      await c.start(startSignal);
      options.onCachesSynced?.(c.name);
    },
    stop: (stopOptions?: { deadlineMs?: number }) => c.stop(stopOptions),
  }));
  // Policy status is written by the leader only, like everything else, and by one operator per
  // cluster (--policy-status): operators watching different namespaces would each write their part.
  const statusRunnable = {
    name: "GalleryPolicy status",
    start: async (startSignal?: AbortSignal) => {
      await policies.cache.waitSynced(startSignal);
      policyStatus.start();
    },
    stop: async () => {
      await policyStatus.stop();
      return { abandoned: [] };
    },
  };
  const done = runManager(
    {
      controllers: config.policyStatus ? [...runnables, statusRunnable] : runnables,
      logger,
      ...(leaderElection ? { leaderElection } : {}),
      onLeadingChanged: options.onLeadingChanged,
    },
    signal,
  ).finally(async () => {
    await policies.stop();
    factory.close();
  });
  return { done, factory, controllerNames: controllers.map((c) => c.name) };
}

/**
 * The uid of the `kube-system` namespace: the cluster's identity when `--cluster-id` is not set
 * (every cluster has that namespace; its uid survives operator restarts and upgrades).
 * Errors: the namespace cannot be read (the message says which flag avoids the read).
 */
async function kubeSystemUid(transport: KubeTransport): Promise<string> {
  try {
    const ns = await transport.request<KubeObject>({ method: "GET", path: "/api/v1/namespaces/kube-system" });
    if (ns.metadata.uid) return ns.metadata.uid;
  } catch (err) {
    throw new Error(
      `reading the kube-system namespace for the cluster's identity failed (set --cluster-id instead): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  throw new Error("the kube-system namespace has no uid; set --cluster-id");
}

/**
 * `read()` until it succeeds, with the runtime's backoff between attempts (each failure logged).
 * Errors: the abort reason of `signal`.
 */
async function untilRead<T>(read: () => Promise<T>, logger: Logger, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await read();
    } catch (err) {
      const delayMs = backoffDelay(attempt, { ...DEFAULT_BACKOFF, capMs: 30_000 });
      logger.warn(
        { err: err instanceof Error ? err.message : String(err), retryInMs: delayMs },
        "cluster identity not read yet",
      );
      await sleep(delayMs, undefined, signal ? { signal } : {});
    }
  }
}

/** Objects of a kind in a namespace, for the policies' counting rules. */
function peersIn(caches: Caches): Peers {
  return (kind, namespace) =>
    (kind === "Gallery" ? caches.galleries : caches.imageVersions).byIndex(BY_NAMESPACE, namespace);
}

interface ControllerSettings {
  transport: KubeTransport;
  informers: InformerSet;
  namespace: string | undefined;
  logger: Logger;
  config: OperatorConfig;
  ctx: ReconcilerContext;
  hooks: ControllerHooks | undefined;
}

/** Runs a reconcile in its own ARM-call counter and puts the counts on its outcome log line. */
function withArmCallCount<T extends KubeObject>(reconcile: ReconcileFn<T>): ReconcileFn<T> {
  return (request) => {
    const counter = { reads: 0, writes: 0 };
    return armCalls.run(counter, async () => {
      try {
        return await reconcile(request);
      } finally {
        request.annotate({ armReads: counter.reads, armWrites: counter.writes });
      }
    });
  };
}

function buildController<T extends ArmObject>(wiring: KindWiring<T>, s: ControllerSettings): Controller<T> {
  const resource = descriptorOf(wiring.name);
  const client = new ResourceClient<T>(s.transport, resource);
  const controller: Controller<T> = new Controller<T>({
    name: s.namespace ? `${wiring.name}@${s.namespace}` : wiring.name,
    resource,
    transport: s.transport,
    namespace: s.namespace,
    informers: s.informers,
    logger: s.logger,
    concurrency: s.config.concurrency,
    // `--concurrency` workers per Azure subscription: ARM's limits are per subscription.
    groupOf: (obj) => subscriptionOf(obj, s.ctx.caches),
    resyncPeriodMs: s.config.resyncPeriodMs,
    reconcile: withArmCallCount(armReconciler(wiring.kind(client), s.ctx)),
    hooks: s.hooks,
    watches: wiring.wakes.map((wake) => ({
      resource: descriptorOf(wake.from),
      mapToKeys: (changed: KubeObject) => wake.keys(changed, controller.store),
      ...(wake.when ? { matters: wake.when } : {}),
    })),
  });
  return controller;
}
