// Guardrails that count objects: galleries per namespace, versions per image definition. The API
// server cannot count (a CEL rule sees one object), so only the operator checks these.
import type { GalleryPolicySpec, ImageVersionSpec } from "../api/index.js";
import type { PolicySubject } from "./subject.js";

/** Objects of `kind` in `namespace`, from the operator's caches. */
export type Peers = (kind: "Gallery" | "ImageVersion", namespace: string) => readonly PolicySubject[];

interface CountRule {
  id: string;
  kind: "Gallery" | "ImageVersion";
  limit(policy: GalleryPolicySpec): number | undefined;
  /** Whether `peer` counts against the same limit as `subject`. */
  sameGroup(subject: PolicySubject, peer: PolicySubject): boolean;
  /** "galleries in this namespace". */
  what(subject: PolicySubject): string;
}

function definitionOf(obj: PolicySubject): string | undefined {
  return (obj.spec as Partial<ImageVersionSpec>).imageDefinitionRef?.name;
}

const COUNT_RULES: CountRule[] = [
  {
    id: "galleries.maxPerNamespace",
    kind: "Gallery",
    limit: (p) => p.galleries?.maxPerNamespace,
    sameGroup: () => true,
    what: () => "galleries in this namespace",
  },
  {
    id: "versions.maxPerDefinition",
    kind: "ImageVersion",
    limit: (p) => p.versions?.maxPerDefinition,
    sameGroup: (subject, peer) => definitionOf(peer) === definitionOf(subject),
    what: (subject) => `image versions of image definition ${definitionOf(subject) ?? "?"}`,
  },
];

/** Oldest first; the name breaks ties, so every reconcile ranks the same way. */
function byAge(a: PolicySubject, b: PolicySubject): number {
  const at = a.metadata.creationTimestamp ?? "";
  const bt = b.metadata.creationTimestamp ?? "";
  return at === bt ? a.metadata.name.localeCompare(b.metadata.name) : at < bt ? -1 : 1;
}

/**
 * The counting rules `policy` breaks for `subject`: [rule id, message] pairs.
 *
 * Guarantees: the oldest objects keep their place, so lowering a limit flags the newest ones;
 * objects being deleted do not count.
 */
export function countViolations(
  subject: PolicySubject,
  policy: GalleryPolicySpec,
  peers: Peers,
): [string, string][] {
  const namespace = subject.metadata.namespace ?? "";
  const out: [string, string][] = [];
  for (const rule of COUNT_RULES) {
    const max = rule.limit(policy);
    if (rule.kind !== subject.kind || max === undefined) continue;
    const ranked = peers(rule.kind, namespace)
      .filter((p) => !p.metadata.deletionTimestamp && rule.sameGroup(subject, p))
      .filter((p) => p.metadata.name !== subject.metadata.name)
      .concat([subject])
      .sort(byAge);
    const place = ranked.findIndex((p) => p.metadata.name === subject.metadata.name) + 1;
    if (place > max) {
      out.push([
        rule.id,
        `at most ${max} ${rule.what(subject)}; this is number ${place}, counted oldest first`,
      ]);
    }
  }
  return out;
}
