// Operator configuration: command-line flags over environment variables over defaults, parsed
// into one typed, validated object before anything starts. Bad config is a ConfigError, which
// the CLI turns into exit code 2 with the message, so a typo never becomes a half-running operator.
import { parseArgs } from "node:util";
import { DEFAULT_RESERVE_FRACTION } from "./azure/budget.js";

export type CredentialMode = "default" | "clientSecret" | "workloadIdentity" | "managedIdentity" | "static";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface OperatorConfig {
  /** Path to a kubeconfig; undefined = KUBECONFIG, then in-cluster, then ~/.kube/config. */
  kubeconfig?: string;
  /** Namespaces to watch; empty = all namespaces. */
  namespaces: string[];
  /** This cluster in the ownership tag; undefined = the uid of the kube-system namespace. */
  clusterId?: string;
  concurrency: number;
  /**
   * Share of each ARM rate-limit bucket the operator leaves to other clients of the subscription
   * (pipelines, people, other operators): it paces itself to stay above it (src/azure/budget.ts).
   */
  rateLimitReserve: number;
  resyncPeriodMs: number;
  /** How often a running Azure operation (and replication) is polled; slower ones back off to 6x. */
  pollIntervalMs: number;
  arm: {
    /** ARM base URL; undefined = public Azure. The simulator or a sovereign cloud set it. */
    endpoint?: string;
    /** Extra CA (PEM) to trust for the ARM endpoint, e.g. the simulator's. */
    caFile?: string;
    /** Entra authority host for sovereign clouds. */
    authorityHost?: string;
  };
  credential: {
    mode: CredentialMode;
    tenantId?: string;
    clientId?: string;
    /** Only ever read from the environment (AZURE_CLIENT_SECRET), never from a flag. */
    clientSecret?: string;
    /** Other tenants the identity may act in (cross-tenant sources): sent as auxiliary tokens. */
    auxiliaryTenants: string[];
    /** `static` mode only (the simulator): the bearer token, from AGO_ARM_TOKEN. */
    staticToken?: string;
    /** `static` mode: tokens for the auxiliary tenants, by tenant id (AGO_ARM_TENANT_TOKENS, JSON). */
    staticTenantTokens?: Record<string, string>;
  };
  leaderElection: {
    enabled: boolean;
    namespace: string;
    leaseName: string;
    identity: string;
  };
  /** host:port for /metrics, /healthz and /readyz; "0" disables the server. */
  httpAddress: string;
  /** Series per object (image version replication progress); off for very large fleets. */
  perObjectMetrics: boolean;
  /** Server-side apply this version's CRDs before starting (src/crd-upgrade.ts). */
  applyCrds: boolean;
  /** Keep GalleryPolicies' status current (one operator per cluster should: src/policy/status.ts). */
  policyStatus: boolean;
  logLevel: LogLevel;
  /**
   * Hidden, for the project's simulator only (`--arm-time-scale`, docs/simulator.md "Speed"): the
   * ARM endpoint's clock runs this many times faster than Azure's, so the operator shortens the
   * waits that model Azure (rate-limit windows, replication budgets) as much. 1 against Azure.
   */
  armTimeScale: number;
  policy: {
    /** What namespaces no GalleryPolicy covers get: allow everything, or deny everything. */
    defaultPolicy: "allow" | "deny";
    /**
     * `static` mode only (the simulator): a directory of `<clientId>.jwt` files, the tokens that
     * stand for the identities GalleryPolicies name (the simulator cannot issue real ones).
     */
    staticTokenDir?: string;
  };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const CREDENTIAL_MODES: readonly CredentialMode[] = [
  "default",
  "clientSecret",
  "workloadIdentity",
  "managedIdentity",
  "static",
];
const DEFAULT_POLICIES = ["allow", "deny"] as const;
const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses `500ms`, `30s`, `10m`, `1h` (or a bare number of seconds) into milliseconds. */
export function parseDuration(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new ConfigError(`${what}: "${text}" is not a duration (use e.g. 500ms, 30s, 10m, 1h)`);
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Math.round(Number(match[1]) * unitMs);
}

/** A cluster id goes into a tag value as `cluster/namespace/Kind/name`: no slash, at most 64 characters. */
function clusterIdOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(text)) {
    throw new ConfigError(
      `--cluster-id ${JSON.stringify(text)}: letters, digits, dots, dashes and underscores, 1 to 64`,
    );
  }
  return text;
}

