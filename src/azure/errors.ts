// The one ARM error classifier. Whatever failed (an HTTP answer from ARM, a socket, the token
// source, a long-running operation that ended badly), callers get an ArmError whose `kind`
// says what to do next and whose `code`/`message` are ARM's own words for the user.
import { isRestError, type RestError } from "@azure/core-rest-pipeline";
import { retryAfterMs } from "./retry-after.js";

/**
 * What the caller should do:
 * - NotFound: ARM said the resource is absent (`ResourceNotFound`, `NotFound`, or
 *   `ParentResourceNotFound` for a nested resource whose parent is gone); "create it" or "gone".
 * - Inaccessible: ARM would not say whether the resource exists, because the subscription or
 *   resource group it lives in is not visible to this identity (404 `SubscriptionNotFound`,
 *   `ResourceGroupNotFound`, or any 404 whose code is not one of NotFound's); never "gone".
 * - Throttled: ARM or our own budget said slow down; requeue after `retryAfterMs`.
 * - Retryable: a transient failure (5xx, network); retry with backoff.
 * - UserError: ARM rejected the request as asked; tell the user `code` and `message`.
 * - Conflict: another operation or state holds the resource (409/412); retry later.
 * - Auth: the identity could not get a token or lacks permission (401/403).
 * - Unknown: none of the above; treat like Retryable with a longer backoff.
 */
export type ArmErrorKind =
  | "NotFound"
  | "Inaccessible"
  | "Throttled"
  | "Retryable"
  | "UserError"
  | "Conflict"
  | "Auth"
  | "Unknown";

export interface ArmErrorDetail {
  code: string;
  message: string;
  target?: string;
}

export interface ArmErrorInit {
  kind: ArmErrorKind;
  code: string;
  message: string;
  status?: number;
  retryAfterMs?: number;
  target?: string;
  details?: ArmErrorDetail[];
  cause?: unknown;
}

export class ArmError extends Error {
  override name = "ArmError";
  readonly kind: ArmErrorKind;
  readonly code: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly target: string | undefined;
  readonly details: readonly ArmErrorDetail[];

  constructor(init: ArmErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.code = init.code;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.target = init.target;
    this.details = init.details ?? [];
  }

  /** True for the kinds a retry can fix without anyone changing anything. */
  get transient(): boolean {
    return this.kind === "Throttled" || this.kind === "Retryable" || this.kind === "Conflict";
  }

  // Why: the cause may be a RestError holding the request; logs get the classification only.
  toJSON(): Omit<ArmErrorInit, "cause"> {
    return {
      kind: this.kind,
      code: this.code,
      message: this.message,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      target: this.target,
      details: [...this.details],
    };
  }
}

const THROTTLE_CODES = new Set([
  "toomanyrequests",
  "subscriptionrequeststhrottled",
  "tenantrequeststhrottled",
]);

/**
 * The only 404 codes that mean "it is not there" (docs/azure.md, "Errors"): the gateway's
 * `ResourceNotFound`, the Compute RP's `NotFound`, a nested resource's `ParentResourceNotFound`
 * (the parent is gone, so the child is too), the Authorization RP's `RoleAssignmentNotFound`.
 * Any other 404 (`SubscriptionNotFound` after a subscription moved tenants, `ResourceGroupNotFound`
 * for the group a spec names, a proxy's bare 404) says nothing about the resource itself.
 */
const GONE_CODES = new Set([
  "resourcenotfound",
  "notfound",
  "parentresourcenotfound",
  "roleassignmentnotfound",
]);

// Codes of failed long-running operations, which carry no HTTP status of their own.
const KIND_BY_CODE: Record<string, ArmErrorKind> = {
  ...Object.fromEntries([...GONE_CODES].map((code) => [code, "NotFound" as const])),
  subscriptionnotfound: "Inaccessible",
  resourcegroupnotfound: "Inaccessible",
  toomanyrequests: "Throttled",
  subscriptionrequeststhrottled: "Throttled",
  internalservererror: "Retryable",
  internalexecutionerror: "Retryable",
  internaloperationerror: "Retryable",
  serviceunavailable: "Retryable",
  gatewaytimeout: "Retryable",
  servertimeout: "Retryable",
  requesttimeout: "Retryable",
  operationpreempted: "Retryable",
  retryableerror: "Retryable",
  conflict: "Conflict",
  anotheroperationinprogress: "Conflict",
  authorizationfailed: "Auth",
  linkedauthorizationfailed: "Auth",
  invalidauthenticationtoken: "Auth",
  invalidauthenticationtokentenant: "Auth",
  authenticationfailed: "Auth",
};

const IDENTITY_ERRORS = new Set([
  "CredentialUnavailableError",
  "AuthenticationError",
  "AggregateAuthenticationError",
  "AuthenticationRequiredError",
]);

const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ESOCKETTIMEDOUT",
  "REQUEST_SEND_ERROR",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

// Certificate failures: the endpoint is not who the CA list says; retrying soon will not help.
const TLS_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_UNTRUSTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

// core-lro folds a failed operation's `error` into this sentence; it is the only place it survives.
const LRO_FAILED = /^The long-running operation has failed(?:\. ([A-Za-z0-9_.-]+)\. ([\s\S]*))?$/;

