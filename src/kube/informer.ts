// One watch and one cache per resource, shared by every controller that needs that kind (as
// client-go's shared informers are). Why: a kind several controllers depend on (ImageVersions wake
// their definitions, their versions and themselves) would otherwise be listed, watched and held in
// memory once per controller; and a reconcile that reads a kind's cache always sees at least the
// change that woke it, because the one cache is updated before anyone hears of the change.
import type { Logger } from "pino";
import type { KubeObject, ResourceDescriptor } from "./resource.js";
import { ResourceClient } from "./resource-client.js";
import { type IndexFn, type ReadonlyStore, Store } from "./store.js";
import { internStrings, StringPool } from "./string-pool.js";
import type { KubeTransport } from "./transport.js";
import { type RestartReason, Watcher, type WatcherEvent, type WatcherOptions } from "./watcher.js";

/** A change as subscribers hear it, after the cache took it in. */
export type InformerEvent<T> =
  /** The cache now holds exactly `objects` (start, relist); `removed` were cached and are gone. */
  | { type: "Listed"; objects: T[]; removed: T[] }
  | { type: "Applied"; object: T; previous: T | undefined }
  | { type: "Deleted"; object: T };

export interface InformerSubscriber<T> {
  onEvent(event: InformerEvent<T>): void;
  /** The shared watch was opened again (for metrics). */
  onRestart?(reason: RestartReason): void;
}

export interface Subscription {
  /** Resolves once the cache holds a full list (at once when it already does). */
  readonly synced: Promise<void>;
  /** Stops delivering events; the watch stops with its last subscriber. */
  unsubscribe(): Promise<void>;
}

/** Watcher tuning for every informer of a set. */
export type InformerOptions = Pick<
  WatcherOptions,
  "idleTimeoutMs" | "serverTimeoutSeconds" | "backoff" | "pageSize"
> & {
  /** Watch one namespace; all namespaces when unset. */
  namespace?: string;
  logger?: Logger;
};

/**
 * The watch and cache of one resource.
 *
 * Expected flow: the first `subscribe` starts the watch; a subscriber that comes after the cache
 * synced first hears a `Listed` of what the cache holds; the last `unsubscribe` stops the watch and
 * empties the cache (a later subscriber lists afresh).
 *
 * Guarantees: the cache applies each event before any subscriber hears of it; subscribers hear
 * events in the server's order. Objects lose `metadata.managedFields` on the way in (no reconciler
 * reads them, and they are often the largest part of a cached object), and their string values
 * are shared with the informer's other objects (string-pool.ts).
 */
export class Informer<T extends KubeObject> {
  /** `plural.group`: names the watch in logs and metrics. */
  readonly name: string;
  private readonly cache = new Store<T>();
  private strings = new StringPool();
  private readonly subscribers = new Set<InformerSubscriber<T>>();
  private watcher: Watcher<T> | undefined;
  private synced = false;

  constructor(
    private readonly client: ResourceClient<T>,
    private readonly options: InformerOptions,
  ) {
    this.name = `${client.resource.plural}.${client.resource.group}`;
  }

  /** The cache; empty until the first list. */
  get store(): ReadonlyStore<T> {
    return this.cache;
  }

  /** Adds an index to the cache (`Store.addIndex`): every reader of the shared cache can use it. */
  addIndex(name: string, valuesOf: IndexFn<T>): void {
    this.cache.addIndex(name, valuesOf);
  }

  subscribe(subscriber: InformerSubscriber<T>): Subscription {
    this.subscribers.add(subscriber);
    if (!this.watcher) {
      this.watcher = new Watcher(this.client, (event) => this.onWatchEvent(event), {
        ...this.options,
        logger: this.options.logger?.child({ watch: this.name }),
        onRestart: (reason) => {
          for (const s of this.subscribers) s.onRestart?.(reason);
        },
      });
      this.watcher.start();
    } else if (this.synced) {
      subscriber.onEvent({ type: "Listed", objects: this.cache.list(), removed: [] });
    }
    const watcher = this.watcher;
    return {
      synced: watcher.synced,
      unsubscribe: async () => {
        if (!this.subscribers.delete(subscriber) || this.subscribers.size > 0) return;
        this.watcher = undefined;
        this.synced = false;
        // stop() aborts at once, so no event of this watch lands in the cache a new one may fill.
        const stopped = watcher.stop();
        this.cache.replace([]);
        this.strings = new StringPool();
        await stopped;
      },
    };
  }

  private onWatchEvent(event: WatcherEvent<T>): void {
    let change: InformerEvent<T>;
    switch (event.type) {
      case "Listed": {
        const objects = event.objects.map((obj) => this.cached(obj));
        change = { type: "Listed", objects, removed: this.cache.replace(objects) };
        this.synced = true;
        break;
      }
      case "Applied": {
        const object = this.cached(event.object);
        change = { type: "Applied", object, previous: this.cache.apply(object) };
        break;
      }
      case "Deleted":
        this.cache.delete(event.object);
        // Not cached any more: pooling its strings would only churn the pool.
        change = { type: "Deleted", object: slim(event.object) };
        break;
    }
    for (const s of this.subscribers) s.onEvent(change);
  }

  /** `obj` as the cache keeps it: without managedFields, its strings pooled. */
  private cached(obj: T): T {
    return internStrings(slim(obj), this.strings);
  }
}

/**
 * The informers of one scope (a namespace, or the whole cluster): at most one per resource.
 * Controllers of one operator share a set; a controller without one makes its own.
 */
export class InformerSet {
  private readonly informers = new Map<string, Informer<KubeObject>>();

  constructor(
    private readonly transport: KubeTransport,
    private readonly options: InformerOptions = {},
  ) {}

  get namespace(): string | undefined {
    return this.options.namespace;
  }

  /** The informer of `resource`, made on first use (its watch starts with its first subscriber). */
  informer<T extends KubeObject>(resource: ResourceDescriptor): Informer<T> {
    const key = `${resource.group}/${resource.version}/${resource.plural}`;
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer<KubeObject>(new ResourceClient(this.transport, resource), this.options);
      this.informers.set(key, informer);
    }
    return informer as unknown as Informer<T>;
  }
}

function slim<T extends KubeObject>(obj: T): T {
  if (obj.metadata?.managedFields === undefined) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}