/** A comma-separated list, each item once: `--namespaces a,a` must not build two controllers for one key. */
function list(text: string | undefined): string[] {
  const items = (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return [...new Set(items)];
}

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${what}: "${value}" is not one of ${allowed.join(", ")}`);
  }
  return value as T;
}

export const USAGE = `usage: azure-gallery-operator run [flags]

  --kubeconfig PATH          kubeconfig (env KUBECONFIG; default in-cluster, then ~/.kube/config)
  --namespaces a,b           namespaces to watch (env AGO_NAMESPACES; default all)
  --cluster-id ID            this cluster in the ownership tag on Azure resources (env AGO_CLUSTER_ID;
                             default the uid of the kube-system namespace)
  --concurrency N            reconciles running at once per Azure subscription (env AGO_CONCURRENCY; default 4)
  --rate-limit-reserve F     share of each ARM rate-limit bucket left to other clients of a subscription,
                             0 to 0.5 (env AGO_RATE_LIMIT_RESERVE; default 0.05)
  --resync-period D          look at settled objects again after D, jittered (env AGO_RESYNC_PERIOD; default 10m)
  --poll-interval D          poll running Azure operations every D (env AGO_POLL_INTERVAL; default 10s)
  --arm-endpoint URL         ARM base URL (env AGO_ARM_ENDPOINT; default public Azure)
  --arm-ca-file PATH         extra CA to trust for ARM (env AGO_ARM_CA_FILE)
  --authority-host URL       Entra authority for sovereign clouds (env AZURE_AUTHORITY_HOST)
  --credential MODE          default | clientSecret | workloadIdentity | managedIdentity | static
                             (env AGO_CREDENTIAL; default "default" = DefaultAzureCredential)
                             clientSecret reads AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET;
                             static (simulator only) reads AGO_ARM_TOKEN, AZURE_TENANT_ID and,
                             for --auxiliary-tenants, AGO_ARM_TENANT_TOKENS ({"<tenant>": "<token>"})
  --auxiliary-tenants a,b    tenants for cross-tenant sources (env AGO_AUXILIARY_TENANTS)
  --leader-elect BOOL        only the Lease holder reconciles (env AGO_LEADER_ELECT; default true)
  --lease-namespace NS       namespace of the Lease (env POD_NAMESPACE; default azure-gallery-operator)
  --lease-name NAME          (default azure-gallery-operator)
  --http-address HOST:PORT   /metrics, /healthz, /readyz (env AGO_HTTP_ADDRESS; default :8080; 0 = off)
  --per-object-metrics BOOL  a replication-progress series per image version (env AGO_PER_OBJECT_METRICS;
                             default true; false for very large fleets)
  --apply-crds BOOL          bring the cluster's CRDs to this version at start, never downgrading
                             (env AGO_APPLY_CRDS; default false; needs get/patch on the five CRDs)
  --policy-status BOOL       write each GalleryPolicy's status (env AGO_POLICY_STATUS; default true;
                             false in all but one operator per cluster)
  --log-level LEVEL          fatal..trace (env AGO_LOG_LEVEL; default info)
  --default-policy MODE      allow | deny: namespaces no GalleryPolicy covers (env AGO_DEFAULT_POLICY; default allow)
  --static-token-dir DIR     static mode only (simulator): <clientId>.jwt tokens for policy identities
                             (env AGO_STATIC_TOKEN_DIR)
