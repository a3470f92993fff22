// Helpers for tests that talk to the ARM simulator through the real Azure SDK clients or raw
// HTTPS. See docs/simulator.md.
import { request as httpsRequest } from "node:https";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ComputeManagementClient, restorePoller, type SharingUpdate } from "@azure/arm-compute";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import {
  mintToken,
  type Simulator,
  type SimulatorOptions,
  simClientOptions,
  startSimulator,
} from "../../tools/sim/index.js";
import { waitFor } from "./wait.js";

export { simClientOptions };

export interface StaticIdentity {
  tenantId: string;
  objectId?: string;
  appId?: string;
}

/** A credential that hands out simulator tokens (unsigned JWTs) for one fixed identity. */
export function staticCredential(identity: StaticIdentity): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      const token = mintToken({ tid: identity.tenantId, oid: identity.objectId, appid: identity.appId });
      return { token, expiresOnTimestamp: Date.now() + 3_600_000, tokenType: "Bearer" };
    },
  };
}

/** Starts a simulator for a test: a free port, and durations shrunk 1000-fold unless given. */
export function startTestSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ timeScale: 0.001, ...options });
}

/** Poll quickly: durations are scaled down, so the SDK's default 2 s interval would dominate.
 * (Not much faster: ARM's read bucket refills 25 tokens a second, and the simulator enforces it.) */
export const FAST_POLL = { updateIntervalInMs: 20 } as const;

/** A compute client for one identity, with SDK retries off so a test sees each answer as sent
 * (pass your own options to `new ComputeManagementClient` to keep the SDK's retry policies). */
export function computeClient(
  sim: Simulator,
  identity: StaticIdentity,
  subscriptionId: string,
): ComputeManagementClient {
  return new ComputeManagementClient(staticCredential(identity), subscriptionId, {
    ...simClientOptions(sim),
    retryOptions: { maxRetries: 0 },
  });
}

/** An authorization client for one identity (SDK defaults otherwise). */
export function authorizationClient(
  sim: Simulator,
  identity: StaticIdentity,
  subscriptionId: string,
): AuthorizationManagementClient {
  return new AuthorizationManagementClient(staticCredential(identity), subscriptionId, simClientOptions(sim));
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** Header names in the order they arrived (lower-case as sent). */
  headerNames: string[];
  body: string;
}

export interface RawRequest {
  method?: string;
  /** Path and query, e.g. `/subscriptions/s/resourcegroups/rg?api-version=2021-04-01`. */
  path: string;
  /** Identity for a simulator token; omit `identity` and set `authorization` for raw control. */
  identity?: StaticIdentity;
  authorization?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** One HTTPS request to the simulator with node:https, trusting its CA; the answer verbatim. */
export function armRequest(sim: Simulator, request: RawRequest): Promise<RawResponse> {
  const url = new URL(request.path, sim.endpoint);
  const body =
    request.body === undefined
      ? undefined
      : typeof request.body === "string"
        ? request.body
        : JSON.stringify(request.body);
  const headers: Record<string, string> = { ...request.headers };
  if (request.identity)
    headers.authorization = `Bearer ${mintToken({ tid: request.identity.tenantId, oid: request.identity.objectId, appid: request.identity.appId })}`;
  else if (request.authorization) headers.authorization = request.authorization;
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        method: request.method ?? "GET",
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        headers,
        ca: sim.caPem,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const names: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) names.push(res.rawHeaders[i] ?? "");
          resolve({
            status: res.statusCode ?? 0,
            headers: Object.fromEntries(
              Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]),
            ),
            headerNames: names,
            body: Buffer.concat(chunks).toString("utf8"),
          });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Calls the control API (`/_sim/{name}`) and parses its JSON answer. */
export async function control<T = unknown>(
  sim: Simulator,
  method: string,
  name: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const answer = await armRequest(sim, { method, path: `/_sim/${name}`, body });
  return { status: answer.status, body: JSON.parse(answer.body) as T };
}

/**
 * Waits until the simulator has used up fault `id` (for a delay fault: the request it holds has
 * arrived), read from the control API rather than guessed from timing.
 */
export async function faultUsedUp(
  sim: Simulator,
  id: string,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  await waitFor(
    what,
    async () => {
      const faults = await control<{ id: string; remaining: number }[]>(sim, "GET", "faults");
      return faults.body.some((f) => f.id === id && f.remaining !== 0) ? undefined : true;
    },
    { timeoutMs, intervalMs: 20 },
  );
}

/**
 * Runs `POST .../share` to completion through @azure/arm-compute.
 *
 * Why not just await the poller: after the operation succeeds the SDK GETs the monitor URL, which
 * answers 200 with an empty body (as real ARM does, docs/arm-behaviour.md#status-codes, #operation-status), and arm-compute 25's
 * `sharingUpdateDeserializer` then throws reading `operationType` of undefined. Restoring the
 * poller with our own `processResponseBody` is the SDK's documented way around its deserializer.
 */
export async function shareAndWait(
  client: ComputeManagementClient,
  resourceGroup: string,
  gallery: string,
  update: SharingUpdate,
): Promise<void> {
  const poller = client.gallerySharingProfile.update(resourceGroup, gallery, update, FAST_POLL);
  await poller.submitted();
  const resumed = restorePoller(client, await poller.serialize(), client.gallerySharingProfile.update, {
    ...FAST_POLL,
    processResponseBody: async () => update,
  });
  await resumed.pollUntilDone();
}
