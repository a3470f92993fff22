// Kubernetes Events (events.k8s.io/v1) about our objects: what `kubectl describe` shows users. Every
// ARM write and every error a user must act on is recorded; repeats are folded into a series.
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { describeError, isNotFound } from "./errors.js";
import type { KubeObject } from "./resource.js";
import { ResourceClient } from "./resource-client.js";
import { formatMicroTime } from "./time.js";
import type { KubeTransport } from "./transport.js";

export type EventType = "Normal" | "Warning";

export interface EventInput {
  type: EventType;
  /** CamelCase, why it happened ("GalleryCreated", "QuotaExceeded"). */
  reason: string;
  /** CamelCase, what we did or failed to do ("CreateGallery", "Reconcile"). */
  action: string;
  /** For humans; secrets are redacted and the text is cut to the API's 1 kB limit. */
  note: string;
}

interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
}

interface EventObject extends KubeObject {
  eventTime: string;
  series?: { count: number; lastObservedTime: string };
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  regarding: ObjectReference;
  note: string;
  type: EventType;
}

interface SeriesEntry {
  namespace: string;
  name: string;
  count: number;
  lastObserved: number;
}

export interface EventRecorderOptions {
  transport: KubeTransport;
  /** Qualified name of the component, e.g. "gallery.azure.dev/azure-gallery-operator". */
  reportingController: string;
  /** This replica (pod name); at most 128 characters. */
  reportingInstance: string;
  logger: Logger;
  /** A repeat within this long of the last one increments the series instead of a new Event. */
  seriesWindowMs?: number;
  /** How many distinct events are remembered for folding repeats. */
  cacheSize?: number;
  now?: () => Date;
}

const EVENTS = { group: "events.k8s.io", version: "v1", plural: "events", kind: "Event", namespaced: true };
const NOTE_LIMIT = 1024;
const DEFAULT_WINDOW_MS = 10 * 60_000;
const DEFAULT_CACHE_SIZE = 4096;

// Values that must never reach an Event, which every namespace reader can see: bearer tokens, SAS
// signatures, and key=value pairs whose key says secret.
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, "$1[REDACTED]"],
  [
    /\b(sig|client_secret|clientsecret|password|passwd|secret|token|access_token|refresh_token|accountkey|sharedaccesskey)(\s*[=:]\s*)("[^"]*"|[^\s&;,"]+)/gi,
    "$1$2[REDACTED]",
  ],
];

/**
 * Records Events about objects, folding repeats.
 *
 * Expected flow:
 * 1. A reconciler calls `record(obj, { type, reason, action, note })` after an ARM write or on an error
 *    the user must act on.
 * 2. The first occurrence creates an Event regarding `obj` in its namespace.
 * 3. The same (object, type, reason, action, note) again within the series window patches that Event's
 *    `series` (count, lastObservedTime) instead of creating another.
 *
 * Guarantees:
 * - `record` never rejects: events are best effort, and a failure is logged, not thrown into a
 *   reconcile.
 * - Records of the same event are sent one after another, so counts never go backwards.
 * - Notes pass through `redactSecrets` and are cut to 1 kB.
 *
 * Caveats: series are remembered in memory (LRU, `cacheSize`); after a restart a repeat starts a new
 * Event. Cluster-scoped objects get their Events in namespace "default".
 */
export class EventRecorder {
  private readonly client: ResourceClient<EventObject>;
  private readonly series = new Map<string, SeriesEntry>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly now: () => Date;

  constructor(private readonly options: EventRecorderOptions) {
    this.client = new ResourceClient<EventObject>(options.transport, EVENTS);
    this.now = options.now ?? (() => new Date());
  }

  /** Records `event` about `regarding` (see the class contract). Resolves once it was sent or failed. */
  record(regarding: KubeObject, event: EventInput): Promise<void> {
    const note = redactSecrets(event.note).slice(0, NOTE_LIMIT);
    const key = [
      regarding.metadata.uid ?? regarding.metadata.name,
      event.type,
      event.reason,
      event.action,
      note,
    ].join("\u0000");
    const previous = this.inFlight.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.send(key, regarding, { ...event, note }));
    this.inFlight.set(key, next);
    return next.finally(() => {
      if (this.inFlight.get(key) === next) this.inFlight.delete(key);
    });
  }

  private async send(key: string, regarding: KubeObject, event: EventInput): Promise<void> {
    const now = this.now();
    const window = this.options.seriesWindowMs ?? DEFAULT_WINDOW_MS;
    const entry = this.series.get(key);
    try {
      if (entry && now.getTime() - entry.lastObserved < window && (await this.bumpSeries(entry, now))) {
        this.remember(key, entry);
        return;
      }
      const created = await this.client.create(this.newEvent(regarding, event, now));
      this.remember(key, {
        namespace: created.metadata.namespace ?? "",
        name: created.metadata.name,
        count: 1,
        lastObserved: now.getTime(),
      });
    } catch (err) {
      this.options.logger.warn(
        { reason: event.reason, regarding: regarding.metadata.name, error: describeError(err) },
        "could not record event",
      );
    }
  }

  /** Increments an Event's series; false when that Event is gone (expired) and a new one is needed. */
  private async bumpSeries(entry: SeriesEntry, now: Date): Promise<boolean> {
    const count = entry.count + 1;
    try {
      await this.client.mergePatch(entry, { series: { count, lastObservedTime: formatMicroTime(now) } });
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    entry.count = count;
    entry.lastObserved = now.getTime();
    return true;
  }

  private newEvent(regarding: KubeObject, event: EventInput, now: Date): EventObject {
    const { name, namespace, uid, resourceVersion } = regarding.metadata;
    const eventNamespace = namespace || "default";
    return {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      // Like client-go: the object's name and a unique suffix, so `kubectl get events` groups by object.
      metadata: {
        name: `${name.slice(0, 200)}.${randomBytes(8).toString("hex")}`,
        namespace: eventNamespace,
      },
      eventTime: formatMicroTime(now),
      reportingController: this.options.reportingController,
      reportingInstance: this.options.reportingInstance.slice(0, 128),
      action: event.action,
      reason: event.reason,
      note: event.note,
      type: event.type,
      regarding: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        namespace,
        name,
        uid,
        resourceVersion,
      },
    };
  }

  private remember(key: string, entry: SeriesEntry): void {
    this.series.delete(key);
    this.series.set(key, entry);
    const limit = this.options.cacheSize ?? DEFAULT_CACHE_SIZE;
    // Map iteration is insertion order: the first key is the least recently recorded.
    while (this.series.size > limit) {
      const oldest = this.series.keys().next().value;
      if (oldest === undefined) break;
      this.series.delete(oldest);
    }
  }
}

/**
 * `text` with secret-looking values replaced by "[REDACTED]": bearer tokens, SAS signatures and
 * `key=value` pairs whose key names a secret. Pure.
 */
export function redactSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}
