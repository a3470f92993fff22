// The live PolicyView of the operator process: every GalleryPolicy and every Namespace's labels
// (watched), and the credential Secrets policies name (read by name, never listed: the operator
// may only `get` them). Tells its owner which namespaces to look at again when any of it changes.
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { CLUSTER_KINDS, type GalleryPolicy, GROUP, VERSION } from "../api/index.js";
import { type Secret, secret } from "../azure/index.js";
import {
  isNotFound,
  jsonEqual,
  KubeApiError,
  type KubeObject,
  type KubeTransport,
  ResourceClient,
  type ResourceDescriptor,
  Store,
  Watcher,
  type WatcherEvent,
} from "../kube/index.js";
import type { SecretState } from "./credential.js";
import type { PolicyView } from "./engine.js";
import { selectorMatches } from "./selector.js";

export const POLICIES: ResourceDescriptor = {
  group: GROUP,
  version: VERSION,
  plural: CLUSTER_KINDS.GalleryPolicy.plural,
  kind: CLUSTER_KINDS.GalleryPolicy.kind,
  namespaced: false,
};
const NAMESPACES: ResourceDescriptor = {
  group: "",
  version: "v1",
  plural: "namespaces",
  kind: "Namespace",
  namespaced: false,
};
const SECRETS: ResourceDescriptor = {
  group: "",
  version: "v1",
  plural: "secrets",
  kind: "Secret",
  namespaced: true,
};

type SecretObject = KubeObject & { data?: Record<string, string> };

export interface PolicyCacheOptions {
  transport: KubeTransport;
  logger: Logger;
  /** Where clientSecret identities' Secrets live: the operator's own namespace. */
  secretNamespace: string;
  /** How often named Secrets are read again (rotation; a Secret made after its policy). Default 60 s. */
  secretRefreshMs?: number;
  /** The namespaces whose policies, labels or identity Secret changed; their objects need a look. */
  onChange(namespaces: ReadonlySet<string>): void;
}

/**
 * Watches GalleryPolicies and Namespaces and reads the Secrets policies name.
 *
 * Expected flow: `start()`; `waitSynced()` resolves once both lists arrived and every named Secret
 * was read once; from then on each change calls `onChange` with the namespaces it affects (a policy
 * change: those it covered before or covers now; a label change: that namespace; a Secret whose
 * content or presence changed: the namespaces of the policies naming it).
 *
 * Guarantees: `covering` and `secret` answer from memory (no request); a Secret's values are held
 * in `Secret` boxes and never logged.
 * Caveats: a Secret made after its policy is noticed at the next refresh (`secretRefreshMs`).
 */
export class PolicyCache implements PolicyView {
  private readonly policies = new Store<GalleryPolicy>();
  private readonly namespaces = new Store<KubeObject>();
  private readonly secrets = new Map<string, { state: SecretState; digest: string }>();
  private readonly watchers: Pick<Watcher<KubeObject>, "synced" | "start" | "stop">[];
  private readonly secretClient: ResourceClient<SecretObject>;
  private refreshTimer: NodeJS.Timeout | undefined;
  private synced = false;
  private stopped = false;
  private readonly ready: Promise<void>;

  constructor(private readonly options: PolicyCacheOptions) {
    const { transport, logger } = options;
    this.secretClient = new ResourceClient<SecretObject>(transport, SECRETS);
    const policyWatcher = new Watcher<GalleryPolicy>(
      new ResourceClient<GalleryPolicy>(transport, POLICIES),
      (event) => this.onPolicyEvent(event),
      { logger: logger.child({ watch: "gallerypolicies" }) },
    );
    const namespaceWatcher = new Watcher<KubeObject>(
      new ResourceClient<KubeObject>(transport, NAMESPACES),
      (event) => this.onNamespaceEvent(event),
      { logger: logger.child({ watch: "namespaces" }) },
    );
    this.watchers = [policyWatcher, namespaceWatcher];
    this.ready = Promise.all(this.watchers.map((w) => w.synced)).then(async () => {
      await this.refreshSecrets();
      this.synced = true;
      this.scheduleRefresh();
    });
  }

  start(): void {
    for (const w of this.watchers) w.start();
  }

