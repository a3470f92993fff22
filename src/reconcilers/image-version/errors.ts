// ARM's words for an image version failure, made actionable: ARM says what was refused, the
// operator adds what to change on its side.
import { ArmError, parseArmId } from "../../azure/index.js";

/**
 * Adds a hint to a `LinkedAuthorizationFailed` refusal of a version PUT: the source lives in a
 * subscription of another Microsoft Entra tenant, and ARM wants a token of that tenant too
 * (`x-ms-authorization-auxiliary`, seed 003). ARM names the operator's tenant and the linked
 * subscription, not that subscription's tenant, so the hint says where to look it up.
 *
 * Guarantees: any other error is returned unchanged; the result keeps ARM's kind, code and status.
 */
export function withLinkedAuthorizationHint(err: unknown, sourceId: string): unknown {
  if (!(err instanceof ArmError) || err.code.toLowerCase() !== "linkedauthorizationfailed") return err;
  const subscription = safeSubscriptionOf(sourceId) ?? "of the source";
  const ownTenant = /current tenant '([^']+)'/i.exec(err.message)?.[1];
  const hint =
    `the source ${sourceId} is in subscription ${subscription}, which belongs to another tenant than the operator's identity` +
    `${ownTenant ? ` (tenant ${ownTenant})` : ""}: add the tenant that owns subscription ${subscription} to the operator's ` +
    "--auxiliary-tenants (AGO_AUXILIARY_TENANTS), and make sure its app registration is consented in that tenant " +
    "with read access to the source";
  return new ArmError({
    kind: err.kind,
    code: err.code,
    message: `${err.message} Fix: ${hint}.`,
    status: err.status,
    retryAfterMs: err.retryAfterMs,
    target: err.target,
    details: [...err.details],
    cause: err,
  });
}

function safeSubscriptionOf(id: string): string | undefined {
  try {
    return parseArmId(id).subscriptionId;
  } catch {
    return undefined;
  }
}
