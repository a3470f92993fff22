// What every reconciler gets: ARM access for an object's namespace, the caches of all our kinds
// (to resolve parents and children), events, logs and timing settings.
import type { Logger } from "pino";
import type { Gallery, GallerySharing, ImageDefinition, ImageVersion } from "../../api/index.js";
import type { ArmApi } from "../../azure/index.js";
import type { EventRecorder, ReadonlyStore, ResourceClient } from "../../kube/index.js";
import type { ConfigMap } from "./exports.js";
import type { OwnResets } from "./own-resets.js";

export interface Caches {
  galleries: ReadonlyStore<Gallery>;
  imageDefinitions: ReadonlyStore<ImageDefinition>;
  imageVersions: ReadonlyStore<ImageVersion>;
  gallerySharings: ReadonlyStore<GallerySharing>;
}

/** The Azure identity objects of a namespace act as, as shown in status (never a secret). */
export interface IdentityInfo {
  mode: string;
  clientId?: string;
  tenantId?: string;
}

/** An object as policies judge it: its kind, namespace and spec. */
export interface PolicySubject {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: object;
}

export interface PolicyViolation {
  /** The GalleryPolicy that forbids it; empty for the operator-wide default (`--default-policy deny`). */
  policy: string;
  /** The policy field stating the rule, e.g. `regions.allowed`; `defaultPolicy` for the operator default. */
  rule: string;
  message: string;
  /**
   * Set when the policy says `enforcement: Remediate` and the operator may undo the violation
   * itself (a share that became forbidden): the spec without what the rule forbids.
   */
  remedy?(spec: object): object;
}

export interface ReconcilerContext {
  /**
   * The ARM facades for objects in `namespace`, under the identity chosen for it. Inside a
   * reconcile, the driver's view whose every request ends with the reconcile's signal.
   */
  arm(namespace: string): ArmApi;
  identity(namespace: string): IdentityInfo;
  caches: Caches;
  /**
   * The caches of every watched namespace (one entry when all namespaces are watched), to find
   * objects of other namespaces naming the same Azure resource. Unset: `caches` only.
   */
  everywhere?: readonly Caches[];
  /**
   * This cluster's identity in the ownership tag (`--cluster-id`, else the uid of the
   * `kube-system` namespace). Unset or undefined: no ownership tag is read or written (tests of
   * pure logic).
   */
  clusterId?(): string | undefined;
  events: EventRecorder;
  /** Where `spec.operatorSpec.configMaps` values go (exports.ts); unset: nothing is exported. */
  configMaps?: ResourceClient<ConfigMap>;
  log: Logger;
  /** How soon to poll a running operation. */
  pollIntervalMs: number;
  /** Galleries a GallerySharing reset, until their Gallery puts the sharing mode back (not drift). */
  ownResets: OwnResets;
  /** How much faster than Azure's the ARM endpoint's clock runs: 1, or the simulator's time scale. */
  armTimeScale?: number;
  now(): Date;
  /**
   * What ARM last reported left in a rate-limit bucket of a subscription (all its clients
   * counted), from the `x-ms-ratelimit-remaining-*` headers; undefined before any report.
   */
  armBudget?(subscriptionId: string, bucket: string): { remaining: number; windowMs: number } | undefined;
  /**
   * What the cluster administrator's GalleryPolicies forbid about `obj` now (policies change
   * after objects exist). Empty or unset: allowed. A violation stops every new ARM write for it.
   */
  policyViolations?(obj: PolicySubject): PolicyViolation[];
  /** Metrics the reconcilers feed; optional so tests may leave them out. */
  metrics?: {
    setReplicationProgress?(namespace: string, name: string, percent: number | undefined): void;
  };
}
