// The command lines of etcd, kube-apiserver and kube-controller-manager, in one place so the
// processes launcher and the containers launcher (test/support) run the very same configuration.
import type { Pki } from "./pki.js";

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
}

// The apiserver must allocate Service cluster IPs from some range, even with no kube-proxy to route
// them. RFC 2544's benchmarking block is neither a private (RFC 1918) nor a routable range, so an
// address allocated here can never reach a real machine.
export const SERVICE_CLUSTER_IP_RANGE = "198.18.0.0/24";

export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

// ValidatingAdmissionPolicy is on by default since 1.30; naming it makes the dependency visible and
// keeps it on should the defaults change. The rest are the defaults we rely on.
const ADMISSION_PLUGINS = [
  "NamespaceLifecycle",
  "ServiceAccount",
  "ValidatingAdmissionPolicy",
  "MutatingAdmissionWebhook",
  "ValidatingAdmissionWebhook",
  "ResourceQuota",
];

// What deleting a namespace (namespace), owner references (garbagecollector), service-account
// tokens for tests that impersonate service accounts (serviceaccount, serviceaccount-token) and
// roles aggregated into edit/view, as the chart's editor/viewer roles are when aggregation is on
// (clusterrole-aggregation) need. Nothing that schedules or runs pods: there are no nodes.
export const CONTROLLERS = [
  "namespace-controller",
  "garbage-collector-controller",
  "serviceaccount-controller",
  "serviceaccount-token-controller",
  "clusterrole-aggregation-controller",
];

export function etcdFlags(dataDir: string, ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    "--name=ago",
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=ago=${peer}`,
    // A throwaway test store: durability against power loss is not worth an fsync per write on a
    // small machine. A clean or killed process still leaves its data in the page cache, so restarts
    // with the same data dir keep everything.
    "--unsafe-no-fsync",
    "--log-level=warn",
  ];
}

export function apiserverFlags(pki: Pki, certDir: string, ports: Ports): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${ports.apiserver}`,
    `--cert-dir=${certDir}`,
    `--tls-cert-file=${pki.serverCert}`,
    `--tls-private-key-file=${pki.serverKey}`,
    `--client-ca-file=${pki.caCert}`,
    "--authorization-mode=Node,RBAC",
    `--enable-admission-plugins=${ADMISSION_PLUGINS.join(",")}`,
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    // The default reconciler publishes the advertise address as the `kubernetes` Service's endpoint;
    // a loopback address fails validation every 10 s and fills the log with errors.
    "--endpoint-reconciler-type=none",
    "--allow-privileged=false",
    "--profiling=false",
  ];
}

export function controllerManagerFlags(pki: Pki, kubeconfigPath: string): string[] {
  return [
    // The admin identity: the namespace controller deletes every kind of object, which the
    // narrower system:kube-controller-manager role does not allow without per-controller accounts.
    `--kubeconfig=${kubeconfigPath}`,
    `--controllers=${CONTROLLERS.join(",")}`,
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    "--use-service-account-credentials=false",
    "--leader-elect=false",
    // No HTTPS endpoint of its own: nothing scrapes it, and a fixed default port would collide
    // between control planes running side by side.
    "--secure-port=0",
  ];
}
