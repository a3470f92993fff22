// Everything a dev run needs before the examples go in: the simulated Azure (seeded from the
// examples), a local control plane with our CRDs, and the operator between them.

import { KubeTransport, loadKubeConfig } from "../../src/kube/index.js";
import { type ControlPlane, startControlPlane } from "../control-plane/index.js";
import { type Simulator, startSimulator } from "../sim/index.js";
import { installCrds } from "./apply.js";
import { DEV_TENANT_ID, type DevWorld } from "./fixtures.js";
import { type DevOperator, startDevOperator } from "./operator.js";
import type { DevOptions } from "./options.js";
import type { StateLayout } from "./state-dir.js";
import type { Teardown } from "./teardown.js";

export interface DevStack {
  plane: ControlPlane;
  sim: Simulator;
  operator: DevOperator;
  transport: KubeTransport;
}

/** How long the operator gets to finish its reconciles when dev mode stops. */
const OPERATOR_STOP_MS = 10_000;

/**
 * Starts the stack.
 *
 * Expected flow: 1. simulator and control plane, side by side (the control plane takes seconds);
 * 2. seed the simulator; 3. CRDs; 4. operator.
 * Guarantees: each piece is added to `teardown` as soon as it runs, so stopping `teardown` after a
 * failure or an abort stops exactly what started; `say` hears each step (pids included, so a
 * caller can check that nothing outlives the run).
 * Errors: the first failure, or `signal`'s reason once it aborts between steps.
 */
export async function startDevStack(
  input: { options: DevOptions; layout: StateLayout; world: DevWorld },
  teardown: Teardown,
  say: (line: string) => void,
  signal: AbortSignal,
): Promise<DevStack> {
  const { options, layout, world } = input;
  say(`starting the ARM simulator (time scale ${options.timeScale}) and the control plane ...`);
  const [simStarted, planeStarted] = await Promise.allSettled([
    startSimulator({ timeScale: options.timeScale }),
    startControlPlane({ dataDir: layout.cluster, keepDataDir: true, controllerManager: true }),
  ]);
  if (simStarted.status === "fulfilled") teardown.add("simulator", () => simStarted.value.close());
  if (planeStarted.status === "fulfilled") teardown.add("control plane", () => planeStarted.value.stop());
  if (simStarted.status === "rejected") throw simStarted.reason;
  if (planeStarted.status === "rejected") throw planeStarted.reason;
  const sim = simStarted.value;
  const plane = planeStarted.value;
  say(`simulator at ${sim.endpoint}`);
  say(
    `control plane at ${plane.server} in ${(plane.startupMs / 1000).toFixed(1)} s (${plane.processes
      .map((p) => `${p.name} pid ${p.pid}`)
      .join(", ")})`,
  );
  signal.throwIfAborted();

  for (const warning of seed(sim, world)) say(`warning: ${warning}`);
  await installCrds(plane);
  say("CRDs installed");
  signal.throwIfAborted();

  const operator = startDevOperator({
    kubeconfigPath: plane.kubeconfigPath,
    sim,
    tenantId: DEV_TENANT_ID,
    auxiliaryTenants: world.auxiliaryTenants,
    timeScale: options.timeScale,
    logFile: layout.operatorLog,
    logLevel: options.logLevel,
  });
  teardown.add("operator", () => operator.stop(OPERATOR_STOP_MS));
  say(
    `operator running in this process (poll every ${operator.config.pollIntervalMs} ms${
      world.auxiliaryTenants.length > 0 ? `, auxiliary tenants ${world.auxiliaryTenants.join(", ")}` : ""
    }); log: ${layout.operatorLog}`,
  );
  const transport = new KubeTransport(loadKubeConfig({ path: plane.kubeconfigPath }).kubeConfig);
  return { plane, sim, operator, transport };
}

/**
 * Seeds tenants, then each resource group and source on its own, so one the simulator refuses (a
 * region it does not know) costs only the objects that need it, which then show why they are not
 * Ready. Returns what was refused.
 */
function seed(sim: Simulator, world: DevWorld): string[] {
  const { tenants, resourceGroups, sources } = world.fixtures;
  sim.seed({ tenants });
  const warnings: string[] = [];
  const each = <T>(
    items: T[],
    what: (item: T) => string,
    fixtures: (item: T) => Parameters<Simulator["seed"]>[0],
  ) => {
    for (const item of items) {
      try {
        sim.seed(fixtures(item));
      } catch (err) {
        warnings.push(`cannot create ${what(item)} in the simulator: ${(err as Error).message}`);
      }
    }
  };
  each(
    resourceGroups,
    (rg) => `resource group ${rg.name} (${rg.location})`,
    (rg) => ({ resourceGroups: [rg] }),
  );
  each(
    sources,
    (s) => `source ${s.id} (${s.location})`,
    (s) => ({ sources: [s] }),
  );
  return warnings;
}
