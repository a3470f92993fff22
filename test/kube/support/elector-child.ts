// A replica in its own process, for tests that kill it: stands for election on a Lease and prints
// LEADING once it leads and STOPPED when it stepped down. SIGTERM makes it step down and release, the
// way the operator does; SIGKILL leaves the lease held, as a crash would.
// usage: node --experimental-transform-types --import ../../support/ts-hooks.mjs elector-child.ts <kubeconfig> <namespace> <lease> <identity>
import { KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import { LeaderElector } from "../../../src/kube/leader.js";
import { abortOnSignals } from "../../../src/kube/manager.js";
import { KubeTransport } from "../../../src/kube/transport.js";

const [kubeconfigPath, namespace, name, identity] = process.argv.slice(2);
if (!kubeconfigPath || !namespace || !name || !identity)
  throw new Error("usage: <kubeconfig> <namespace> <lease> <identity>");
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfigPath);

const elector = new LeaderElector({
  transport: new KubeTransport(kubeConfig),
  namespace,
  name,
  identity,
  leaseDurationMs: Number(process.env.LEASE_MS ?? 3_000),
  renewDeadlineMs: Number(process.env.RENEW_DEADLINE_MS ?? 2_000),
  retryPeriodMs: Number(process.env.RETRY_MS ?? 300),
  logger: pino({ level: "warn" }, process.stderr),
  onStartedLeading: async (leading) => {
    process.stdout.write("LEADING\n");
    await new Promise((resolve) => leading.addEventListener("abort", resolve, { once: true }));
  },
});
await elector.run(abortOnSignals());
process.stdout.write("STOPPED\n");
