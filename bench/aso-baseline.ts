// The re-PUT baseline: Azure Service Operator's policy, run by the benchmark itself rather than
// switched on inside the operator (issue 20). ASO writes every resource it manages once per sync
// period whether or not anything changed, and once after it starts. This client does that for the
// workload's objects against the simulator: each object in turn gets a GET of its Azure resource
// and a PUT of the body it read (gallery, image definition, image version), or, for a
// GallerySharing, its gallery's GET and the share posted again as one `Add` of every id the
// object names; then the same again one period after that pass finished.
//
// Real Azure SDK clients over HTTPS, as a peer operator would talk to ARM; long-running operations
// polled to the end at the operator's poll interval, as ASO follows its own. SDK retries are off:
// a refused call (429 included) is tried again after the `Retry-After` ARM sent, else one poll
// interval, so every call ARM answers is in the simulator's log, where the benchmark counts it.
import { setTimeout as delay } from "node:timers/promises";
import { ComputeManagementClient, restorePoller, type SharingUpdate } from "@azure/arm-compute";
import type { TokenCredential } from "@azure/core-auth";
import { isRestError } from "@azure/core-rest-pipeline";
import type { GallerySharing } from "../src/api/index.js";
import { mintToken, simClientOptions } from "../tools/sim/index.js";
import { nowMs } from "./clock.js";
import type { WorkloadItem } from "./workload.js";

export interface BaselineSettings {
  sim: { endpoint: string; caPem: string };
  /** The tenant of the workload's subscriptions (the identity the calls are made as). */
  tenantId: string;
  items: readonly WorkloadItem[];
  /** The sync period: each object is written again this long after its last pass finished. */
  periodMs: number;
  pollIntervalMs: number;
  /** Objects worked on at once (the operator's --concurrency, for a like-for-like window). */
  concurrency: number;
}

/** An Azure resource's place, from a workload item's lower-case ARM path. */
interface ArmPlace {
  subscriptionId: string;
  resourceGroup: string;
  gallery: string;
  image?: string;
  version?: string;
}

const PATH =
  /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.compute\/galleries\/([^/]+)(?:\/images\/([^/]+)(?:\/versions\/([^/]+))?)?$/;

function placeOf(armPath: string): ArmPlace {
  const match = PATH.exec(armPath);
  if (!match?.[1] || !match[2] || !match[3]) throw new Error(`not a gallery resource path: ${armPath}`);
  return {
    subscriptionId: match[1],
    resourceGroup: match[2],
    gallery: match[3],
    ...(match[4] ? { image: match[4] } : {}),
    ...(match[5] ? { version: match[5] } : {}),
  };
}

interface Due {
  item: WorkloadItem;
  at: number;
}

export class AsoBaseline {
  private readonly abort = new AbortController();
  private readonly clients = new Map<string, ComputeManagementClient>();
  private readonly credential: TokenCredential;
  /** Objects in the order they are due; a pass puts its object back when it is next due. */
  private readonly queue: Due[];
  private workers: Promise<void>[] = [];

  constructor(private readonly settings: BaselineSettings) {
    const token = mintToken(
      { tid: settings.tenantId, oid: "bench-aso-baseline", appid: "aso-baseline" },
      86_400,
    );
    this.credential = {
      getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000, tokenType: "Bearer" }),
    };
    const now = nowMs();
    this.queue = settings.items.map((item) => ({ item, at: now }));
  }

  /** Starts the first pass over every object (a started ASO syncs everything it manages). */
  start(): void {
    this.workers = Array.from({ length: this.settings.concurrency }, () => this.work());
  }

  /** Stops: calls in flight are cancelled, none is started. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const due = this.queue.shift();
      if (!due) return;
      const wait = due.at - nowMs();
      if (wait > 0) await delay(wait, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      const retryAfterMs = await this.sync(due.item).then(
        () => undefined,
        (err: unknown) => this.retryAfterMs(err),
      );
      this.enqueue({ item: due.item, at: nowMs() + (retryAfterMs ?? this.settings.periodMs) });
    }
  }

  /** In due order: a retry ARM asked for sooner goes before the periodic passes due later. */
  private enqueue(due: Due): void {
    const later = this.queue.findIndex((other) => other.at > due.at);
    this.queue.splice(later === -1 ? this.queue.length : later, 0, due);
  }

  /** One pass over one object: read its Azure resource, write it again unchanged. */
  private async sync(item: WorkloadItem): Promise<void> {
    const place = placeOf(item.armPath);
    const client = this.client(place.subscriptionId);
    const options = { abortSignal: this.abort.signal, updateIntervalInMs: this.settings.pollIntervalMs };
    const { resourceGroup: rg, gallery, image, version } = place;
    if (item.kind === "GallerySharing") {
      await client.galleries.get(rg, gallery, options);
      const update = shareAll(item.manifest as GallerySharing);
      if (update) await share(client, rg, gallery, update, options);
    } else if (image !== undefined && version !== undefined) {
      const body = await client.galleryImageVersions.get(rg, gallery, image, version, options);
      await client.galleryImageVersions.createOrUpdate(rg, gallery, image, version, body, options);
    } else if (image !== undefined) {
      const body = await client.galleryImages.get(rg, gallery, image, options);
      await client.galleryImages.createOrUpdate(rg, gallery, image, body, options);
    } else {
      const body = await client.galleries.get(rg, gallery, options);
      await client.galleries.createOrUpdate(rg, gallery, body, options);
    }
  }

  /** When to try an object again after a failed pass: when ARM said, else one poll interval. */
  private retryAfterMs(err: unknown): number | undefined {
    if (this.abort.signal.aborted) return undefined;
    const seconds = isRestError(err) ? Number(err.response?.headers.get("retry-after")) : Number.NaN;
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : this.settings.pollIntervalMs;
  }

  private client(subscriptionId: string): ComputeManagementClient {
    let client = this.clients.get(subscriptionId);
    if (!client) {
      client = new ComputeManagementClient(this.credential, subscriptionId, {
        ...simClientOptions(this.settings.sim),
        retryOptions: { maxRetries: 0 },
      });
      this.clients.set(subscriptionId, client);
    }
    return client;
  }
}

/**
 * Posts a share action and follows its operation to the end. The share's final answer has no
 * body, which the SDK's poller cannot deserialize, so the poller is resumed with the update itself
 * as its result (the same calls go to ARM either way).
 */
async function share(
  client: ComputeManagementClient,
  resourceGroup: string,
  gallery: string,
  update: SharingUpdate,
  options: { abortSignal: AbortSignal; updateIntervalInMs: number },
): Promise<void> {
  const poller = client.gallerySharingProfile.update(resourceGroup, gallery, update, options);
  await poller.submitted();
  await restorePoller(client, await poller.serialize(), client.gallerySharingProfile.update, {
    ...options,
    processResponseBody: async () => update,
  }).pollUntilDone();
}

/**
 * The whole sharing again, as one share action (`EnableCommunity`, or one `Add` of every id);
 * undefined when the object shares nothing (ARM has no empty share to post).
 */
export function shareAll(sharing: GallerySharing): SharingUpdate | undefined {
  const { subscriptions = [], tenants = [], community } = sharing.spec;
  if (community?.enabled) return { operationType: "EnableCommunity", groups: [] };
  const groups = [
    ...(subscriptions.length > 0 ? [{ type: "Subscriptions", ids: subscriptions }] : []),
    ...(tenants.length > 0 ? [{ type: "AADTenants", ids: tenants }] : []),
  ];
  return groups.length > 0 ? { operationType: "Add", groups } : undefined;
}
