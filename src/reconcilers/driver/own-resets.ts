// The operator's own Resets of a gallery, remembered until the Gallery puts its sharing mode back.
// Ending community sharing needs ARM's Reset, which leaves the gallery Private (arm-behaviour:
// "POST /share", docs/api.md "Who owns what"); the Gallery then PUTs the Community mode its spec
// asks for. That PUT follows the operator's own change, so it must not be reported as drift.
// Kept in memory: after a restart between the Reset and the PUT, the PUT is reported as drift once.

export class OwnResets {
  private readonly galleries = new Set<string>();

  /** A GallerySharing of ours is about to Reset the gallery `galleryId`. */
  record(galleryId: string): void {
    this.galleries.add(galleryId.toLowerCase());
  }

  /** Whether the operator itself reset `galleryId` since the Gallery last put its mode back. */
  has(galleryId: string): boolean {
    return this.galleries.has(galleryId.toLowerCase());
  }

  /** The Gallery put its mode back (or the gallery is gone): later differences are drift again. */
  forget(galleryId: string): void {
    this.galleries.delete(galleryId.toLowerCase());
  }
}
