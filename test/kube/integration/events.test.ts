// Events against a real API server: created regarding our object, repeats folded into a series,
// secrets kept out.
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventRecorder } from "../../../src/kube/events.js";
import type { KubeObject } from "../../../src/kube/resource.js";
import { ResourceClient } from "../../../src/kube/resource-client.js";
import { KubeTransport } from "../../../src/kube/transport.js";
import { type TestCluster, testCluster } from "../../support/cluster.js";
import { ensureTestCrds, WIDGETS, type Widget, widget } from "../support/widgets.js";

interface RecordedEvent extends KubeObject {
  reason: string;
  note: string;
  type: string;
  action: string;
  reportingController: string;
  regarding: { kind?: string; name: string; uid?: string };
  series?: { count: number; lastObservedTime: string };
}

const EVENTS = { group: "events.k8s.io", version: "v1", plural: "events", kind: "Event", namespaced: true };

describe("EventRecorder", () => {
  let cluster: TestCluster;
  let namespace: string;
  let transport: KubeTransport;

  beforeAll(async () => {
    cluster = await testCluster();
    await ensureTestCrds(cluster);
    namespace = await cluster.newNamespace("kube-events");
    transport = new KubeTransport(cluster.kubeConfig);
  });

  afterAll(async () => {
    await cluster?.kubectl(["delete", "namespace", namespace, "--wait=false"]);
  });

  it("records an event regarding the object, folds repeats into a series and redacts secrets", async () => {
    const subject = await new ResourceClient<Widget>(transport, WIDGETS).create(widget(namespace, "evented"));
    const recorder = new EventRecorder({
      transport,
      reportingController: "test.azure.dev/kube-runtime-test",
      reportingInstance: "test-1",
      logger: pino({ level: "silent" }),
    });
    const failure = {
      type: "Warning" as const,
      reason: "CreateFailed",
      action: "CreateGallery",
      note: "ARM refused: client_secret=hunter2 is not valid",
    };
    await Promise.all([recorder.record(subject, failure), recorder.record(subject, failure)]);
    await recorder.record(subject, failure);
    await recorder.record(subject, {
      type: "Normal",
      reason: "Created",
      action: "CreateGallery",
      note: "gallery created",
    });

    const events = (await new ResourceClient<RecordedEvent>(transport, EVENTS).list({ namespace })).items;
    const warnings = events.filter((e) => e.reason === "CreateFailed");
    expect(warnings).toHaveLength(1);
    const warning = warnings[0];
    expect(warning?.series?.count).toBe(3);
    expect(warning?.note).not.toContain("hunter2");
    expect(warning?.regarding).toMatchObject({ kind: "Widget", name: "evented", uid: subject.metadata.uid });
    expect(warning).toMatchObject({
      type: "Warning",
      action: "CreateGallery",
      reportingController: "test.azure.dev/kube-runtime-test",
    });
    expect(events.filter((e) => e.reason === "Created")).toHaveLength(1);

    // kubectl describe shows them (core/v1 view of the same events).
    const described = await cluster.kubectl([
      "-n",
      namespace,
      "describe",
      "widgets.test.azure.dev",
      "evented",
    ]);
    expect(described.stdout).toContain("CreateFailed");
  });

  it("never rejects, even when the API refuses the event", async () => {
    const recorder = new EventRecorder({
      transport,
      reportingController: "not a qualified name!",
      reportingInstance: "test-1",
      logger: pino({ level: "silent" }),
    });
    const ghost: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace, name: "ghost" } };
    await expect(
      recorder.record(ghost, { type: "Normal", reason: "X", action: "Y", note: "z" }),
    ).resolves.toBeUndefined();
  });
});