  /** Resolves once policies, namespaces and named Secrets were read; rejects if `signal` aborts first. */
  waitSynced(signal?: AbortSignal): Promise<void> {
    if (!signal) return this.ready;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      this.ready.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.refreshTimer);
    await Promise.all(this.watchers.map((w) => w.stop()));
  }

  covering(namespace: string): readonly GalleryPolicy[] {
    const labels = this.namespaces.get(namespace)?.metadata.labels ?? {};
    return this.policies
      .list()
      .filter((p) => selectorMatches(p.spec.namespaceSelector ?? {}, labels))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  /** Every policy, by name. */
  list(): readonly GalleryPolicy[] {
    return this.policies.list().sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  /** The namespaces `policy` covers now, sorted. */
  coveredBy(policy: GalleryPolicy): string[] {
    return [...this.namespacesCoveredBy([policy])].sort();
  }

  secret(name: string): SecretState {
    return this.secrets.get(name)?.state ?? { state: "pending" };
  }

  private onPolicyEvent(event: WatcherEvent<GalleryPolicy>): void {
    const touched: GalleryPolicy[] = [];
    if (event.type === "Listed") touched.push(...this.policies.replace(event.objects), ...event.objects);
    else if (event.type === "Applied") {
      const previous = this.policies.apply(event.object);
      // The operator's own status writes change nothing a judgement depends on.
      if (previous && jsonEqual(previous.spec, event.object.spec)) return;
      touched.push(...(previous ? [previous] : []), event.object);
    } else touched.push(...(this.policies.delete(event.object) ? [event.object] : []));
    this.changed(this.namespacesCoveredBy(touched));
    // A policy naming a Secret not read yet: read it now rather than at the next refresh.
    if (this.synced && this.namedSecrets().some((name) => !this.secrets.has(name)))
      void this.refreshSecrets();
  }

  private onNamespaceEvent(event: WatcherEvent<KubeObject>): void {
    if (event.type === "Listed") {
      this.namespaces.replace(event.objects);
      this.changed(new Set(event.objects.map((n) => n.metadata.name)));
    } else if (event.type === "Applied") {
      const previous = this.namespaces.apply(event.object);
      if (!jsonEqual(previous?.metadata.labels ?? {}, event.object.metadata.labels ?? {}))
        this.changed(new Set([event.object.metadata.name]));
    } else this.namespaces.delete(event.object);
  }

  private namespacesCoveredBy(policies: readonly GalleryPolicy[]): Set<string> {
    const out = new Set<string>();
    for (const ns of this.namespaces.list()) {
      const labels = ns.metadata.labels ?? {};
      if (policies.some((p) => selectorMatches(p.spec.namespaceSelector ?? {}, labels)))
        out.add(ns.metadata.name);
    }
    return out;
  }

  private changed(namespaces: ReadonlySet<string>): void {
    // Before the first sync nothing reconciles yet, and every object is queued at start anyway.
    if (this.synced && namespaces.size > 0) this.options.onChange(namespaces);
  }

  private namedSecrets(): string[] {
    const names = this.policies.list().flatMap((p) => p.spec.identity?.clientSecret?.secretName ?? []);
    return [...new Set(names)];
  }

  /** Reads every named Secret; forgets the ones no policy names any more. */
  private async refreshSecrets(): Promise<void> {
    const names = this.namedSecrets();
    for (const name of this.secrets.keys()) if (!names.includes(name)) this.secrets.delete(name);
    await Promise.all(
      names.map(async (name) => {
        const state = await this.readSecret(name);
        const digest = digestOf(state);
        const before = this.secrets.get(name);
        this.secrets.set(name, { state, digest });
        if (before?.digest !== digest) {
          const naming = this.policies
            .list()
            .filter((p) => p.spec.identity?.clientSecret?.secretName === name);
          this.changed(this.namespacesCoveredBy(naming));
        }
      }),
    );
  }

  private async readSecret(name: string): Promise<SecretState> {
    try {
      const obj = await this.secretClient.get({ namespace: this.options.secretNamespace, name });
      const data: Record<string, Secret> = {};
      for (const [key, value] of Object.entries(obj.data ?? {})) {
        data[key] = secret(Buffer.from(value, "base64").toString("utf8"));
      }
      return { state: "found", data };
    } catch (err) {
      if (isNotFound(err)) return { state: "missing", reason: "not found" };
      if (err instanceof KubeApiError && err.code === 403) {
        return {
          state: "missing",
          reason: "the operator may not read it (Helm value rbac.credentialSecretNames)",
        };
      }
      this.options.logger.warn({ err, secret: name }, "could not read a credential Secret; will retry");
      return this.secrets.get(name)?.state ?? { state: "pending" };
    }
  }

  private scheduleRefresh(): void {
    if (this.stopped) return;
    this.refreshTimer = setTimeout(() => {
      void this.refreshSecrets().finally(() => this.scheduleRefresh());
    }, this.options.secretRefreshMs ?? 60_000);
    this.refreshTimer.unref();
  }
}

/** Tells two reads of a Secret apart without keeping its values in clear. */
function digestOf(state: SecretState): string {
  if (state.state !== "found") return JSON.stringify(state);
  const hash = createHash("sha256");
  for (const key of Object.keys(state.data).sort()) hash.update(`${key}\0${state.data[key]?.reveal()}\0`);
  return `found:${hash.digest("hex")}`;
}
