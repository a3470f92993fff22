// The `x-ms-ratelimit-remaining-*` headers ARM and the Compute resource provider put on every
// response, parsed into named buckets with a remaining count and a window length.
import type { HeaderSource } from "./retry-after.js";

export interface RemainingBudget {
  /**
   * Bucket name. Compute RP buckets keep ARM's spelling (`Microsoft.Compute/PostShareGallery3Min`);
   * ARM subscription buckets are `subscription-writes`, `subscription-global-reads`, ...
   */
  bucket: string;
  remaining: number;
  /** How long the bucket takes to refill, as far as the name or ARM's docs tell. */
  windowMs: number;
}

/** ARM's per-subscription header suffixes, in the order they are looked for. */
export const SUBSCRIPTION_BUCKETS = [
  "reads",
  "writes",
  "deletes",
  "global-reads",
  "global-writes",
  "global-deletes",
] as const;
export type SubscriptionBucket = (typeof SUBSCRIPTION_BUCKETS)[number];

/**
 * Refill time of ARM's subscription token buckets (reads 250 at 25/s, writes and deletes 200 at
 * 10/s; the global buckets are 15 times larger and refill 15 times faster, so the same time).
 * Also the fallback for a resource bucket whose name carries no window.
 */
export const SUBSCRIPTION_WINDOW_MS: Record<"reads" | "writes" | "deletes", number> = {
  reads: 10_000,
  writes: 20_000,
  deletes: 20_000,
};
export const DEFAULT_WINDOW_MS = 60_000;

const UNIT_MS: Record<string, number> = {
  sec: 1000,
  second: 1000,
  seconds: 1000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  hr: 3_600_000,
  day: 86_400_000,
};

/**
 * Parses `x-ms-ratelimit-remaining-resource`, e.g.
 * `Microsoft.Compute/CreateUpdateGallery3Min;49,Microsoft.Compute/CreateUpdateGallery30Min;299`.
 *
 * Guarantees: malformed entries are skipped, never thrown on; a name without a recognisable
 * window suffix gets `fallbackWindowMs`.
 */
export function parseResourceRemaining(
  value: string | undefined,
  fallbackWindowMs = DEFAULT_WINDOW_MS,
): RemainingBudget[] {
  if (!value) return [];
  const budgets: RemainingBudget[] = [];
  for (const entry of value.split(",")) {
    const separator = entry.lastIndexOf(";");
    if (separator <= 0) continue;
    const bucket = entry.slice(0, separator).trim();
    const remainingText = entry.slice(separator + 1).trim();
    if (!bucket || !/^\d+$/.test(remainingText)) continue;
    budgets.push({
      bucket,
      remaining: Number(remainingText),
      windowMs: windowOf(bucket) ?? fallbackWindowMs,
    });
  }
  return budgets;
}

/** `CreateUpdateGallery30Min` → 1 800 000; undefined when the name has no `{n}{unit}` suffix. */
export function windowOf(bucket: string): number | undefined {
  const match = /(\d+)\s*([A-Za-z]+)$/.exec(bucket);
  if (!match) return undefined;
  const unit = UNIT_MS[(match[2] as string).toLowerCase()];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

/**
 * Every remaining-budget header on one response: the Compute RP's resource buckets and ARM's
 * `x-ms-ratelimit-remaining-subscription-*` (and `-tenant-*`) counters.
 * `subscriptionWindowMs` replaces the per-kind refill times of ARM's buckets when given.
 */
export function parseRateLimitHeaders(
  headers: HeaderSource,
  subscriptionWindowMs?: number,
): RemainingBudget[] {
  const budgets = parseResourceRemaining(headers.get("x-ms-ratelimit-remaining-resource"));
  for (const scope of ["subscription", "tenant"] as const) {
    for (const suffix of SUBSCRIPTION_BUCKETS) {
      const text = headers.get(`x-ms-ratelimit-remaining-${scope}-${suffix}`)?.trim();
      if (text && /^\d+$/.test(text)) {
        const windowMs = subscriptionWindowMs ?? SUBSCRIPTION_WINDOW_MS[kindOf(suffix)];
        budgets.push({ bucket: `${scope}-${suffix}`, remaining: Number(text), windowMs });
      }
    }
  }
  return budgets;
}

function kindOf(suffix: SubscriptionBucket): "reads" | "writes" | "deletes" {
  return suffix.endsWith("reads") ? "reads" : suffix.endsWith("deletes") ? "deletes" : "writes";
}

/**
 * The ARM subscription buckets a request spends, known before it is sent: reads for GET/HEAD,
 * deletes for DELETE, writes for everything else, each with its `global-` twin.
 */
export function subscriptionBucketsFor(method: string): string[] {
  const m = method.toUpperCase();
  const kind = m === "GET" || m === "HEAD" ? "reads" : m === "DELETE" ? "deletes" : "writes";
  return [`subscription-${kind}`, `subscription-global-${kind}`];
}
