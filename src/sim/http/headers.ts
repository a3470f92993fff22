// The headers every ARM answer carries, in the order the 2024-2025 recordings show them: no-cache
// trio, the response's own headers, Compute and subscription rate-limit headers, request ids,
// and the edge headers (x-cache, x-msedge-ref) of the current ARM front end (facts §10.2).
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

function compactTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
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
  const date = new Date(now);
  headers.push(
    ["strict-transport-security", "max-age=31536000; includeSubDomains"],
    ["x-ms-request-id", ids.requestId],
    ...inputs.subscriptionHeaders,
    ["x-ms-correlation-request-id", ids.correlationId],
    ["x-ms-routing-request-id", `WESTUS:${compactTimestamp(now)}:${ids.requestId}`],
    ["x-content-type-options", "nosniff"],
    ["x-cache", "CONFIG_NOCACHE"],
    [
      "x-msedge-ref",
      `Ref A: ${ids.requestId.replace(/-/g, "").toUpperCase()} Ref B: SIM01EDGE0001 Ref C: ${date.toISOString().replace(/\.\d+Z$/, "Z")}`,
    ],
    ["date", date.toUTCString()],
  );
  return headers;
}
