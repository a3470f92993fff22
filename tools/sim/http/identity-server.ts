// A managed-identity token endpoint speaking App Service's protocol (api-version 2019-08-01), so
// clients built on azure-identity or MSAL (`ManagedIdentityCredential`, `DefaultAzureCredential`,
// `az login --identity`) get simulator tokens unchanged once `IDENTITY_ENDPOINT` and
// `IDENTITY_HEADER` point here (docs/arm-behaviour.md#discovery). Plain HTTP on loopback, as App
// Service's own endpoint is.
import { randomBytes } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ManagedIdentity } from "../options.js";
import { mintToken } from "../token.js";

const TOKEN_LIFETIME_SECONDS = 3600;

export interface IdentityServer {
  /** `http://127.0.0.1:PORT/msi/token`: the value for `IDENTITY_ENDPOINT`. */
  endpoint: string;
  /** The secret clients send as `X-IDENTITY-HEADER`: the value for `IDENTITY_HEADER`. */
  header: string;
  close(): Promise<void>;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** The identity a request names (`client_id`, `object_id`/`principal_id`), else the first. */
function chosenIdentity(
  query: URLSearchParams,
  identities: readonly ManagedIdentity[],
): ManagedIdentity | undefined {
  const clientId = query.get("client_id");
  const objectId = query.get("object_id") ?? query.get("principal_id");
  if (!clientId && !objectId) return identities[0];
  return identities.find(
    (identity) =>
      (clientId && identity.clientId.toLowerCase() === clientId.toLowerCase()) ||
      (objectId && identity.objectId.toLowerCase() === objectId.toLowerCase()),
  );
}

/**
 * Starts the token endpoint on a free loopback port.
 *
 * Flow: `GET /msi/token?resource=…&api-version=2019-08-01[&client_id=…]` with `X-IDENTITY-HEADER`
 * → `{access_token, expires_on, resource, token_type, client_id}` (expires_on in epoch seconds).
 * Errors: 401 without the right secret header, 400 without `resource`, 404 for another path or an
 * identity nobody configured.
 */
export function startIdentityServer(identities: readonly ManagedIdentity[]): Promise<IdentityServer> {
  const header = randomBytes(16).toString("hex");
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method !== "GET" || url.pathname !== "/msi/token")
      return answer(res, 404, { error: "not_found" });
    if (req.headers["x-identity-header"] !== header) {
      return answer(res, 401, {
        error: "unauthorized_client",
        error_description: "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.",
      });
    }
    const resource = url.searchParams.get("resource");
    if (!resource)
      return answer(res, 400, { error: "invalid_request", error_description: "'resource' is required." });
    const identity = chosenIdentity(url.searchParams, identities);
    if (!identity)
      return answer(res, 404, { error: "invalid_identity", error_description: "No such managed identity." });
    const token = mintToken(
      { tid: identity.tenantId, oid: identity.objectId, appid: identity.clientId },
      TOKEN_LIFETIME_SECONDS,
    );
    return answer(res, 200, {
      access_token: token,
      expires_on: String(Math.floor(Date.now() / 1000) + TOKEN_LIFETIME_SECONDS),
      resource,
      token_type: "Bearer",
      client_id: identity.clientId,
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        endpoint: `http://127.0.0.1:${port}/msi/token`,
        header,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
