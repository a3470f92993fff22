// The two JSON dialects on the wire: the Compute RP pretty-prints with two-space indentation
// and CRLF line ends; the ARM front end (gateway errors, resource groups, authorization) sends
// compact JSON.

/** Pretty JSON as the Compute RP writes it. JSON.stringify escapes newlines inside strings, so
 * every raw "\n" in its output is structural and safe to turn into CRLF. */
export function rpJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, "\r\n");
}

export function compactJson(value: unknown): string {
  return JSON.stringify(value);
}

/** JSON-like values the simulator reads from request bodies. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Drops keys whose value is undefined, so optional fields vanish from bodies instead of
 * appearing as null. Key order is preserved, which keeps bodies in the RP's field order. */
export function defined<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}
