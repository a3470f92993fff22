// `spec.operatorSpec.configMaps`: values consumers need (an ARM id, a gallery's unique or public
// names, a definition's latest version) written to ConfigMaps in the object's namespace, as Azure
// Service Operator does, so VM, VMSS and Cluster API manifests can reference them (docs/api.md).
// Each ConfigMap is owned by the objects that write to it (ownerReferences: the garbage collector
// removes it with the last of them); one the operator does not manage is never written.
import type { ConfigMapDestination } from "../../api/index.js";
import { isNotFound, type KubeObject, type ResourceClient } from "../../kube/index.js";
import { type ArmObject, type Blocked, blocked } from "./arm-kind.js";
import { USER_RETRY_MS } from "./failures.js";

export interface ConfigMap extends KubeObject {
  metadata: KubeObject["metadata"] & { ownerReferences?: OwnerReference[] };
  data?: Record<string, string>;
}

interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

export const CONFIGMAPS = {
  group: "",
  version: "v1",
  plural: "configmaps",
  kind: "ConfigMap",
  namespaced: true,
};

/** One value to export: where to, and what (undefined: not known, or no longer there). */
export interface Export {
  to: ConfigMapDestination;
  value: string | undefined;
}

/** The exports a spec asks for, given every value the kind can tell. */
export function exportsOf(
  configMaps: object | undefined,
  values: Record<string, string | undefined>,
): Export[] {
  // The kind's schema names the keys (its *Exports interface); each value is a destination.
  const wanted = Object.entries(configMaps ?? {}) as [string, ConfigMapDestination | undefined][];
  return wanted.flatMap(([name, to]) => (to ? [{ to, value: values[name] }] : []));
}

/**
 * Makes the ConfigMaps hold `exports` for `owner`.
 *
 * Guarantees: a ConfigMap that is missing is created, owned by `owner`; one owned by an object of
 * this API gets `owner` as another owner and the keys; a key whose value is undefined is removed
 * when `owner` wrote to that ConfigMap before; nothing is sent when all is as wanted (one GET per
 * ConfigMap and reconcile). A ConfigMap no object of this API owns is left alone: Blocked
 * (`ExportConflict`), naming it.
 * Errors: Kubernetes errors are thrown (a concurrent change fails the write on its resourceVersion).
 */
export async function writeExports(
  client: ResourceClient<ConfigMap>,
  owner: ArmObject,
  exports: readonly Export[],
): Promise<Blocked | undefined> {
  const byName = new Map<string, Export[]>();
  for (const e of exports) byName.set(e.to.name, [...(byName.get(e.to.name) ?? []), e]);
  for (const [name, wanted] of byName) {
    const why = await writeOne(client, owner, name, wanted);
    if (why) return why;
  }
  return undefined;
}

async function writeOne(
  client: ResourceClient<ConfigMap>,
  owner: ArmObject,
  name: string,
  wanted: readonly Export[],
): Promise<Blocked | undefined> {
  const namespace = owner.metadata.namespace ?? "";
  const me = ownerReference(owner);
  const current = await client.get({ namespace, name }).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  if (!current) {
    const data = Object.fromEntries(
      wanted.flatMap((e) => (e.value === undefined ? [] : [[e.to.key, e.value]])),
    );
    await client.create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace, ownerReferences: [me] },
      data,
    });
    return undefined;
  }
  const owners = current.metadata.ownerReferences ?? [];
  const mine = owners.some((o) => o.uid === me.uid);
  if (!mine && !owners.some((o) => o.apiVersion === me.apiVersion)) {
    return blocked(
      "ExportConflict",
      `ConfigMap ${name} exists and is not managed by the operator (no ${me.apiVersion} object owns it), so it is not overwritten: choose another name in spec.operatorSpec.configMaps, or delete that ConfigMap`,
      USER_RETRY_MS,
    );
  }
  const data: Record<string, string | null> = {};
  for (const e of wanted) {
    const had = current.data?.[e.to.key];
    if (e.value !== undefined && had !== e.value) data[e.to.key] = e.value;
    if (e.value === undefined && had !== undefined && mine) data[e.to.key] = null;
  }
  if (mine && Object.keys(data).length === 0) return undefined;
  await client.mergePatch(
    { namespace, name },
    {
      metadata: {
        resourceVersion: current.metadata.resourceVersion,
        ...(mine ? {} : { ownerReferences: [...owners, me] }),
      },
      data,
    },
  );
  return undefined;
}

function ownerReference(owner: ArmObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? "",
  };
}
