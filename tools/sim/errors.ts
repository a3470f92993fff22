// Errors the simulator answers with, in ARM's envelope `{"error":{"code","message","target?",
// "details?"}}`. Where an error comes from decides its wire format: the ARM gateway writes compact
// JSON and adds `x-ms-failure-cause: gateway`; the Compute RP pretty-prints (see json.ts); the
// Authorization RP writes compact JSON. Handlers throw these; the server renders them.

export type ErrorOrigin = "gateway" | "compute" | "authorization";

export interface ErrorDetail {
  code: string;
  target?: string;
  message: string;
}

export interface ArmErrorOptions {
  origin: ErrorOrigin;
  target?: string;
  details?: ErrorDetail[];
  /** Extra response headers in wire order (for example `retry-after`). */
  headers?: [string, string][];
}

export class ArmError extends Error {
  readonly status: number;
  readonly code: string;
  readonly origin: ErrorOrigin;
  readonly target: string | undefined;
  readonly details: ErrorDetail[] | undefined;
  readonly headers: [string, string][];

  constructor(status: number, code: string, message: string, options: ArmErrorOptions) {
    super(message);
    this.name = "ArmError";
    this.status = status;
    this.code = code;
    this.origin = options.origin;
    this.target = options.target;
    this.details = options.details;
    this.headers = options.headers ?? [];
  }

  /** The envelope, with `target` and `details` present only when set. */
  envelope(): { error: { code: string; message: string; target?: string; details?: ErrorDetail[] } } {
    const error: { code: string; message: string; target?: string; details?: ErrorDetail[] } = {
      code: this.code,
      message: this.message,
    };
    if (this.target !== undefined) error.target = this.target;
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

// ARM gateway ----------------------------------------------------------------------------------

export function missingApiVersion(): ArmError {
  return new ArmError(
    400,
    "MissingApiVersionParameter",
    "The api-version query parameter (?api-version=) is required for all requests.",
    { origin: "gateway" },
  );
}

export function missingAuthorization(): ArmError {
  return new ArmError(
    401,
    "AuthenticationFailed",
    "Authentication failed. The 'Authorization' header is missing.",
    {
      origin: "gateway",
    },
  );
}

export function invalidAuthenticationToken(): ArmError {
  return new ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.", {
    origin: "gateway",
  });
}

export function expiredAuthenticationToken(expiredAt: string, now: string): ArmError {
  return new ArmError(
    401,
    "ExpiredAuthenticationToken",
    `The access token expiry UTC time '${expiredAt}' is earlier than current UTC time '${now}'.`,
    { origin: "gateway" },
  );
}

/** A token from one tenant used on a subscription of another (ARM answers 401, not 403). */
export function wrongTenant(tokenTenant: string, subscriptionTenant: string): ArmError {
  return new ArmError(
    401,
    "InvalidAuthenticationTokenTenant",
    `The access token is from the wrong issuer 'https://sts.windows.net/${tokenTenant}/'. It must match the tenant 'https://sts.windows.net/${subscriptionTenant}/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/${subscriptionTenant}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.`,
    {
      origin: "gateway",
      headers: [
        [
          "www-authenticate",
          `Bearer authorization_uri="https://login.windows.net/${subscriptionTenant}", error="invalid_token", error_description="The access token is from the wrong issuer."`,
        ],
      ],
    },
  );
}

export function linkedAuthorizationFailed(
  action: string,
  scope: string,
  tenantId: string,
  linkedSubscription: string,
): ArmError {
  return new ArmError(
    403,
    "LinkedAuthorizationFailed",
    `The client has permission to perform action '${action}' on scope '${scope}', however the current tenant '${tenantId}' is not authorized to access linked subscription '${linkedSubscription}'.`,
    { origin: "gateway" },
  );
}

export function resourceGroupNotFound(resourceGroup: string): ArmError {
  return new ArmError(404, "ResourceGroupNotFound", `Resource group '${resourceGroup}' could not be found.`, {
    origin: "gateway",
  });
}

