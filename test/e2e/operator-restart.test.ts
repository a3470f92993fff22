// A crash in the middle of an Azure operation: the operator is killed (SIGKILL, no cleanup) while
// the gallery's create is still running in Azure. The next operator must poll that same operation
// from the state saved in status, never send the PUT again, and report Ready once Azure finishes.
// The simulator's manual clock keeps the create running until the test moves time forward.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeResumeToken } from "../../src/azure/lro.js";
import {
  galleryManifest,
  galleryRequests,
  lastRequestSeq,
  type OperatorProcess,
  reconcileLines,
  startOperatorProcess,
} from "../support/operator.js";
import { waitFor } from "../support/wait.js";
import { startWorld, type World, waitForCondition } from "../support/world.js";

let world: World;
const operators: OperatorProcess[] = [];

function startOperator(): OperatorProcess {
  const operator = startOperatorProcess({
    kubeconfigPath: world.cluster.kubeconfigPath,
    sim: world.sim,
    tenantId: world.tenantId,
    args: ["--namespaces", world.namespace, "--leader-elect", "false"],
  });
  operators.push(operator);
  return operator;
}

beforeAll(async () => {
  world = await startWorld("e2e-op-restart", { clock: "manual" });
});

afterAll(async () => {
  await Promise.all(operators.map((o) => o.kill()));
  await world?.close();
});

describe("operator killed while an Azure operation runs", () => {
  it("resumes the saved operation in the next process: one PUT, then Ready", {
    timeout: 90_000,
  }, async () => {
    const name = "gal.crash";
    const first = startOperator();
    await world.galleries.create(galleryManifest(world, name));

    // The create was accepted and its poll state saved before the crash: ARM's answer, in one
    // write of two annotations, names the intent saved in status before the PUT.
    const saved = await waitFor("ARM's answer saved for the intent in status", async () => {
      const g = await world.galleries.get({ namespace: world.namespace, name });
      const answer = g.metadata.annotations?.["gallery.azure.dev/operation-accepted"];
      return answer && JSON.parse(answer).intentId === g.status?.operation?.intentId ? g : undefined;
    });
    expect(saved.status?.operation?.action).toBe("CreateOrUpdate");
    const ready = saved.status?.conditions?.find((c) => c.type === "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "Provisioning" });
    // The token lives in an annotation (kubectl describe shows 140 characters of it), not in status.
    expect(saved.status?.operation?.resumeToken).toBeUndefined();
    const token = saved.metadata.annotations?.["gallery.azure.dev/operation-token"] ?? "";
    const operationUrl = describeResumeToken(token).operationUrl;
    expect(operationUrl).toMatch(/\/capsOperations\//i);
    const operationPath = new URL(operationUrl ?? "").pathname.toLowerCase();
    expect(galleryRequests(world, name, { writes: true }).map((r) => r.method)).toEqual(["PUT"]);

    await first.kill();
    const killedAt = lastRequestSeq(world.sim);
    // Killed before its first poll marked the operation accepted in status, whenever the kill
    // came: the annotations alone must tell the next process what to resume.
    await world.galleries.mergePatch(
      { namespace: world.namespace, name },
      { status: { operation: { acceptedAt: null } } },
      { subresource: "status" },
    );

    const second = startOperator();
    // The new process picks the object up and polls the operation its predecessor started; the
    // frozen clock keeps it running, so it must wait rather than write.
    await waitFor("the new operator to poll the saved operation", () =>
      world.sim.requests(killedAt).some((r) => r.path.toLowerCase() === operationPath),
    );
    await second.waitForLine((l) => l.msg === "reconciled" && l.name === name && l.outcome === "requeue");
    const polling = await world.galleries.get({ namespace: world.namespace, name });
    expect(polling.status?.operation?.startedAt).toBe(saved.status?.operation?.startedAt);

    world.sim.advance(60_000);
    const done = await waitForCondition(world.galleries, world.namespace, name, { status: "True" });
    expect(done.status?.operation).toBeUndefined();
    expect(done.status?.id).toMatch(/\/galleries\/gal\.crash$/i);
    expect(galleryRequests(world, name, { writes: true }).map((r) => r.method)).toEqual(["PUT"]);
    expect(second.lines.filter((l) => l.msg === "ARM write accepted")).toEqual([]);
    expect(reconcileLines(second, name).length).toBeGreaterThan(0);
  });

  it("resumes an operation an earlier version saved in status.operation.resumeToken", {
    timeout: 90_000,
  }, async () => {
    const name = "gal.legacy";
    const ref = { namespace: world.namespace, name };
    // One operator at a time: the earlier test's is still running.
    for (const o of operators) if (o.child.exitCode === null && o.child.signalCode === null) await o.kill();
    const first = startOperator();
    await world.galleries.create(galleryManifest(world, name));
    const saved = await waitFor("the accepted operation saved", async () => {
      const g = await world.galleries.get(ref);
      return g.status?.operation?.acceptedAt ? g : undefined;
    });
    await first.kill();

    // What an operator before the annotations left behind: the token in status, no annotation.
    const annotation = "gallery.azure.dev/operation-token";
    const token = saved.metadata.annotations?.[annotation] ?? "";
    const { acceptedAt: _new, ...earlier } = saved.status?.operation ?? {
      action: "",
      startedAt: "",
      generation: 0,
    };
    await world.galleries.mergePatch(ref, {
      metadata: { annotations: { [annotation]: null, "gallery.azure.dev/operation-accepted": null } },
    });
    await world.galleries.mergePatch(
      ref,
      { status: { operation: { ...earlier, acceptedAt: null, resumeToken: token } } },
      { subresource: "status" },
    );

    const restartedAt = lastRequestSeq(world.sim);
    const second = startOperator();
    const operationPath = new URL(describeResumeToken(token).operationUrl ?? "").pathname.toLowerCase();
    await waitFor("the new operator to poll the saved operation", () =>
      world.sim.requests(restartedAt).some((r) => r.path.toLowerCase() === operationPath),
    );
    world.sim.advance(60_000);
    const done = await waitForCondition(world.galleries, world.namespace, name, { status: "True" });
    expect(done.status?.operation).toBeUndefined();
    expect(galleryRequests(world, name, { writes: true }).map((r) => r.method)).toEqual(["PUT"]);
    await second.stop();
  });
});
