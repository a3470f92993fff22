// Image versions as reconcilers need them: read with replication progress, start a write or a
// delete without waiting (replication takes minutes), and resume either from a token.
import type { GalleryImageVersion } from "@azure/arm-compute";
import { armGet, resumeOn } from "./call.js";
import type { ArmClients } from "./clients.js";
import { imageId, type VersionRef, versionId } from "./ids.js";
import { type ChildReads, readChild } from "./list-snapshot.js";
import { type LroProgress, startLro, startLroWithoutResult } from "./lro.js";

export interface VersionGetOptions {
  /**
   * Add `$expand=ReplicationStatus` (per-region state and progress). Default true. A list does
   * not show it, so only reads without it may come from the definition's list in the resync view.
   */
  replicationStatus?: boolean;
}

export class ImageVersionApi {
  constructor(
    private readonly clients: ArmClients,
    private readonly reads: ChildReads = { listed: false },
    /** Ends every request of this facade (see GalleryApi). */
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * One GET; in the resync view, without `replicationStatus`, the definition's list of versions
   * instead (list-snapshot.ts).
   * Guarantees: undefined when the version (or a parent) does not exist. Errors: ArmError.
   */
  get(ref: VersionRef, options: VersionGetOptions = {}): Promise<GalleryImageVersion | undefined> {
    const withStatus = options.replicationStatus !== false;
    const get = () =>
      armGet(() =>
        this.client(ref).galleryImageVersions.get(ref.resourceGroup, ref.gallery, ref.image, ref.version, {
          ...(withStatus ? { expand: "ReplicationStatus" } : {}),
          abortSignal: this.signal,
        }),
      );
    return readChild(
      withStatus ? { ...this.reads, listed: false } : this.reads,
      { parent: imageId(ref), name: ref.version, id: versionId(ref) },
      () =>
        this.client(ref).galleryImageVersions.listByGalleryImage(ref.resourceGroup, ref.gallery, ref.image, {
          abortSignal: this.signal,
        }),
      get,
    );
  }

  /** Sends one PUT and returns without waiting. Errors: ArmError when ARM rejects the PUT itself. */
  put(ref: VersionRef, version: GalleryImageVersion): Promise<LroProgress<GalleryImageVersion>> {
    return startLro(() =>
      this.client(ref).galleryImageVersions.createOrUpdate(
        ref.resourceGroup,
        ref.gallery,
        ref.image,
        ref.version,
        version,
        { abortSignal: this.signal },
      ),
    );
  }

  /** Sends one DELETE and returns without waiting. Errors: ArmError. */
  delete(ref: VersionRef): Promise<LroProgress<undefined>> {
    return startLroWithoutResult(() =>
      this.client(ref).galleryImageVersions.delete(ref.resourceGroup, ref.gallery, ref.image, ref.version, {
        abortSignal: this.signal,
      }),
    );
  }

  /**
   * Polls once an operation started by `put` or `delete` on this version.
   * Errors: InvalidResumeTokenError (not this version's operation); ArmError.
   */
  resume(ref: VersionRef, resumeToken: string): Promise<LroProgress<GalleryImageVersion | undefined>> {
    return resumeOn<GalleryImageVersion | undefined>(
      { clients: this.clients, resourceId: versionId(ref), signal: this.signal },
      resumeToken,
      (client, token) => ({
        source:
          token.method === "DELETE"
            ? client.galleryImageVersions.delete
            : client.galleryImageVersions.createOrUpdate,
      }),
    );
  }

  private client(ref: VersionRef) {
    return this.clients.compute(ref.subscriptionId);
  }
}
