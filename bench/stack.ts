// What the operator runs against: a local control plane (etcd + kube-apiserver, processes) with our
// CRDs, and the ARM simulator in this process with Azure's real rate-limit buckets, its windows,
// durations and latencies all multiplied by the time scale.

import { KubeTransport, loadKubeConfig } from "../src/kube/index.js";
import { type ControlPlane, startControlPlane } from "../tools/control-plane/index.js";
import { installCrds } from "../tools/dev/apply.js";
import { type CallClass, type Fixtures, type Simulator, startSimulator } from "../tools/sim/index.js";

export interface Stack {
  plane: ControlPlane;
  sim: Simulator;
  transport: KubeTransport;
  /** Simulator latencies as applied (after time scaling), ms. */
  latencyMs: Record<CallClass, number>;
  stop(): Promise<void>;
}

/** Far more than arrive between two drains of the log (bench/arm-log.ts). */
const REQUEST_LOG_LIMIT = 200_000;

export async function startStack(input: {
  timeScale: number;
  latencyMs: Record<CallClass, number>;
  fixtures: Fixtures;
  namespaces: string[];
}): Promise<Stack> {
  const latencyMs = Object.fromEntries(
    Object.entries(input.latencyMs).map(([k, ms]) => [k, Math.round(ms * input.timeScale * 10) / 10]),
  ) as Record<CallClass, number>;
  const [simStarted, planeStarted] = await Promise.allSettled([
    startSimulator({
      timeScale: input.timeScale,
      // Real limits (scale 1); windows and token refills compressed like every other duration.
      limits: { enabled: true, windowScale: input.timeScale },
      latencyMs,
      requestLogLimit: REQUEST_LOG_LIMIT,
    }),
    startControlPlane({ controllerManager: false }),
  ]);
  if (simStarted.status === "rejected" || planeStarted.status === "rejected") {
    if (simStarted.status === "fulfilled") await simStarted.value.close();
    if (planeStarted.status === "fulfilled") await planeStarted.value.stop();
    throw simStarted.status === "rejected"
      ? simStarted.reason
      : (planeStarted as PromiseRejectedResult).reason;
  }
  const sim = simStarted.value;
  const plane = planeStarted.value;
  const stop = async () => {
    await sim.close();
    await plane.stop();
  };
  try {
    sim.seed(input.fixtures);
    await installCrds(plane);
    const transport = new KubeTransport(loadKubeConfig({ path: plane.kubeconfigPath }).kubeConfig);
    for (const name of input.namespaces) {
      await transport.request({
        method: "POST",
        path: "/api/v1/namespaces",
        body: { apiVersion: "v1", kind: "Namespace", metadata: { name } },
      });
    }
    return { plane, sim, transport, latencyMs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
