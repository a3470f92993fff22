// The Kubernetes runtime: watch, cache, queue, reconcile, finalizers, status, events, leases.
// Generic over kinds; imports nothing from azure/, sim/ or reconcilers/.
export { Backoff, type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF, jittered } from "./backoff.js";
export { type KubeConfigOrigin, type KubeConfigSource, loadKubeConfig } from "./client.js";
export {
  type Condition,
  type ConditionInput,
  type ConditionStatus,
  findCondition,
  isConditionTrue,
  READY,
  removeCondition,
  setCondition,
} from "./conditions.js";
export {
  Controller,
  type ControllerHooks,
  type ControllerOptions,
  type ReconcileFn,
  type ReconcileOutcome,
  type ReconcileRequest,
  type ReconcileResult,
  type RelatedWatch,
  specOrMetadataChanged,
} from "./controller.js";
export { jsonEqual } from "./equality.js";
export {
  describeError,
  isAlreadyExists,
  isConflict,
  isGone,
  isInvalid,
  isNotFound,
  isWriteRace,
  KubeApiError,
  WatchIdleError,
} from "./errors.js";
export {
  type EventInput,
  EventRecorder,
  type EventRecorderOptions,
  type EventType,
  redactSecrets,
} from "./events.js";
export {
  addFinalizer,
  FinalizerError,
  type FinalizerHandlers,
  type FinalizerState,
  finalizerState,
  reconcileWithFinalizer,
  removeFinalizer,
} from "./finalizer.js";
export {
  Informer,
  type InformerEvent,
  type InformerOptions,
  InformerSet,
  type InformerSubscriber,
  type Subscription,
} from "./informer.js";
export { KubeConfigFile, type KubeCredentials } from "./kubeconfig.js";
export { addLabelsOps } from "./labels.js";
export { type LeaderElectionOptions, LeaderElector, type StepDownReason, TermEnded } from "./leader.js";
export { abortOnSignals, type ManagerOptions, type Runnable, runManager } from "./manager.js";
export {
  type Lane,
  type QueueHooks,
  type ShutdownResult,
  type Worker,
  WorkQueue,
  type WorkQueueOptions,
  type WorkResult,
} from "./queue.js";
export {
  apiVersionOf,
  identityOf,
  type KubeObject,
  keyOf,
  type ObjectMeta,
  type ObjectRef,
  objectKey,
  parseKey,
  type ResourceDescriptor,
  resourcePath,
} from "./resource.js";
export {
  FIELD_MANAGER,
  type JsonPatchOp,
  type ListOptions,
  type ObjectList,
  ResourceClient,
  type WriteOptions,
} from "./resource-client.js";
export {
  type ManagedStatus,
  type StatusWriteResult,
  stampStatus,
  type WithStatus,
  writeStatus,
} from "./status.js";
export { type IndexFn, type ReadonlyStore, Store } from "./store.js";
export { formatMicroTime, formatTime } from "./time.js";
export {
  type ApiRequest,
  type KubeRequestEvent,
  KubeTransport,
  type KubeTransportOptions,
  type QueryParams,
  type StreamOptions,
} from "./transport.js";
export { type RestartReason, Watcher, type WatcherEvent, type WatcherOptions } from "./watcher.js";
