// List + watch of one resource, kept alive for ever: it resumes after a cut, relists after 410 Gone,
// and treats a silent stream as a dead one. Downstream sees a simple event stream.
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { Backoff, type BackoffPolicy, jittered } from "./backoff.js";
import { describeError, isGone, KubeApiError, WatchIdleError } from "./errors.js";
import type { KubeObject } from "./resource.js";
import type { ResourceClient } from "./resource-client.js";

export type WatcherEvent<T> =
  /** A full list: the complete current set, replacing everything seen before (start, and after 410). */
  { type: "Listed"; objects: T[] } | { type: "Applied"; object: T } | { type: "Deleted"; object: T };

/** Why the watch was opened again. */
export type RestartReason = "closed" | "idle" | "error" | "gone";

export interface WatcherOptions {
  /** Watch one namespace; all namespaces when unset. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size of lists. */
  pageSize?: number;
  /**
   * A stream silent for this long is closed and opened again. The API server sends a bookmark about
   * once a minute on a quiet watch, so the default (90 s) only fires on a dead connection.
   */
  idleTimeoutMs?: number;
  /** The server ends each watch after this many seconds (jittered up to ×2), as client-go does. */
  serverTimeoutSeconds?: number;
  /** Delay between failed attempts; reset once a watch delivers. */
  backoff?: BackoffPolicy;
  /**
   * Start watching from this resourceVersion without listing first (for callers that kept their own
   * state). If the server no longer has it (410), the watcher lists as usual.
   */
  resumeFrom?: string;
  logger?: Logger;
  /** Called each time the watch is opened again, with why; for metrics and tests. */
  onRestart?(reason: RestartReason, error?: unknown): void;
}

// client-go's reflector backs off from 800 ms to 30 s.
const WATCH_BACKOFF: BackoffPolicy = { baseMs: 800, capMs: 30_000, jitter: 0.2 };
const DEFAULT_IDLE_TIMEOUT_MS = 90_000;
const DEFAULT_SERVER_TIMEOUT_SECONDS = 300;
const DEFAULT_PAGE_SIZE = 500;

interface RawWatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KubeObject & { code?: number; reason?: string; message?: string };
}

/**
 * Watches one resource and reports its objects to `handler`.
 *
 * Expected flow:
 * 1. `start()` lists the collection (page by page) and delivers `Listed` with every object.
 * 2. It watches from the list's resourceVersion, with bookmarks, delivering `Applied`/`Deleted`.
 * 3. When the server ends the watch, it reopens it from the last resourceVersion seen (events or
 *    bookmarks), so nothing is missed and nothing is listed again.
 * 4. When the stream errors or goes silent past `idleTimeoutMs`, it reopens it the same way after a
 *    backoff delay.
 * 5. When the server answers 410 Gone (the resourceVersion was compacted away), it lists again and
 *    delivers a new `Listed`; the consumer replaces its state with it.
 *
 * Guarantees:
 * - Events are delivered one at a time, in the server's order; `handler` is never called after
 *   `stop()` resolved.
 * - After any failure the watcher keeps trying (with capped, jittered backoff) until `stop()`.
 * - `synced` resolves once the first `Listed` was delivered.
 *
 * Caveats: objects deleted while the watch was down and re-listed are only visible as absent from the
 * next `Listed`; the consumer must diff (Store.replace does).
 *
 * Errors: none escape; failures are logged and retried. An exception from `handler` is logged and the
 * event is skipped, since the handler is in-process code and retrying would not change its mind.
 */
export class Watcher<T extends KubeObject> {
  readonly synced: Promise<void>;
  private markSynced: () => void = () => {};
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private loop: Promise<void> | undefined;
  private resourceVersion: string | undefined;

  constructor(
    private readonly client: ResourceClient<T>,
    private readonly handler: (event: WatcherEvent<T>) => void,
    private readonly options: WatcherOptions = {},
  ) {
    this.synced = new Promise((resolve) => {
      this.markSynced = resolve;
    });
    this.backoff = new Backoff(options.backoff ?? WATCH_BACKOFF);
    this.resourceVersion = options.resumeFrom;
  }

