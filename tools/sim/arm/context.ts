// What an ARM handler gets to work with for one request. The gateway checks (authentication,
// api-version, tenancy, ARM throttling) have passed by the time a handler runs; the handler calls
// `enterCompute` at the point where the real request would reach the Compute RP, which charges
// the RP's rate bucket and adds `x-ms-ratelimit-remaining-resource` to the answer.
import type { SimulatorCore } from "../core.js";
import type { JsonObject } from "../json.js";
import type { ComputeBucket } from "../throttle/limits.js";
import type { Audience } from "../throttle/throttler.js";
import type { CallerIdentity } from "../token.js";

export interface ArmContext {
  readonly core: SimulatorCore;
  readonly method: string;
  readonly path: string;
  /** Path parameters of the matched route, decoded, in the caller's spelling. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly apiVersion: string;
  readonly caller: CallerIdentity;
  readonly auxiliary: readonly CallerIdentity[];
  /** Virtual time of the request. */
  readonly now: number;
  /** `https://host:port` as the client addressed the simulator; operation URLs start with it. */
  readonly baseUrl: string;
  /** The JSON body as an object. Throws 400 `InvalidRequestContent` if it is not one. */
  body(): JsonObject;
  /** Charges a Compute RP bucket (may throw 429) and reports it in the response headers. */
  enterCompute(bucket: ComputeBucket, audience?: Audience): void;
}

export type ArmHandler = (ctx: ArmContext) => import("../http/response.js").SimResponse;

/** A path parameter the router guarantees to be present. */
export function param(ctx: ArmContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`route has no parameter '${name}'`);
  return value;
}

/** A query parameter by case-insensitive name (`$expand` vs `$Expand`). */
export function queryValue(ctx: ArmContext, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of ctx.query) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
