// ARM plumbing for the operator: credentials, clients, error classification, rate limits,
// long-running operations, ids, and one small facade per resource. Imports nothing from kube/.
import type { ArmClients } from "./clients.js";
import { GalleryApi } from "./galleries.js";
import { ImageDefinitionApi } from "./images.js";
import { RoleAssignmentApi } from "./roleAssignments.js";
import { ImageVersionApi } from "./versions.js";

export * from "./budget.js";
export * from "./call.js";
export * from "./clients.js";
export * from "./credentials.js";
export * from "./errors.js";
export * from "./galleries.js";
export * from "./ids.js";
export * from "./images.js";
export * from "./lro.js";
export * from "./ratelimit.js";
export * from "./ratelimitHeaders.js";
export * from "./retryAfter.js";
export * from "./roleAssignments.js";
export * from "./secret.js";
export * from "./tls.js";
export * from "./versions.js";

/** The four resource facades over one identity's clients. */
export interface ArmApi {
  galleries: GalleryApi;
  images: ImageDefinitionApi;
  versions: ImageVersionApi;
  roleAssignments: RoleAssignmentApi;
}

/** Example: `createArmApi(factory.clientsFor(credential)).galleries.get(ref)`. */
export function createArmApi(clients: ArmClients): ArmApi {
  return {
    galleries: new GalleryApi(clients),
    images: new ImageDefinitionApi(clients),
    versions: new ImageVersionApi(clients),
    roleAssignments: new RoleAssignmentApi(clients),
  };
}
