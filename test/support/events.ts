// The Events (events.k8s.io/v1) regarding one object, as `kubectl describe` shows them to users.
import { KubeTransport, ResourceClient } from "../../src/kube/index.js";
import type { TestCluster } from "./cluster.js";

export interface SeenEvent {
  type: string;
  reason: string;
  action: string;
  note: string;
  regarding: { kind?: string; name: string };
}

const EVENTS = { group: "events.k8s.io", version: "v1", plural: "events", kind: "Event", namespaced: true };

/** Events in `namespace` regarding the object `name` (of `kind`, when given), oldest first. */
export async function eventsAbout(
  cluster: Pick<TestCluster, "kubeConfig">,
  namespace: string,
  name: string,
  kind?: string,
): Promise<SeenEvent[]> {
  const client = new ResourceClient<SeenEvent & { metadata: { name: string } }>(
    new KubeTransport(cluster.kubeConfig),
    EVENTS,
  );
  const list = await client.list({ namespace });
  return list.items.filter((e) => e.regarding.name === name && (!kind || e.regarding.kind === kind));
}