/** `typedName` is the type-qualified name, e.g. `Microsoft.Compute/galleries/g1/images/i1`. */
export function resourceNotFound(typedName: string, resourceGroup: string): ArmError {
  return new ArmError(
    404,
    "ResourceNotFound",
    `The Resource '${typedName}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    { origin: "gateway" },
  );
}

export function parentResourceNotFound(parentTypedName: string): ArmError {
  return new ArmError(
    404,
    "ParentResourceNotFound",
    `Can not perform requested operation on nested resource. Parent resource '${parentTypedName}' not found.`,
    { origin: "gateway" },
  );
}

export function invalidResourceType(type: string, apiVersion: string): ArmError {
  return new ArmError(
    404,
    "InvalidResourceType",
    `The resource type '${type}' could not be found for api version '${apiVersion}'.`,
    { origin: "gateway" },
  );
}

export function methodNotAllowed(method: string): ArmError {
  return new ArmError(
    405,
    "MethodNotAllowed",
    `The HTTP method '${method}' is not supported for this resource.`,
    {
      origin: "gateway",
    },
  );
}

export function invalidRequestContent(reason: string): ArmError {
  return new ArmError(
    400,
    "InvalidRequestContent",
    `The request content was invalid and could not be deserialized: '${reason}'.`,
    { origin: "gateway" },
  );
}

export function locationNotAvailable(location: string, resourceType: string, available: string[]): ArmError {
  return new ArmError(
    400,
    "LocationNotAvailableForResourceType",
    `The provided location '${location}' is not available for resource type '${resourceType}'. List of available regions for the resource type is '${available.join(",").toLowerCase().replace(/ /g, "")}'.`,
    { origin: "gateway" },
  );
}

export function invalidResourceLocation(id: string, existing: string, requested: string): ArmError {
  return new ArmError(
    409,
    "InvalidResourceLocation",
    `The resource '${id}' already exists in location '${existing}'. A resource with the same name cannot be created in location '${requested}'. Please select a new resource name.`,
    { origin: "gateway" },
  );
}

export function cannotDeleteResource(nestedIds: string[]): ArmError {
  return new ArmError(
    409,
    "CannotDeleteResource",
    `Cannot delete resource while nested resources exist. Some existing nested resource IDs include: '${nestedIds.slice(0, 5).join(", ")}'. Please delete all nested resources before deleting this resource.`,
    { origin: "gateway" },
  );
}

export function invalidResourceGroupName(name: string): ArmError {
  return new ArmError(
    400,
    "InvalidResourceGroup",
    `The provided resource group name '${name}' has these invalid characters: '${name.replace(/[-\w._()]/g, "")}'. The name can only be a letter, digit, '-', '.', '(', ')' or '_'.`,
    { origin: "gateway" },
  );
}

// Compute RP -----------------------------------------------------------------------------------

export function invalidParameter(message: string, target?: string): ArmError {
  return new ArmError(
    400,
    "InvalidParameter",
    message,
    target === undefined ? { origin: "compute" } : { origin: "compute", target },
  );
}

export function operationNotAllowed(message: string): ArmError {
  return new ArmError(409, "OperationNotAllowed", message, { origin: "compute" });
}

export function computeConflict(message: string): ArmError {
  return new ArmError(409, "Conflict", message, { origin: "compute" });
}

/** The Compute RP's own 404 (consumer views, operation status), distinct from the gateway's. */
export function computeNotFound(target?: string): ArmError {
  return new ArmError(
    404,
    "NotFound",
    "The entity was not found in this Azure location.",
    target === undefined ? { origin: "compute" } : { origin: "compute", target },
  );
}

// Authorization RP -----------------------------------------------------------------------------

export function authorizationError(status: number, code: string, message: string): ArmError {
  return new ArmError(status, code, message, { origin: "authorization" });
}

/**
 * A role assignment for a principal the scope's directory does not hold (or not yet: Entra ID
 * replicates new principals with a delay). ARM writes the object id without dashes.
 */
export function principalNotFound(principalId: string, tenantId: string): ArmError {
  return authorizationError(
    400,
    "PrincipalNotFound",
    `Principal ${principalId.replace(/-/g, "").toLowerCase()} does not exist in the directory ${tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
  );
}
