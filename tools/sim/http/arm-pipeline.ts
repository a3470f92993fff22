// One ARM request from arrival to answer, in the order ARM itself works: authenticate, check
// the api-version, route, check the caller's tenant against the subscription, take a token from
// the subscription's throttling bucket, then let the handler (which enters the Compute RP when
// it calls `enterCompute`) produce the answer. Any ArmError on the way becomes the answer.
import type { IncomingHttpHeaders } from "node:http";
import { checkApiVersion } from "../arm/api-versions.js";
import type { ArmContext } from "../arm/context.js";
import { resourceGroupId, subscriptionOf } from "../arm/ids.js";
import { route } from "../arm/routes.js";
import { authenticate, auxiliaryIdentities, requireHomeTenant } from "../arm/tenancy.js";
import type { SimulatorCore } from "../core.js";
import {
  ArmError,
  invalidRequestContent,
  invalidResourceType,
  methodNotAllowed,
  missingApiVersion,
} from "../errors.js";
import { compactJson, isObject, type JsonObject, rpJson } from "../json.js";
import type { CallClass } from "../options.js";
import type { ComputeBucket, SubscriptionBucket } from "../throttle/limits.js";
import type { Audience } from "../throttle/throttler.js";
import type { CallerIdentity } from "../token.js";
import type { SimResponse } from "./response.js";

export interface ArmCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  baseUrl: string;
}

export interface ArmOutcome {
  response: SimResponse;
  callClass: CallClass;
  /** `x-ms-ratelimit-remaining-resource`, when the Compute RP was reached. */
  computeRateLimit?: string;
  bucket?: ComputeBucket;
  subscriptionHeaders: [string, string][];
  /** Set when the gateway answered by itself (`x-ms-failure-cause: gateway`). */
  gatewayFailure: boolean;
  subscriptionId?: string;
  caller?: CallerIdentity;
  auxiliary: CallerIdentity[];
}

function subscriptionBucket(method: string): SubscriptionBucket {
  if (method === "DELETE") return "deletes";
  return method === "GET" || method === "HEAD" ? "reads" : "writes";
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

class RequestContext implements ArmContext {
  computeRateLimit: string | undefined;
  bucket: ComputeBucket | undefined;
  private parsedBody: JsonObject | undefined;

  constructor(
    readonly core: SimulatorCore,
    private readonly call: ArmCall,
    readonly params: Record<string, string>,
    readonly apiVersion: string,
    readonly caller: CallerIdentity,
    readonly auxiliary: CallerIdentity[],
    readonly now: number,
  ) {}

  get method(): string {
    return this.call.method;
  }
  get path(): string {
    return this.call.path;
  }
  get query(): URLSearchParams {
    return this.call.query;
  }
  get baseUrl(): string {
    return this.call.baseUrl;
  }

  body(): JsonObject {
    if (this.parsedBody) return this.parsedBody;
    const text = this.call.body.toString("utf8").trim();
    if (text === "") {
      this.parsedBody = {};
      return this.parsedBody;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw invalidRequestContent(error instanceof Error ? error.message : String(error));
    }
    if (!isObject(parsed)) throw invalidRequestContent("the body must be a JSON object");
    this.parsedBody = parsed;
    return parsed;
  }

  enterCompute(bucket: ComputeBucket, audience: Audience = "owner"): void {
    this.bucket = bucket;
    const subscriptionId = this.params.sub ?? "";
    try {
      this.computeRateLimit = this.core.throttler.chargeCompute(subscriptionId, bucket, audience, this.now);
    } catch (error) {
      if (error instanceof ArmError) {
        this.computeRateLimit = error.headers.find(
          ([name]) => name === "x-ms-ratelimit-remaining-resource",
        )?.[1];
      }
      throw error;
    }
  }
}

/** The region an api-version error names: the path's, else the resource group's. */
function locationOf(core: SimulatorCore, params: Record<string, string>): string {
  if (params.location) return params.location.toLowerCase();
  const rg =
    params.sub && params.rg
      ? core.store.resourceGroups.get(resourceGroupId(params.sub, params.rg))
      : undefined;
  return rg?.location ?? "global";
}

/** Renders an ArmError in its origin's dialect. */
export function errorResponse(error: ArmError): SimResponse {
  const body = error.origin === "compute" ? rpJson(error.envelope()) : compactJson(error.envelope());
  return {
    status: error.status,
    body,
    headers: error.headers.filter(([name]) => name !== "x-ms-ratelimit-remaining-resource"),
  };
}

/**
 * Answers one ARM call.
 *
 * Guarantees: never throws for a request problem (every ArmError becomes the response); the
 * outcome says which rate-limit headers to send and who called. Unexpected exceptions (bugs)
 * propagate to the server, which answers 500.
 */
export function handleArmCall(core: SimulatorCore, call: ArmCall, now: number): ArmOutcome {
  const segments = call.path
    .split("/")
    .filter((s) => s !== "")
    .map((s) => decodeURIComponent(s));
  const outcome: ArmOutcome = {
    response: { status: 500, body: "", headers: [] },
    callClass: call.method === "DELETE" ? "delete" : call.method === "GET" ? "read" : "write",
    subscriptionHeaders: [],
    gatewayFailure: false,
    auxiliary: [],
  };
  let context: RequestContext | undefined;
  try {
    const caller = authenticate(header(call.headers, "authorization"));
    outcome.caller = caller;
    outcome.auxiliary = auxiliaryIdentities(header(call.headers, "x-ms-authorization-auxiliary"));
    const apiVersion = call.query.get("api-version");
    if (!apiVersion) throw missingApiVersion();
    const routed = route(call.method, segments);
    if (routed.kind === "unknown")
      throw invalidResourceType(segments.slice(-2, -1)[0] ?? call.path, apiVersion);
    if (routed.kind === "wrongMethod") throw methodNotAllowed(call.method);
    const { handler, params, callClass, apiType } = routed.match;
    outcome.callClass = callClass;
    checkApiVersion(apiVersion, apiType, locationOf(core, params));
    const subscriptionId = params.sub ?? (params.scope ? subscriptionOf(params.scope) : undefined);
    if (subscriptionId) {
      outcome.subscriptionId = subscriptionId;
      requireHomeTenant(core.store, subscriptionId, caller);
      outcome.subscriptionHeaders = core.throttler.chargeSubscription(
        subscriptionId,
        subscriptionBucket(call.method),
        now,
      );
    }
    context = new RequestContext(core, call, params, apiVersion, caller, outcome.auxiliary, now);
    outcome.response = handler(context);
  } catch (error) {
    if (!(error instanceof ArmError)) throw error;
    outcome.response = errorResponse(error);
    outcome.gatewayFailure = error.origin === "gateway";
  }
  if (context?.computeRateLimit) outcome.computeRateLimit = context.computeRateLimit;
  if (context?.bucket) outcome.bucket = context.bucket;
  return outcome;
}
