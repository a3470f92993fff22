// Retry-After in the three spellings Azure services use, as milliseconds from now.

/** The smallest slice of a headers object this needs: core-rest-pipeline's HttpHeaders fits. */
export interface HeaderSource {
  get(name: string): string | undefined;
}

/**
 * Reads `retry-after-ms`, `x-ms-retry-after-ms` (milliseconds) or `retry-after` (seconds or an
 * HTTP date), in that order.
 *
 * Guarantees: never negative; undefined when no header holds a usable value.
 */
export function retryAfterMs(
  headers: HeaderSource | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const ms = nonNegativeNumber(headers.get(name));
    if (ms !== undefined) return Math.round(ms);
  }
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  const seconds = nonNegativeNumber(value);
  if (seconds !== undefined) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

function nonNegativeNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(text)) return undefined;
  return Number(text);
}