/**
 * Turns anything thrown by an ARM call into an ArmError.
 *
 * Flow: an ArmError passes through; a RestError is judged by its HTTP status (429 → Throttled,
 * 404 → NotFound for the codes that mean absent (`GONE_CODES`) else Inaccessible, 409/412 →
 * Conflict, 401/403 → Auth, 408/5xx → Retryable, other 4xx → UserError), with a throttling
 * code anywhere in the body also meaning Throttled; a RestError without a status (the request
 * never got an answer) is Retryable, except a TLS certificate failure (Unknown: the CA
 * configuration must change); @azure/identity errors are Auth; a failed long-running operation is judged by its ARM code (unknown codes → UserError);
 * Node socket errors are Retryable; anything else is Unknown.
 * Guarantees: `code` and `message` are ARM's when ARM sent them; `retryAfterMs` is set whenever
 * the response carried Retry-After; the original error is the `cause`.
 * Caveats: NotFound includes `ParentResourceNotFound` (a nested resource's parent is gone):
 * branch on `code` where "the parent is missing" must differ from "it is missing".
 */
export function classifyArmError(err: unknown): ArmError {
  if (err instanceof ArmError) return err;
  if (isRestError(err)) return fromRestError(err);
  if (err instanceof Error) {
    if (IDENTITY_ERRORS.has(err.name)) {
      return new ArmError({ kind: "Auth", code: err.name, message: err.message, cause: err });
    }
    const lro = LRO_FAILED.exec(err.message);
    if (lro) {
      const code = lro[1] ?? "OperationFailed";
      const kind = lro[1] ? (KIND_BY_CODE[code.toLowerCase()] ?? "UserError") : "Unknown";
      return new ArmError({ kind, code, message: lro[2] ?? err.message, cause: err });
    }
    const network = networkCode(err);
    if (network) return new ArmError({ kind: "Retryable", code: network, message: err.message, cause: err });
    if (err.name === "AbortError") {
      return new ArmError({ kind: "Retryable", code: "Aborted", message: err.message, cause: err });
    }
    return new ArmError({ kind: "Unknown", code: err.name || "Error", message: err.message, cause: err });
  }
  return new ArmError({ kind: "Unknown", code: "Unknown", message: String(err), cause: err });
}

function fromRestError(err: RestError): ArmError {
  const status = err.statusCode;
  const body = cloudError(err);
  const code = body.code ?? err.code ?? (status ? `Http${status}` : "RequestSendError");
  const throttledByCode = [code, ...body.details.map((d) => d.code)].some((c) =>
    THROTTLE_CODES.has(c.toLowerCase()),
  );
  const kind = throttledByCode ? "Throttled" : TLS_CODES.has(code) ? "Unknown" : kindOfStatus(status, code);
  return new ArmError({
    kind,
    code,
    message: body.message ?? err.message,
    status,
    retryAfterMs: retryAfterMs(err.response?.headers),
    target: body.target,
    details: body.details,
    cause: err,
  });
}

function kindOfStatus(status: number | undefined, code: string): ArmErrorKind {
  if (status === undefined) return "Retryable";
  if (status === 429) return "Throttled";
  // A 404 means absent only with a code that says so; otherwise ARM could not look.
  if (status === 404) return GONE_CODES.has(code.toLowerCase()) ? "NotFound" : "Inaccessible";
  if (status === 409 || status === 412) return "Conflict";
  if (status === 401 || status === 403) return "Auth";
  if (status === 408) return "Retryable";
  if (status >= 400 && status < 500) return "UserError";
  if (status === 501 || status === 505) return "Unknown";
  if (status >= 500) return "Retryable";
  return "Unknown";
}

interface CloudErrorBody {
  code?: string;
  message?: string;
  target?: string;
  details: ArmErrorDetail[];
}

/**
 * ARM's `{"error": {code, message, target, details}}`, wherever this RestError kept it: the
 * modular SDK puts it in `details`, core-client clients leave the text in `bodyAsText`, and
 * the LRO helpers keep neither (then only `err.code` and `err.message` are left).
 */
function cloudError(err: RestError): CloudErrorBody {
  const candidates: unknown[] = [err.details, parseJson(err.response?.bodyAsText)];
  for (const candidate of candidates) {
    const inner = record(record(candidate)?.error) ?? record(candidate);
    if (inner && typeof inner.code === "string") {
      return {
        code: inner.code,
        message: typeof inner.message === "string" ? inner.message : undefined,
        target: typeof inner.target === "string" ? inner.target : undefined,
        details: Array.isArray(inner.details) ? inner.details.flatMap(detail) : [],
      };
    }
  }
  return { details: [] };
}

function detail(value: unknown): ArmErrorDetail[] {
  const d = record(value);
  if (!d || typeof d.code !== "string") return [];
  return [
    {
      code: d.code,
      message: typeof d.message === "string" ? d.message : "",
      ...(typeof d.target === "string" ? { target: d.target } : {}),
    },
  ];
}

function networkCode(err: Error): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
  }
  return undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function parseJson(text: string | null | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
