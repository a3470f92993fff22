// Creating many objects as a user's `kubectl apply` would, but from this process: a fixed number
// of creates in flight, retried when the API server is busy, an object already there counted as done.
import type { KindName } from "../src/api/index.js";
import { isAlreadyExists, type KubeObject, type KubeTransport, ResourceClient } from "../src/kube/index.js";
import { descriptorOf } from "../src/reconcilers/index.js";
import { sleep } from "./clock.js";

/** About what kubectl apply keeps in flight against a busy API server; more only queues there. */
const IN_FLIGHT = 16;
const ATTEMPTS = 5;

export async function createAll(
  transport: KubeTransport,
  objects: readonly { kind: KindName; manifest: KubeObject }[],
): Promise<void> {
  const clients = new Map<KindName, ResourceClient<KubeObject>>();
  const clientOf = (kind: KindName) => {
    let client = clients.get(kind);
    if (!client) {
      client = new ResourceClient<KubeObject>(transport, descriptorOf(kind));
      clients.set(kind, client);
    }
    return client;
  };
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const item = objects[next++];
      if (item) await createOne(clientOf(item.kind), item.manifest);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

async function createOne(client: ResourceClient<KubeObject>, manifest: KubeObject): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.create(manifest);
      return;
    } catch (err) {
      if (isAlreadyExists(err)) return;
      if (attempt >= ATTEMPTS) throw err;
      await sleep(250 * 2 ** attempt);
    }
  }
}
