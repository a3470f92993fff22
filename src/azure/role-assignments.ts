// Role assignments on a gallery (RBAC sharing, seed 002/003): list what is assigned exactly at a
// scope, create with a name derived from what is assigned (so a retried create is the same PUT),
// delete.
import { createHash } from "node:crypto";
import type { RoleAssignment } from "@azure/arm-authorization";
import { armCall } from "./call.js";
import type { ArmClients } from "./clients.js";
import { classifyArmError } from "./errors.js";
import { InvalidArmIdError, parseArmId, roleDefinitionId, sameArmId } from "./ids.js";

export type { RoleAssignment };

/** Built-in role definition GUIDs (the same in every cloud and subscription). */
export const BUILTIN_ROLES = {
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  Reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  "Compute Gallery Sharing Admin": "1ef6a3be-d0ac-425d-8c01-acb62866290b",
} as const;
export type BuiltinRole = keyof typeof BUILTIN_ROLES;

export interface RoleAssignmentSpec {
  principalId: string;
  /** `User`, `Group`, `ServicePrincipal`, ... Setting it avoids ARM's directory lookup delay. */
  principalType?: string;
  /** A full role definition id, a built-in role name, or a role GUID. */
  role: string;
}

export class RoleAssignmentApi {
  constructor(
    private readonly clients: ArmClients,
    /** Ends every request of this facade (see GalleryApi). */
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * The assignments made exactly at `scope` (not inherited from above).
   * Flow: list with `$filter=atScope()` (at or above), keep those whose scope is `scope`.
   * Errors: ArmError.
   */
  listAtScope(scope: string): Promise<RoleAssignment[]> {
    return armCall(async () => {
      const found: RoleAssignment[] = [];
      const assignments = this.client(scope).roleAssignments.listForScope(sdkScope(scope), {
        filter: "atScope()",
        abortSignal: this.signal,
      });
      for await (const a of assignments) {
        if (a.scope && sameArmId(a.scope, scope)) found.push(a);
      }
      return found;
    });
  }

  /**
   * Assigns `spec.role` to `spec.principalId` at `scope` (one PUT).
   * Guarantees: the assignment's name is derived from (scope, principal, role), so repeating the
   * call after a crash or a timeout does not create a second assignment.
   * Errors: ArmError; Conflict with code `RoleAssignmentExists` when the same assignment exists
   * under another name (made outside the operator); InvalidArmIdError for a scope outside a
   * subscription.
   */
  create(scope: string, spec: RoleAssignmentSpec): Promise<RoleAssignment> {
    const subscriptionId = subscriptionOfScope(scope);
    const role = resolveRoleDefinitionId(subscriptionId, spec.role);
    const name = roleAssignmentName(scope, spec.principalId, role);
    return armCall(() =>
      this.client(scope).roleAssignments.create(
        sdkScope(scope),
        name,
        {
          roleDefinitionId: role,
          principalId: spec.principalId,
          ...(spec.principalType ? { principalType: spec.principalType } : {}),
        },
        { abortSignal: this.signal },
      ),
    );
  }

  /** Removes one assignment by name. Guarantees: an assignment already gone is not an error. Errors: ArmError. */
  async delete(scope: string, name: string): Promise<void> {
    try {
      await this.client(scope).roleAssignments.delete(sdkScope(scope), name, { abortSignal: this.signal });
    } catch (err) {
      const classified = classifyArmError(err);
      if (classified.kind !== "NotFound") throw classified;
    }
  }

  private client(scope: string) {
    return this.clients.authorization(subscriptionOfScope(scope));
  }
}

/**
 * A role definition id for `role`: a full id passes through; a built-in name or a bare GUID
 * becomes `/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}`.
 */
export function resolveRoleDefinitionId(subscriptionId: string, role: string): string {
  if (role.startsWith("/")) return role;
  const builtin = BUILTIN_ROLES[role as BuiltinRole];
  return roleDefinitionId(subscriptionId, builtin ?? role);
}

/** A GUID-shaped name from sha256(scope, principal, role), all compared case-insensitively. */
export function roleAssignmentName(scope: string, principalId: string, roleDefinition: string): string {
  const hex = createHash("sha256")
    .update([scope, principalId, roleDefinition].map((s) => s.toLowerCase()).join("\n"))
    .digest("hex");
  // Version nibble 8 (RFC 9562 custom) and the RFC variant bits, so it reads as a valid UUID.
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// The SDK's path template is `/{scope}/providers/…`: an id's leading slash would make `//`.
function sdkScope(scope: string): string {
  return scope.replace(/^\/+/, "");
}

function subscriptionOfScope(scope: string): string {
  const subscriptionId = parseArmId(scope).subscriptionId;
  if (!subscriptionId) throw new InvalidArmIdError(scope, "a subscription or narrower scope");
  return subscriptionId;
}
