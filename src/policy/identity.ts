// Which Azure identity the operator uses for a namespace, from the GalleryPolicies covering it.
// App teams never name credentials; only policies do.
import type { GalleryPolicy, PolicyIdentity } from "../api/index.js";

export type IdentityChoice =
  /** No covering policy names one: the operator's own identity. */
  | { kind: "operator" }
  | { kind: "policy"; policy: string; identity: PolicyIdentity }
  /** Covering policies name different identities: the operator acts for none of them. */
  | { kind: "conflict"; policies: string[] };

/** Two identities are the same when they name the same client (or Secret) the same way. */
export function identityKey(identity: PolicyIdentity): string {
  if (identity.workloadIdentity) {
    const { clientId, tenantId } = identity.workloadIdentity;
    return `workloadIdentity:${clientId}:${tenantId ?? ""}`;
  }
  const s = identity.clientSecret;
  return s ? `clientSecret:${s.secretName}:${s.tenantIdKey}:${s.clientIdKey}:${s.clientSecretKey}` : "none";
}

/**
 * Combines the identities of the policies covering one namespace.
 *
 * Guarantees: a policy without `identity` has no say; several policies naming the same identity
 * agree; naming different ones is a conflict, never a silent pick (which identity acts decides
 * which subscriptions are reachable, so guessing would be a privilege escalation).
 */
export function chooseIdentity(covering: readonly GalleryPolicy[]): IdentityChoice {
  const naming = covering.filter((p) => p.spec.identity);
  const first = naming[0];
  if (!first?.spec.identity) return { kind: "operator" };
  const key = identityKey(first.spec.identity);
  if (naming.every((p) => p.spec.identity && identityKey(p.spec.identity) === key)) {
    return { kind: "policy", policy: first.metadata.name, identity: first.spec.identity };
  }
  return { kind: "conflict", policies: naming.map((p) => p.metadata.name) };
}
