// Galleries as reconcilers need them: read (optionally with the sharing groups), start a write,
// a delete or a share action without waiting, and resume any of those from a token.
import type { Gallery, SharingUpdate } from "@azure/arm-compute";
import { armGet, resumeOn } from "./call.js";
import type { ArmClients } from "./clients.js";
import { type GalleryRef, galleryId, resourceGroupId } from "./ids.js";
import { type ChildReads, readChild } from "./list-snapshot.js";
import { type LroProgress, startLro, startLroWithoutResult } from "./lro.js";

export interface GalleryGetOptions {
  /**
   * Return the sharing groups (`$select=Permissions`, as the CLI reads them: recorded traffic
   * showed groups only in this view, docs/arm-behaviour.md#direct-sharing).
   */
  withPermissions?: boolean;
}

export class GalleryApi {
  constructor(
    private readonly clients: ArmClients,
    private readonly reads: ChildReads = { listed: false },
    /**
     * Ends every request of this facade, on the wire or waiting to go (docs/runtime.md, "No ARM
     * request after leadership is lost").
     */
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * One GET; in the resync view (without `withPermissions`, which a list does not show) the
   * resource group's list of galleries instead (list-snapshot.ts).
   * Guarantees: undefined when the gallery (or its resource group) does not exist. Errors: ArmError.
   */
  get(ref: GalleryRef, options: GalleryGetOptions = {}): Promise<Gallery | undefined> {
    const get = () =>
      armGet(() =>
        this.client(ref).galleries.get(ref.resourceGroup, ref.gallery, {
          ...(options.withPermissions ? { select: "Permissions" } : {}),
          abortSignal: this.signal,
        }),
      );
    const reads = options.withPermissions ? { ...this.reads, listed: false } : this.reads;
    const child = { parent: `${resourceGroupId(ref)}/galleries`, name: ref.gallery, id: galleryId(ref) };
    return readChild(
      reads,
      child,
      () => this.client(ref).galleries.listByResourceGroup(ref.resourceGroup, { abortSignal: this.signal }),
      get,
    );
  }

  /**
   * Sends one PUT (create or full update) and returns without waiting for it to finish.
   * Errors: ArmError when ARM rejects the PUT itself.
   */
  put(ref: GalleryRef, gallery: Gallery): Promise<LroProgress<Gallery>> {
    return startLro(() =>
      this.client(ref).galleries.createOrUpdate(ref.resourceGroup, ref.gallery, gallery, {
        abortSignal: this.signal,
      }),
    );
  }

  /** Sends one DELETE and returns without waiting. Errors: ArmError (a 409 while children exist is Conflict). */
  delete(ref: GalleryRef): Promise<LroProgress<undefined>> {
    return startLroWithoutResult(() =>
      this.client(ref).galleries.delete(ref.resourceGroup, ref.gallery, { abortSignal: this.signal }),
    );
  }

  /**
   * Sends one `POST …/share` (Add, Remove, Reset, EnableCommunity) and returns without waiting.
   * ARM answers 202 at once, so this is always `running`; read the gallery for the outcome.
   */
  share(ref: GalleryRef, update: SharingUpdate): Promise<LroProgress<undefined>> {
    return startLroWithoutResult(() =>
      this.client(ref).gallerySharingProfile.update(ref.resourceGroup, ref.gallery, update, {
        abortSignal: this.signal,
      }),
    );
  }

  /**
   * Polls once an operation started by `put`, `delete` or `share` on this gallery.
   * Guarantees: `result` is the gallery after a PUT, undefined after a delete or share.
   * Errors: InvalidResumeTokenError (not this gallery's operation); ArmError.
   */
  resume(ref: GalleryRef, resumeToken: string): Promise<LroProgress<Gallery | undefined>> {
    const on = { clients: this.clients, resourceId: galleryId(ref), signal: this.signal };
    return resumeOn<Gallery | undefined>(on, resumeToken, (client, token) => {
      switch (token.method) {
        case "PUT":
          return { source: client.galleries.createOrUpdate };
        case "DELETE":
          return { source: client.galleries.delete };
        default:
          // The share monitor URL ends with 200 and an empty body, which the SDK cannot read.
          return { source: client.gallerySharingProfile.update, deserialize: () => undefined };
      }
    });
  }

  private client(ref: GalleryRef) {
    return this.clients.compute(ref.subscriptionId);
  }
}
