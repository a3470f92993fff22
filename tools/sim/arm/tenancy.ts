// Who is calling and whether they may touch a subscription. Subscriptions belong to tenants;
// a token from another tenant is refused the way ARM refuses it, and a request that reaches into
// another tenant's subscription (an image version built from a source there) needs that
// tenant's token in `x-ms-authorization-auxiliary`.
import { formatGatewayTime } from "../clock.js";
import {
  expiredAuthenticationToken,
  invalidAuthenticationToken,
  linkedAuthorizationFailed,
  missingAuthorization,
  wrongTenant,
} from "../errors.js";
import type { SubscriptionRecord } from "../state/model.js";
import type { Store } from "../state/store.js";
import { type CallerIdentity, readToken } from "../token.js";

const TOKEN_CACHE_LIMIT = 1024;
const tokenCache = new Map<string, CallerIdentity | undefined>();

function identityOf(token: string): CallerIdentity | undefined {
  if (tokenCache.has(token)) return tokenCache.get(token);
  const identity = readToken(token);
  if (tokenCache.size >= TOKEN_CACHE_LIMIT) tokenCache.clear();
  tokenCache.set(token, identity);
  return identity;
}

function bearerToken(value: string): string | undefined {
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1];
}

/**
 * The caller named by the `Authorization` header.
 *
 * Errors: 401 `AuthenticationFailed` without the header, `InvalidAuthenticationToken` when it is
 * not a bearer JWT with a `tid`, `ExpiredAuthenticationToken` when `exp` is in the past (real
 * time: tokens come from the real world even when the simulator's clock is frozen).
 */
export function authenticate(authorization: string | undefined): CallerIdentity {
  if (!authorization) throw missingAuthorization();
  const token = bearerToken(authorization);
  const identity = token ? identityOf(token) : undefined;
  if (!identity) throw invalidAuthenticationToken();
  const nowSeconds = Date.now() / 1000;
  if (identity.expiresAt !== undefined && identity.expiresAt < nowSeconds) {
    throw expiredAuthenticationToken(
      formatGatewayTime(identity.expiresAt * 1000),
      formatGatewayTime(Date.now()),
    );
  }
  return identity;
}

/** Identities of the tokens in `x-ms-authorization-auxiliary` ("Bearer a, Bearer b"); tokens
 * that cannot be read are ignored, as they grant nothing. */
export function auxiliaryIdentities(header: string | undefined): CallerIdentity[] {
  if (!header) return [];
  return header
    .split(",")
    .map((part) => bearerToken(part))
    .map((token) => (token ? identityOf(token) : undefined))
    .filter((identity): identity is CallerIdentity => identity !== undefined);
}

/**
 * The subscription's record; an unknown subscription is adopted into the caller's tenant (the
 * lenient default that lets a bare client work without fixtures).
 */
export function subscriptionFor(
  store: Store,
  subscriptionId: string,
  caller: CallerIdentity,
): SubscriptionRecord {
  const known = store.subscription(subscriptionId);
  if (known) return known;
  const adopted: SubscriptionRecord = { id: subscriptionId, tenantId: caller.tenantId, declared: false };
  store.putSubscription(adopted);
  return adopted;
}

/** Refuses a caller whose token is from another tenant than the subscription's (401). */
export function requireHomeTenant(store: Store, subscriptionId: string, caller: CallerIdentity): void {
  const subscription = subscriptionFor(store, subscriptionId, caller);
  if (subscription.tenantId.toLowerCase() !== caller.tenantId.toLowerCase()) {
    throw wrongTenant(caller.tenantId, subscription.tenantId);
  }
}

/**
 * Checks a linked scope in another subscription (for example a version's source). When that
 * subscription's tenant differs from the caller's, one auxiliary token must come from it.
 *
 * Errors: 403 `LinkedAuthorizationFailed` naming `action`, `scope` and the linked subscription.
 */
export function requireLinkedAccess(
  store: Store,
  caller: CallerIdentity,
  auxiliary: readonly CallerIdentity[],
  linkedSubscriptionId: string,
  action: string,
  scope: string,
): void {
  const linked = subscriptionFor(store, linkedSubscriptionId, caller);
  const tenant = linked.tenantId.toLowerCase();
  if (tenant === caller.tenantId.toLowerCase()) return;
  if (auxiliary.some((identity) => identity.tenantId.toLowerCase() === tenant)) return;
  throw linkedAuthorizationFailed(action, scope, caller.tenantId, linked.id);
}
