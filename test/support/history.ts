// Every version of one object, as the API server hands them out: a watch opened before the object
// exists sees one event per write (the API server never merges writes into one event), so the list
// counts the writes others made to the object, in order, from outside the operator.
import { type KubeObject, type ResourceClient, Watcher } from "../../src/kube/index.js";

export interface History<T extends KubeObject> {
  /** The versions seen so far, the creation first. */
  readonly versions: readonly T[];
  stop(): Promise<void>;
}

/** Starts recording `name`'s versions; resolves once the watch is open, so create the object after. */
export async function recordHistory<T extends KubeObject>(
  client: ResourceClient<T>,
  namespace: string,
  name: string,
): Promise<History<T>> {
  const versions: T[] = [];
  const watcher = new Watcher<T>(
    client,
    (event) => {
      if (event.type === "Applied") versions.push(event.object);
    },
    { namespace, fieldSelector: `metadata.name=${name}` },
  );
  watcher.start();
  await watcher.synced;
  return { versions, stop: () => watcher.stop() };
}

/** The versions before the first one with a status: the creation, then the metadata writes. */
export function beforeFirstStatus(versions: readonly (KubeObject & { status?: unknown })[]): KubeObject[] {
  const first = versions.findIndex((v) => v.status !== undefined);
  return first < 0 ? [...versions] : versions.slice(0, first);
}
