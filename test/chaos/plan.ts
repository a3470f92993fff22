// A schedule, drawn from a seed: the workload (namespaces, and in each a gallery, an image
// definition, maybe a version and a sharing) and the timed steps that disturb it (user edits,
// crashes, control-plane restarts, ARM faults, changes behind the operator's back, a second object
// naming a managed resource). Everything here is decided by the seed alone, so `--seed S` replays it.
import type { DeletionPolicy } from "../../src/api/index.js";
import type { FaultSpec } from "../../tools/sim/index.js";
import { Rng } from "./rng.js";

export const LOCATION = "westus";
export const EXTRA_REGIONS = ["eastus", "westeurope"] as const;
/** The most subscriptions and tenants a gallery may be shared with (arm-behaviour: share limits). */
export const SHARE_LIMITS = { subscriptions: 30, tenants: 5 } as const;

export interface SharingPlan {
  name: string;
  subscriptions: string[];
  tenants: string[];
  principals: string[];
  deletionPolicy: DeletionPolicy;
}

export interface NamespacePlan {
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  gallery: { name: string; azureName: string; deletionPolicy: DeletionPolicy };
  definition: { name: string; deletionPolicy: DeletionPolicy };
  version?: { name: string; version: string; deletionPolicy: DeletionPolicy };
  sharing?: SharingPlan;
}

export type WriteKind = "put" | "share" | "role" | "delete";
export type Restartable = "apiserver" | "etcd";
export type DeleteTarget = "version" | "sharing" | "definition";

/** What a step does; `ns` is an index into the schedule's namespaces. */
export type Action =
  | { kind: "tag"; ns: number; value: string }
  | { kind: "share-add"; ns: number; subscription: string }
  | { kind: "share-remove"; ns: number }
  | { kind: "share-swap"; ns: number; subscription: string }
  | { kind: "tenant-add"; ns: number; tenant: string }
  | { kind: "tenant-remove"; ns: number }
  | { kind: "role-add"; ns: number; principal: string; principalNotFoundMs: number }
  | { kind: "role-remove"; ns: number }
  | { kind: "region-add"; ns: number; region: string }
  | { kind: "delete"; ns: number; target: DeleteTarget }
  | { kind: "recreate"; ns: number }
  | { kind: "kill" }
  | { kind: "crash-window"; write: WriteKind; ns: number }
  | { kind: "restart"; what: Restartable }
  | { kind: "freeze-apiserver"; ms: number }
  | { kind: "cut-watches" }
  | { kind: "fault"; name: string; spec: FaultSpec; ms: number }
  | { kind: "tag-policy"; ns: number; ms: number }
  | { kind: "outside-unshare"; ns: number }
  | { kind: "outside-delete"; ns: number }
  | { kind: "outside-role"; ns: number; principal: string }
  | { kind: "intruder"; ns: number; into: number; name: string; deleteAfterMs?: number };

export type Step = Action & { at: number };

export interface Schedule {
  seed: number;
  tenantId: string;
  namespaces: NamespacePlan[];
  steps: Step[];
  /** How long the disturbed phase lasts (ms); afterwards every fault stops. */
  actionMs: number;
}

export interface PlanOptions {
  /** Prefix of namespace names: the run's id, so schedules of one control plane never share one. */
  prefix: string;
  actionMs: number;
}

/**
 * `--quick` runs these seeds every time, plus one random seed: together they draw every step kind
 * and every fault type (test/unit/chaos-plan.test.ts).
 */
export const QUICK_SEEDS = [275, 1824, 301, 2751, 1, 14];

const RECREATE_STREAM = 0x7ec7ea7e;

const policy = (rng: Rng): DeletionPolicy => (rng.chance(0.7) ? "Delete" : "Orphan");

function namespacePlan(rng: Rng, name: string, index: number): NamespacePlan {
  const letter = String.fromCharCode(97 + index);
  const full = rng.chance(0.25);
  const subscriptions = Array.from({ length: full ? SHARE_LIMITS.subscriptions : rng.int(1, 3) }, () =>
    rng.uuid(),
  );
  return {
    name,
    subscriptionId: rng.uuid(),
    resourceGroup: `rg-chaos-${letter}`,
    gallery: { name: `gal-${letter}`, azureName: `chaos_gallery_${letter}`, deletionPolicy: policy(rng) },
    definition: { name: `def-${letter}`, deletionPolicy: policy(rng) },
    ...(rng.chance(0.75)
      ? { version: { name: `ver-${letter}`, version: "1.0.0", deletionPolicy: policy(rng) } }
      : {}),
    ...(rng.chance(0.85)
      ? {
          sharing: {
            name: `share-${letter}`,
            subscriptions,
            tenants: rng.chance(0.5) ? [rng.uuid()] : [],
            principals: rng.chance(0.7) ? [rng.uuid()] : [],
            deletionPolicy: policy(rng),
          },
        }
      : {}),
  };
}

/** ARM paths (regular expressions) of one namespace's resources, for faults. */
export function armPaths(ns: NamespacePlan) {
  const group = `/subscriptions/${ns.subscriptionId}/resourceGroups/${ns.resourceGroup}`;
  const gallery = `${group}/providers/Microsoft.Compute/galleries/${ns.gallery.azureName}`;
  return {
    gallery: `${gallery}$`,
    anyInGallery: `${gallery}(/|$)`,
    share: `${gallery}/share$`,
    roleAssignments: `${gallery}/providers/Microsoft.Authorization/roleAssignments/`,
  };
}

