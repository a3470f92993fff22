// What a handler answers: a status, an already-serialized body and the headers that belong to
// this response in particular (location, azure-asyncoperation, retry-after, ...). The server
// wraps them in the headers every ARM response carries.
import { compactJson, rpJson } from "../json.js";

export interface SimResponse {
  status: number;
  /** Serialized body; "" for none (sent with `content-length: 0` and no content-type). */
  body: string;
  headers: [string, string][];
}

/** A Compute RP body: pretty JSON with CRLF. */
export function computeResponse(
  status: number,
  value: unknown,
  headers: [string, string][] = [],
): SimResponse {
  return { status, body: rpJson(value), headers };
}

/** An ARM front-end or Authorization RP body: compact JSON. */
export function compactResponse(
  status: number,
  value: unknown,
  headers: [string, string][] = [],
): SimResponse {
  return { status, body: compactJson(value), headers };
}

export function emptyResponse(status: number, headers: [string, string][] = []): SimResponse {
  return { status, body: "", headers };
}