`;

/**
 * Builds the operator's config from argv and env.
 *
 * Guarantees: every field is validated; the client secret is taken from the environment only
 * (flags show up in `ps`), and its value never appears in a ConfigError message.
 * Errors: ConfigError naming the flag and what is wrong.
 */
export function parseOperatorConfig(argv: string[], env: NodeJS.ProcessEnv): OperatorConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        kubeconfig: { type: "string" },
        namespaces: { type: "string" },
        concurrency: { type: "string" },
        "rate-limit-reserve": { type: "string" },
        "resync-period": { type: "string" },
        "poll-interval": { type: "string" },
        "arm-endpoint": { type: "string" },
        "arm-ca-file": { type: "string" },
        "authority-host": { type: "string" },
        credential: { type: "string" },
        "auxiliary-tenants": { type: "string" },
        "leader-elect": { type: "string" },
        "lease-namespace": { type: "string" },
        "lease-name": { type: "string" },
        "http-address": { type: "string" },
        "per-object-metrics": { type: "string" },
        "apply-crds": { type: "string" },
        "policy-status": { type: "string" },
        "log-level": { type: "string" },
        "arm-time-scale": { type: "string" },
        "default-policy": { type: "string" },
        "static-token-dir": { type: "string" },
        "cluster-id": { type: "string" },
      },
    }));
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  }
  const str = (flag: string, envName?: string): string | undefined => {
    const v = values[flag];
    if (typeof v === "string") return v;
    return envName ? env[envName] || undefined : undefined;
  };

  const concurrencyText = str("concurrency", "AGO_CONCURRENCY") ?? "4";
  const concurrency = Number(concurrencyText);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new ConfigError(`--concurrency: "${concurrencyText}" must be an integer from 1 to 256`);
  }
  const reserveText = str("rate-limit-reserve", "AGO_RATE_LIMIT_RESERVE") ?? String(DEFAULT_RESERVE_FRACTION);
  const rateLimitReserve = Number(reserveText);
  if (
    reserveText.trim() === "" ||
    !Number.isFinite(rateLimitReserve) ||
    rateLimitReserve < 0 ||
    rateLimitReserve > 0.5
  ) {
    throw new ConfigError(
      `--rate-limit-reserve: "${reserveText}" must be a number from 0 to 0.5 (a share of each bucket)`,
    );
  }
  const resyncPeriodMs = parseDuration(str("resync-period", "AGO_RESYNC_PERIOD") ?? "10m", "--resync-period");
  if (resyncPeriodMs < 1000) throw new ConfigError("--resync-period: must be at least 1s");
  const pollIntervalMs = parseDuration(str("poll-interval", "AGO_POLL_INTERVAL") ?? "10s", "--poll-interval");
  if (pollIntervalMs < 100) throw new ConfigError("--poll-interval: must be at least 100ms");

  const endpoint = str("arm-endpoint", "AGO_ARM_ENDPOINT");
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new ConfigError(`--arm-endpoint: "${endpoint}" is not a URL`);
    }
    if (url.protocol !== "https:")
      throw new ConfigError("--arm-endpoint: must be https (ARM tokens are never sent over plain http)");
  }

  const mode = oneOf(str("credential", "AGO_CREDENTIAL") ?? "default", CREDENTIAL_MODES, "--credential");
  const tenantId = env.AZURE_TENANT_ID || undefined;
  const clientId = env.AZURE_CLIENT_ID || undefined;
  const clientSecret = env.AZURE_CLIENT_SECRET || undefined;
  if (mode === "clientSecret") {
    const missing = [
      ["AZURE_TENANT_ID", tenantId],
      ["AZURE_CLIENT_ID", clientId],
      ["AZURE_CLIENT_SECRET", clientSecret],
    ]
      .filter(([, v]) => !v)
      .map(([k]) => k);
    if (missing.length > 0) throw new ConfigError(`--credential clientSecret: set ${missing.join(", ")}`);
  }
  if (mode === "workloadIdentity" && !clientId) {
    throw new ConfigError(
      "--credential workloadIdentity: set AZURE_CLIENT_ID (the workload identity webhook does)",
    );
  }
  const staticToken = env.AGO_ARM_TOKEN || undefined;
  if (mode === "static" && (!endpoint || !staticToken || !tenantId)) {
    throw new ConfigError(
      "--credential static: only for the simulator; set --arm-endpoint, AGO_ARM_TOKEN and AZURE_TENANT_ID",
    );
  }
  const staticTenantTokens = tenantTokens(env.AGO_ARM_TENANT_TOKENS);
  const auxiliaryTenants = list(str("auxiliary-tenants", "AGO_AUXILIARY_TENANTS"));
  for (const t of auxiliaryTenants) {
    if (!GUID.test(t)) throw new ConfigError(`--auxiliary-tenants: "${t}" is not a tenant GUID`);
  }
  // Checked here, not when the first reconcile builds the credential: there it could only fail
  // every reconcile, for ever.
  if (mode === "managedIdentity" && auxiliaryTenants.length > 0) {
    throw new ConfigError(
      "--auxiliary-tenants: a managed identity lives in one tenant; use --credential clientSecret or workloadIdentity",
    );
  }

  const bool = (flag: string, envName: string, fallback: boolean): boolean => {
    const text = str(flag, envName) ?? String(fallback);
    if (text !== "true" && text !== "false")
      throw new ConfigError(`--${flag}: "${text}" must be true or false`);
    return text === "true";
  };
  const httpAddress = str("http-address", "AGO_HTTP_ADDRESS") ?? ":8080";
  if (httpAddress !== "0" && !/^[^:]*:\d{1,5}$/.test(httpAddress)) {
    throw new ConfigError(`--http-address: "${httpAddress}" must be HOST:PORT, :PORT or 0`);
  }

  const staticTokenDir = str("static-token-dir", "AGO_STATIC_TOKEN_DIR");
  if (staticTokenDir !== undefined && mode !== "static") {
    throw new ConfigError("--static-token-dir: only with --credential static (simulator tokens)");
  }

  return {
    kubeconfig: str("kubeconfig", "KUBECONFIG"),
    namespaces: list(str("namespaces", "AGO_NAMESPACES")),
    clusterId: clusterIdOf(str("cluster-id", "AGO_CLUSTER_ID")),
    concurrency,
    rateLimitReserve,
    resyncPeriodMs,
    pollIntervalMs,
    arm: {
      endpoint,
      caFile: str("arm-ca-file", "AGO_ARM_CA_FILE"),
      authorityHost: str("authority-host", "AZURE_AUTHORITY_HOST"),
    },
    credential: {
      mode,
      tenantId,
      clientId,
      clientSecret,
      auxiliaryTenants,
      staticToken,
      ...(staticTenantTokens ? { staticTenantTokens } : {}),
    },
    leaderElection: {
      enabled: bool("leader-elect", "AGO_LEADER_ELECT", true),
      namespace: str("lease-namespace", "POD_NAMESPACE") ?? "azure-gallery-operator",
      leaseName: str("lease-name") ?? "azure-gallery-operator",
      identity: env.POD_NAME || `${env.HOSTNAME ?? "operator"}-${process.pid}`,
    },
    httpAddress,
    perObjectMetrics: bool("per-object-metrics", "AGO_PER_OBJECT_METRICS", true),
    applyCrds: bool("apply-crds", "AGO_APPLY_CRDS", false),
    policyStatus: bool("policy-status", "AGO_POLICY_STATUS", true),
    logLevel: oneOf(str("log-level", "AGO_LOG_LEVEL") ?? "info", LOG_LEVELS, "--log-level"),
    armTimeScale: armTimeScale(str("arm-time-scale")),
    policy: {
      defaultPolicy: oneOf(
        str("default-policy", "AGO_DEFAULT_POLICY") ?? "allow",
        DEFAULT_POLICIES,
        "--default-policy",
      ),
      ...(staticTokenDir ? { staticTokenDir } : {}),
    },
  };
}

/** `{"<tenant>": "<token>"}` from AGO_ARM_TENANT_TOKENS. Errors: ConfigError (never quoting a token). */
function tenantTokens(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError('AGO_ARM_TENANT_TOKENS: not JSON; expected {"<tenant id>": "<token>"}');
  }
  const entries = typeof parsed === "object" && parsed !== null ? Object.entries(parsed) : [];
  if (entries.length === 0 || entries.some(([t, v]) => !GUID.test(t) || typeof v !== "string")) {
    throw new ConfigError('AGO_ARM_TENANT_TOKENS: expected {"<tenant id>": "<token>"}');
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/**
 * The `run` flags of one operator replica that talks to the ARM simulator with a static token:
 * what dev mode, tests and benchmarks share. Later flags win, so callers append their own.
 */
export function simulatorFlags(target: {
  kubeconfigPath: string;
  endpoint: string;
  caFile: string;
}): string[] {
  return [
    "--kubeconfig",
    target.kubeconfigPath,
    "--arm-endpoint",
    target.endpoint,
    "--arm-ca-file",
    target.caFile,
    "--credential",
    "static",
    "--leader-elect",
    "false",
    "--http-address",
    "0",
  ];
}

function armTimeScale(text: string | undefined): number {
  if (text === undefined) return 1;
  const scale = Number(text);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1)
    throw new ConfigError(`--arm-time-scale: "${text}" must be a number in (0, 1]`);
  return scale;
}
