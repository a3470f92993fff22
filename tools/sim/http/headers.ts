// The headers every ARM answer carries, in the order the 2024-2025 recordings show them: no-cache
// trio, the response's own headers, Compute and subscription rate-limit headers, request ids,
// and the edge headers (x-cache, x-msedge-ref) of the current ARM front end (docs/arm-behaviour.md#subscription-limits).
import { randomUUID } from "node:crypto";
import type { SimResponse } from "./response.js";

export interface RequestIds {
  requestId: string;
  correlationId: string;
}

/** A fresh request id, and the client's correlation id when it sent one (ARM echoes it). */
export function requestIds(clientCorrelationId: string | undefined): RequestIds {
  return { requestId: randomUUID(), correlationId: clientCorrelationId || randomUUID() };
}

interface SecondStamps {
  second: number;
  /** `date` header (RFC 7231). */
  http: string;
  /** `20240826T095223Z`, as in x-ms-routing-request-id. */
  compact: string;
  /** `2024-08-26T09:52:23Z`, as in x-msedge-ref. */
  iso: string;
}

let lastStamps: SecondStamps | undefined;

/** The second-resolution time strings of a response, formatted once per second: at thousands of
 * answers a second, date formatting was a visible share of the simulator's CPU. */
function stampsFor(ms: number): SecondStamps {
  const second = Math.floor(ms / 1000);
  if (lastStamps?.second === second) return lastStamps;
  const date = new Date(second * 1000);
  const iso = date.toISOString().replace(/\.\d+Z$/, "Z");
  lastStamps = { second, http: date.toUTCString(), compact: iso.replace(/[-:]/g, ""), iso };
  return lastStamps;
}

export interface ArmHeaderInputs {
  response: SimResponse;
  computeRateLimit?: string;
  subscriptionHeaders: [string, string][];
  gatewayFailure: boolean;
  ids: RequestIds;
  /** Virtual time, for `date` and the routing id. */
  now: number;
}

export function armResponseHeaders(inputs: ArmHeaderInputs): [string, string][] {
  const { response, ids, now } = inputs;
  const headers: [string, string][] = [
    ["cache-control", "no-cache"],
    ["pragma", "no-cache"],
    ["content-length", String(Buffer.byteLength(response.body))],
  ];
  if (response.body !== "") headers.push(["content-type", "application/json; charset=utf-8"]);
  headers.push(["expires", "-1"], ...response.headers);
  if (inputs.computeRateLimit) headers.push(["x-ms-ratelimit-remaining-resource", inputs.computeRateLimit]);
  if (inputs.gatewayFailure) headers.push(["x-ms-failure-cause", "gateway"]);
  const stamps = stampsFor(now);
  headers.push(
    ["strict-transport-security", "max-age=31536000; includeSubDomains"],
    ["x-ms-request-id", ids.requestId],
    ...inputs.subscriptionHeaders,
    ["x-ms-correlation-request-id", ids.correlationId],
    ["x-ms-routing-request-id", `WESTUS:${stamps.compact}:${ids.requestId}`],
    ["x-content-type-options", "nosniff"],
    ["x-cache", "CONFIG_NOCACHE"],
    [
      "x-msedge-ref",
      `Ref A: ${ids.requestId.replace(/-/g, "").toUpperCase()} Ref B: SIM01EDGE0001 Ref C: ${stamps.iso}`,
    ],
    ["date", stamps.http],
  );
  return headers;
}
