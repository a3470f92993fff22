// Image definitions as reconcilers need them: read, start a write or a delete without waiting,
// and resume either from a token.
import type { GalleryImage } from "@azure/arm-compute";
import { armGet, resumeOn } from "./call.js";
import type { ArmClients } from "./clients.js";
import { galleryId, type ImageRef, imageId } from "./ids.js";
import { type ChildReads, readChild } from "./list-snapshot.js";
import { type LroProgress, startLro, startLroWithoutResult } from "./lro.js";

export class ImageDefinitionApi {
  constructor(
    private readonly clients: ArmClients,
    private readonly reads: ChildReads = { listed: false },
    /** Ends every request of this facade (see GalleryApi). */
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * One GET; in the resync view the gallery's list of definitions instead (list-snapshot.ts).
   * Guarantees: undefined when the definition (or a parent) does not exist. Errors: ArmError.
   */
  get(ref: ImageRef): Promise<GalleryImage | undefined> {
    return readChild(
      this.reads,
      { parent: galleryId(ref), name: ref.image, id: imageId(ref) },
      () =>
        this.client(ref).galleryImages.listByGallery(ref.resourceGroup, ref.gallery, {
          abortSignal: this.signal,
        }),
      () =>
        armGet(() =>
          this.client(ref).galleryImages.get(ref.resourceGroup, ref.gallery, ref.image, {
            abortSignal: this.signal,
          }),
        ),
    );
  }

  /** Sends one PUT and returns without waiting. Errors: ArmError when ARM rejects the PUT itself. */
  put(ref: ImageRef, image: GalleryImage): Promise<LroProgress<GalleryImage>> {
    return startLro(() =>
      this.client(ref).galleryImages.createOrUpdate(ref.resourceGroup, ref.gallery, ref.image, image, {
        abortSignal: this.signal,
      }),
    );
  }

  /** Sends one DELETE and returns without waiting. Errors: ArmError (Conflict while versions exist). */
  delete(ref: ImageRef): Promise<LroProgress<undefined>> {
    return startLroWithoutResult(() =>
      this.client(ref).galleryImages.delete(ref.resourceGroup, ref.gallery, ref.image, {
        abortSignal: this.signal,
      }),
    );
  }

  /**
   * Polls once an operation started by `put` or `delete` on this definition.
   * Errors: InvalidResumeTokenError (not this definition's operation); ArmError.
   */
  resume(ref: ImageRef, resumeToken: string): Promise<LroProgress<GalleryImage | undefined>> {
    const on = { clients: this.clients, resourceId: imageId(ref), signal: this.signal };
    return resumeOn<GalleryImage | undefined>(on, resumeToken, (client, token) => ({
      source: token.method === "DELETE" ? client.galleryImages.delete : client.galleryImages.createOrUpdate,
    }));
  }

  private client(ref: ImageRef) {
    return this.clients.compute(ref.subscriptionId);
  }
}
