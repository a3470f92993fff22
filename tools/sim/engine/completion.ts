// What happens to the simulated world when an operation's time is up: resources reach
// `Succeeded` (or `Failed`), deletions take effect, share changes apply.
import { applyShare } from "../arm/sharing.js";
import type { GalleryRecord, ImageRecord, OperationRecord, VersionRecord } from "../state/model.js";
import type { Store } from "../state/store.js";
import { failedRegions } from "./replication.js";

type Resource = GalleryRecord | ImageRecord | VersionRecord;

function findResource(store: Store, operation: OperationRecord): Resource | undefined {
  switch (operation.resource) {
    case "gallery":
      return store.galleries.get(operation.target);
    case "image":
      return store.images.get(operation.target);
    case "version":
      return store.versions.get(operation.target);
  }
}

function deleteResource(store: Store, operation: OperationRecord): void {
  switch (operation.resource) {
    case "gallery":
      store.galleries.delete(operation.target);
      return;
    case "image":
      store.images.delete(operation.target);
      return;
    case "version":
      store.versions.delete(operation.target);
      return;
  }
}

function succeed(operation: OperationRecord): void {
  operation.status = "Succeeded";
}

function fail(operation: OperationRecord, code: string, message: string): void {
  operation.status = "Failed";
  operation.error = { code, message };
}

function completeVersionPut(
  version: VersionRecord,
  operation: OperationRecord,
  at: number,
  current: boolean,
): void {
  const failures = failedRegions(version, at);
  if (failures.length > 0) {
    const first = failures[0];
    const regions = failures.map((region) => region.region).join("', '");
    fail(
      operation,
      first?.failCode ?? "ReplicationFailed",
      `Replication of gallery image version '${version.name}' failed in region(s) '${regions}': ${first?.failDetails ?? "Replication failed."}`,
    );
    if (current) version.provisioningState = "Failed";
    return;
  }
  succeed(operation);
  if (current) {
    version.provisioningState = "Succeeded";
    version.materialized = true;
  }
}

/**
 * Finishes `operation` as of virtual time `at`.
 *
 * Guarantees: the operation leaves `InProgress` with `endAt = at`. A PUT settles the resource's
 * provisioningState only if it is still the latest operation on that resource. A PUT whose
 * resource was deleted meanwhile ends `Canceled`. A DELETE removes the resource. A share applies
 * its change, or fails with the limit it would break.
 */
export function completeOperation(store: Store, operation: OperationRecord, at: number): void {
  operation.endAt = at;
  const resource = findResource(store, operation);
  switch (operation.kind) {
    case "put": {
      if (!resource) {
        operation.status = "Canceled";
        return;
      }
      const current = resource.operationId === operation.id;
      if (operation.resource === "version") {
        completeVersionPut(resource as VersionRecord, operation, at, current);
        return;
      }
      succeed(operation);
      if (current) resource.provisioningState = "Succeeded";
      return;
    }
    case "delete":
      if (resource) deleteResource(store, operation);
      succeed(operation);
      return;
    case "share": {
      const gallery = resource as GalleryRecord | undefined;
      if (!gallery || !operation.share) {
        operation.status = "Canceled";
        return;
      }
      const error = applyShare(gallery, operation.share);
      if (error) fail(operation, error.code, error.message);
      else succeed(operation);
      return;
    }
  }
}
