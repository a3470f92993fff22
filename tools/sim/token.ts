// Bearer tokens the simulator accepts: JWT-shaped, unsigned (`alg: none`). ARM reads the caller's
// tenant (`tid`) and identity (`oid`, `appid`) from the token; so does the simulator. It never
// checks a signature, so a real Entra ID token would be read the same way.

/** Claims the simulator reads. `tid` is required; the others are recorded in the request log. */
export interface TokenClaims {
  tid: string;
  oid?: string;
  appid?: string;
}

/** Who made a request, as read from its bearer token. */
export interface CallerIdentity {
  tenantId: string;
  objectId?: string;
  appId?: string;
  /** Seconds since the epoch; undefined when the token carries no `exp`. */
  expiresAt?: number;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/**
 * Mints an unsigned JWT for the given identity, valid for `lifetimeSeconds` (default one hour).
 *
 * Guarantees: the payload carries `tid`, `oid` and `appid` as given, plus `aud`, `iss`, `iat`,
 * `nbf` and `exp` shaped like an Entra ID token for ARM, so code that logs or inspects tokens
 * sees the usual claims.
 *
 * Caveats: only the simulator accepts these tokens; they are not signed.
 */
export function mintToken(claims: TokenClaims, lifetimeSeconds = 3600): string {
  const issuedAt = Math.floor(Date.now() / 1000);
  const payload = {
    aud: "https://management.azure.com/",
    iss: `https://sts.windows.net/${claims.tid}/`,
    iat: issuedAt,
    nbf: issuedAt,
    exp: issuedAt + lifetimeSeconds,
    ...claims,
  };
  return `${base64url({ typ: "JWT", alg: "none" })}.${base64url(payload)}.`;
}

function stringClaim(payload: Record<string, unknown>, name: string): string | undefined {
  const value = payload[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * Reads the identity from a JWT (signed or not). Returns undefined when the token is not a JWT,
 * its payload is not JSON, or it has no `tid` claim.
 */
export function readToken(token: string): CallerIdentity | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof payload !== "object" || payload === null) return undefined;
  const claims = payload as Record<string, unknown>;
  const tenantId = stringClaim(claims, "tid");
  if (!tenantId) return undefined;
  const expiresAt = typeof claims.exp === "number" ? claims.exp : undefined;
  return {
    tenantId,
    objectId: stringClaim(claims, "oid"),
    appId: stringClaim(claims, "appid") ?? stringClaim(claims, "azp"),
    expiresAt,
  };
}
