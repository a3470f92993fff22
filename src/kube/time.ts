// The two timestamp formats of the Kubernetes API. Values must round-trip exactly, or a re-read object
// would differ from the one written and trigger pointless writes.

/** metav1.Time: RFC 3339 with whole seconds (conditions' lastTransitionTime). */
export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits (Events, Leases); other widths are rejected. */
export function formatMicroTime(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000Z`;
}