/** A fault answering every matching request with an ARM error envelope. */
function errorFault(
  path: string,
  status: number,
  code: string,
  message: string,
  extra: { method?: string; headers?: Record<string, string> } = {},
): { name: string; spec: FaultSpec } {
  const { headers = {}, method } = extra;
  return {
    name: `${status}-${code}`,
    spec: {
      path,
      count: -1,
      status,
      body: { error: { code, message } },
      headers,
      ...(method ? { method } : {}),
    },
  };
}

/** An ARM fault on one namespace's resources, for a while. */
function faultAction(rng: Rng, ns: NamespacePlan): Action {
  const path = armPaths(ns).anyInGallery;
  const choose = rng.weighted<() => { name: string; spec: FaultSpec }>([
    [
      2,
      () =>
        errorFault(path, 429, "OperationNotAllowed", "Too many requests.", {
          headers: { "retry-after": "1" },
        }),
    ],
    [1, () => errorFault(path, 500, "InternalServerError", "An internal error occurred.")],
    [1, () => errorFault(path, 503, "ServiceUnavailable", "Try again later.")],
    [1, () => ({ name: "dropped connection", spec: { kind: "drop", path, count: -1 } })],
    [1, () => ({ name: "slow answers", spec: { kind: "delay", path, delayMs: 1_500, count: -1 } })],
    [
      2,
      () =>
        errorFault(
          path,
          404,
          "SubscriptionNotFound",
          `The subscription '${ns.subscriptionId}' could not be found.`,
        ),
    ],
    [
      1,
      () =>
        errorFault(
          path,
          404,
          "ResourceGroupNotFound",
          `Resource group '${ns.resourceGroup}' could not be found.`,
        ),
    ],
    [
      1,
      () =>
        errorFault(
          path,
          403,
          "AuthorizationFailed",
          "The client does not have authorization to perform action.",
        ),
    ],
  ]);
  const { name, spec } = choose();
  return { kind: "fault", name, spec, ms: rng.int(2_000, 8_000) };
}

function action(rng: Rng, namespaces: NamespacePlan[]): Action {
  const ns = rng.int(0, namespaces.length - 1);
  const plan = namespaces[ns] as NamespacePlan;
  const other = (ns + 1) % namespaces.length;
  return rng.weighted<() => Action>([
    [3, () => ({ kind: "tag", ns, value: `v${rng.int(1, 999)}` })],
    [2, () => ({ kind: "share-add", ns, subscription: rng.uuid() })],
    [3, () => ({ kind: "share-remove", ns })],
    [2, () => ({ kind: "share-swap", ns, subscription: rng.uuid() })],
    [1, () => ({ kind: "tenant-add", ns, tenant: rng.uuid() })],
    [1, () => ({ kind: "tenant-remove", ns })],
    [
      2,
      () => ({
        kind: "role-add",
        ns,
        principal: rng.uuid(),
        principalNotFoundMs: rng.pick([0, 0, 6_000, 20_000]),
      }),
    ],
    [2, () => ({ kind: "role-remove", ns })],
    [1, () => ({ kind: "region-add", ns, region: rng.pick(EXTRA_REGIONS) })],
    [2, () => ({ kind: "delete", ns, target: rng.pick<DeleteTarget>(["version", "sharing", "definition"]) })],
    [3, () => ({ kind: "kill" })],
    [3, () => ({ kind: "crash-window", ns, write: rng.pick<WriteKind>(["put", "share", "role", "delete"]) })],
    [1, () => ({ kind: "restart", what: rng.pick<Restartable>(["apiserver", "etcd"]) })],
    [1, () => ({ kind: "freeze-apiserver", ms: rng.int(500, 3_000) })],
    [1, () => ({ kind: "cut-watches" })],
    [5, () => faultAction(rng, plan)],
    [2, () => ({ kind: "tag-policy", ns, ms: rng.int(4_000, 10_000) })],
    [1, () => ({ kind: "outside-unshare", ns })],
    [1, () => ({ kind: "outside-delete", ns })],
    [1, () => ({ kind: "outside-role", ns, principal: rng.uuid() })],
    [
      1,
      () => ({
        kind: "intruder",
        ns,
        into: rng.chance(0.5) ? ns : other,
        name: `intruder-${ns}`,
        ...(rng.chance(0.5) ? { deleteAfterMs: rng.int(2_000, 6_000) } : {}),
      }),
    ],
  ])();
}

/** The schedule of `seed`. */
export function planSchedule(seed: number, options: PlanOptions): Schedule {
  const rng = new Rng(seed);
  const count = rng.int(1, 2);
  const namespaces = Array.from({ length: count }, (_, i) =>
    namespacePlan(rng, `${options.prefix}-s${seed}-${i}`, i),
  );
  const steps: Step[] = Array.from({ length: rng.int(6, 11) }, () => ({
    ...action(rng, namespaces),
    at: rng.int(0, options.actionMs),
  }));
  // A deletion is often followed by `kubectl apply` of the same manifests. Drawn from a stream of
  // its own, so that adding this step left every other draw of an existing seed as it was.
  const again = new Rng(seed ^ RECREATE_STREAM);
  for (const step of [...steps])
    if (step.kind === "delete" && again.chance(0.6))
      steps.push({
        kind: "recreate",
        ns: step.ns,
        at: Math.min(options.actionMs, step.at + again.int(2_000, 10_000)),
      });
  steps.sort((a, b) => a.at - b.at);
  // Each second object gets a name of its own (a schedule may draw two for one namespace).
  for (const [i, step] of steps.entries())
    if (step.kind === "intruder") step.name = `intruder-${step.ns}-${i}`;
  return { seed, tenantId: rng.uuid(), namespaces, steps, actionMs: options.actionMs };
}
