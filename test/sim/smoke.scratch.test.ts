import { afterAll, beforeAll, expect, it } from "vitest";
import { armRequest, startTestSimulator } from "../support/sim.js";
import type { Simulator } from "../../src/sim/index.js";

let sim: Simulator;
const identity = { tenantId: "11111111-1111-1111-1111-111111111111", objectId: "22222222-2222-2222-2222-222222222222" };
const sub = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
beforeAll(async () => { sim = await startTestSimulator({ clock: "manual", timeScale: 1 }); });
afterAll(async () => { await sim.close(); });
const show = (r: { status: number; headerNames: string[]; headers: Record<string, string>; body: string }) =>
  console.log(r.status, "\n" + r.headerNames.map((n) => `${n}: ${r.headers[n.toLowerCase()]}`).join("\n"), "\n" + JSON.stringify(r.body));

it("raw", async () => {
  await armRequest(sim, { method: "PUT", path: `/subscriptions/${sub}/resourcegroups/rg1?api-version=2021-04-01`, identity, body: { location: "westus" } });
  const put = await armRequest(sim, { method: "PUT", path: `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Compute/galleries/gallery1?api-version=2021-10-01`, identity, body: { location: "westus", tags: {} } });
  show(put);
  const op = new URL(put.headers["azure-asyncoperation"]!);
  show(await armRequest(sim, { path: op.pathname + op.search, identity }));
  sim.advance(2000);
  show(await armRequest(sim, { path: op.pathname + op.search, identity }));
  show(await armRequest(sim, { path: `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Compute/galleries/nope?api-version=2021-10-01`, identity }));
  const del = await armRequest(sim, { method: "DELETE", path: `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Compute/galleries/gallery1?api-version=2021-10-01`, identity });
  show(del);
  show(await armRequest(sim, { path: `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Compute/galleries/gallery1?api-version=2021-10-01`, identity }));
  expect(1).toBe(1);
});