  /** Starts listing and watching in the background. Errors: throws if started twice. */
  start(): void {
    if (this.loop) throw new Error("watcher already started");
    this.loop = this.run();
  }

  /** Stops the watch and waits until the handler can no longer be called. */
  async stop(): Promise<void> {
    this.abort.abort(new Error("watcher stopped"));
    await this.loop;
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  private async run(): Promise<void> {
    while (!this.signal.aborted) {
      try {
        if (this.resourceVersion === undefined) await this.relist();
        const delivered = await this.watchOnce(this.resourceVersion ?? "");
        // A clean close is routine (the server's timeout); only a close that brought nothing backs off,
        // so a server that closes at once is not hammered.
        if (delivered) this.backoff.reset();
        this.restarted("closed");
        if (!delivered) await this.pause();
      } catch (err) {
        if (this.signal.aborted) break;
        if (isGone(err)) {
          // The resourceVersion is history: only a fresh list can tell what exists now.
          this.resourceVersion = undefined;
          this.restarted("gone", err);
          continue;
        }
        this.restarted(err instanceof WatchIdleError ? "idle" : "error", err);
        await this.pause();
      }
    }
  }

  private async relist(): Promise<void> {
    const objects: T[] = [];
    let token: string | undefined;
    let resourceVersion = "";
    do {
      const page = await this.client.list({
        namespace: this.options.namespace,
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
        limit: this.options.pageSize ?? DEFAULT_PAGE_SIZE,
        continue: token,
        signal: this.signal,
      });
      objects.push(...page.items);
      token = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion ?? "";
    } while (token);
    this.resourceVersion = resourceVersion;
    this.deliver({ type: "Listed", objects });
    this.markSynced();
  }

  /** One watch request; returns whether it delivered anything (bookmarks count). */
  private async watchOnce(resourceVersion: string): Promise<boolean> {
    let delivered = false;
    const serverTimeout = jittered(this.options.serverTimeoutSeconds ?? DEFAULT_SERVER_TIMEOUT_SECONDS, 1);
    const query = {
      watch: true,
      allowWatchBookmarks: true,
      resourceVersion,
      timeoutSeconds: serverTimeout,
      labelSelector: this.options.labelSelector,
      fieldSelector: this.options.fieldSelector,
    };
    const onLine = (line: string) => {
      const event = JSON.parse(line) as RawWatchEvent;
      this.handleEvent(event);
      delivered = true;
      this.backoff.reset();
    };
    await this.client.transport.stream(this.client.collectionPath(this.options.namespace), query, onLine, {
      signal: this.signal,
      idleTimeoutMs: this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    });
    return delivered;
  }

  private handleEvent(event: RawWatchEvent): void {
    if (event.type === "ERROR") {
      const status = event.object;
      throw new KubeApiError(
        status.code ?? 500,
        status.reason ?? "",
        status.message ?? "watch error",
        "WATCH",
      );
    }
    const version = event.object.metadata?.resourceVersion;
    if (version) this.resourceVersion = version;
    if (event.type === "ADDED" || event.type === "MODIFIED") {
      this.deliver({ type: "Applied", object: event.object as T });
    } else if (event.type === "DELETED") {
      this.deliver({ type: "Deleted", object: event.object as T });
    }
    // BOOKMARK: only the resourceVersion matters, and it was taken above.
  }

  private deliver(event: WatcherEvent<T>): void {
    if (this.signal.aborted) return;
    try {
      this.handler(event);
    } catch (err) {
      this.options.logger?.error({ err, event: event.type }, "watch event handler failed; event skipped");
    }
  }

  private restarted(reason: RestartReason, error?: unknown): void {
    if (this.signal.aborted) return;
    const log = this.options.logger;
    if (reason === "error" || reason === "idle")
      log?.warn({ reason, error: describeError(error) }, "watch restarting");
    else if (reason === "gone") log?.info({ reason }, "watch resourceVersion expired; listing again");
    else log?.debug({ reason }, "watch ended; resuming");
    this.options.onRestart?.(reason, error);
  }

  private async pause(): Promise<void> {
    await sleep(this.backoff.next(), undefined, { signal: this.signal }).catch(() => {});
  }
}
