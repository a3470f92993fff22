// The local Kubernetes control plane (etcd + kube-apiserver, optionally kube-controller-manager) as
// processes on loopback, for tests, `dev` mode and benchmarks. Imports nothing from azure/ or sim/.
export { resolveBinDir } from "./binaries.js";
export { type ControlPlane, type ControlPlaneOptions, startControlPlane } from "./control-plane.js";
export { apiserverFlags, etcdFlags, type Ports } from "./flags.js";
export { type KubectlOptions, type KubectlResult, runKubectl } from "./kubectl.js";
export { cacheRoot } from "./paths.js";
export { type Pki, pkiPaths } from "./pki.js";
export { type DataLayout, dataLayout, type PreparedControlPlane, prepareControlPlane } from "./prepare.js";
export { waitForEtcd, waitForReadyz } from "./readiness.js";
export { controlPlaneStatusAt, type RecordedStatus, stopControlPlaneAt } from "./recorded.js";
export {
  ownerAlive,
  ownerOfThisProcess,
  type ProcessOwner,
  reapStaleRecords as reapStaleControlPlanes,
} from "./run-records.js";
