// One world and one operator process per test file: started before the file's tests (after
// `prepare` seeded what the file needs), stopped after them.
import { afterAll, beforeAll } from "vitest";
import type { SimulatorOptions } from "../../tools/sim/index.js";
import { startImageOperator } from "./images.js";
import type { OperatorProcess } from "./operator.js";
import { startWorld, type World } from "./world.js";

export interface OperatorWorldOptions {
  sim?: SimulatorOptions;
  /** Extra operator flags. */
  args?: string[];
  /** Runs before the operator starts (seed the simulator, make clients). */
  prepare?(world: World): void;
}

/** Registers the file's hooks; `started` receives the world and the operator once both run. */
export function operatorWorldPerFile(
  prefix: string,
  options: OperatorWorldOptions,
  started: (world: World, operator: OperatorProcess) => void,
): void {
  let world: World | undefined;
  let operator: OperatorProcess | undefined;
  beforeAll(async () => {
    world = await startWorld(prefix, options.sim);
    options.prepare?.(world);
    operator = await startImageOperator(world, { args: options.args ?? [] });
    started(world, operator);
  }, 120_000);
  afterAll(async () => {
    await operator?.stop();
    await world?.close();
  });
}
