// Gives each example a subscription of its own. The examples all use the placeholder subscription
// and several name their gallery `myGallery` in the same resource group, each in another region:
// applied side by side as written they would fight over one Azure gallery (and ARM refuses a second
// gallery of the same name in a subscription). Rewriting the subscriptions an example owns keeps
// every example exactly as written apart from that id.
import { createHash } from "node:crypto";
import { GROUP } from "../../src/api/index.js";
import type { Example, Manifest } from "./examples.js";

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const SUBSCRIPTION_IN_ID = /\/subscriptions\/([0-9a-f-]{36})\//gi;

export interface Isolated {
  example: Example;
  /** Original subscription id (lower case) → the one this example uses. */
  subscriptions: Map<string, string>;
}

/**
 * Replaces every subscription the example owns (galleries' `spec.subscriptionId`, and the
 * subscriptions in resource ids its objects point at, such as a version's source) by one derived
 * from the example's name and the original id.
 *
 * Guarantees: deterministic (the same example gets the same ids on every run); ids the example
 * shares with (GallerySharing `spec.subscriptions`, `spec.tenants`) and principals are untouched,
 * since they stand for other people's subscriptions, not resources the example creates.
 */
export function isolateExample(example: Example): Isolated {
  const own = new Set(ownManifests(example.manifests));
  const owned = new Set<string>();
  for (const m of own) collectOwned(m, owned);
  const subscriptions = new Map([...owned].map((id) => [id, derivedSubscription(example.name, id)]));
  const replace = (text: string) => text.replace(GUID, (id) => subscriptions.get(id.toLowerCase()) ?? id);
  const manifests = example.manifests.map((m) =>
    own.has(m) ? { ...m, spec: mapStrings(m.spec, replace) } : m,
  );
  return { example: { ...example, manifests }, subscriptions };
}

function isOwnKind(m: Manifest): boolean {
  return m.apiVersion.startsWith(`${GROUP}/`);
}

/**
 * Our objects that name Azure resources of their own. A GallerySharing names only other people's
 * subscriptions and tenants, and principals: never rewritten.
 */
function ownManifests(manifests: Manifest[]): Manifest[] {
  return manifests.filter((m) => isOwnKind(m) && m.kind !== "GallerySharing");
}

function collectOwned(m: Manifest, owned: Set<string>): void {
  const spec = (m.spec ?? {}) as Record<string, unknown>;
  if (m.kind === "Gallery" && typeof spec.subscriptionId === "string")
    owned.add(spec.subscriptionId.toLowerCase());
  mapStrings(spec, (text) => {
    for (const match of text.matchAll(SUBSCRIPTION_IN_ID)) owned.add((match[1] ?? "").toLowerCase());
    return text;
  });
}

function mapStrings(value: unknown, rewrite: (text: string) => string): unknown {
  if (typeof value === "string") return rewrite(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, rewrite));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, rewrite)]));
  }
  return value;
}

/** A GUID-shaped id from a hash (version 5 layout), so it passes every GUID check on the way. */
export function derivedSubscription(exampleName: string, original: string): string {
  const hex = createHash("sha256").update(`${exampleName}\n${original}`).digest("hex");
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
