import { createHttpHeaders, createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import { CredentialUnavailableError } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { ArmError, classifyArmError } from "../../../src/azure/errors.js";
import { retryAfterMs } from "../../../src/azure/retry-after.js";

function restError(
  status: number | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
  code?: string,
) {
  const request = createPipelineRequest({ url: "https://management.azure.com/x" });
  const bodyAsText = body === undefined ? undefined : JSON.stringify(body);
  const inner = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return new RestError(inner?.message ?? "failed", {
    statusCode: status,
    code: code ?? inner?.code,
    request,
    response:
      status === undefined
        ? undefined
        : { status, headers: createHttpHeaders(headers), request, ...(bodyAsText ? { bodyAsText } : {}) },
  });
}

describe("classifyArmError", () => {
  it("404 is NotFound with ARM's code and message", () => {
    const e = classifyArmError(
      restError(404, { error: { code: "ResourceNotFound", message: "The Resource 'x' was not found." } }),
    );
    expect(e).toBeInstanceOf(ArmError);
    expect(e).toMatchObject({
      kind: "NotFound",
      code: "ResourceNotFound",
      status: 404,
      message: "The Resource 'x' was not found.",
    });
  });

  it("404 means absent only for the codes that say so; any other 404 is Inaccessible, never gone", () => {
    const kindOf = (status: number, code?: string) =>
      classifyArmError(restError(status, code ? { error: { code, message: `${code}.` } } : undefined)).kind;
    for (const gone of ["ResourceNotFound", "NotFound", "ParentResourceNotFound", "RoleAssignmentNotFound"]) {
      expect(kindOf(404, gone), gone).toBe("NotFound");
    }
    for (const unknowable of ["SubscriptionNotFound", "ResourceGroupNotFound", "InvalidResourceType"]) {
      expect(kindOf(404, unknowable), unknowable).toBe("Inaccessible");
    }
    // A bare 404 (a proxy, not ARM) tells nothing either.
    expect(kindOf(404)).toBe("Inaccessible");
    expect(kindOf(401, "InvalidAuthenticationTokenTenant")).toBe("Auth");
    expect(kindOf(403, "LinkedAuthorizationFailed")).toBe("Auth");
    // A failed operation carries only its code.
    const lro = (code: string) =>
      classifyArmError(new Error(`The long-running operation has failed. ${code}. It failed.`)).kind;
    expect(lro("SubscriptionNotFound")).toBe("Inaccessible");
    expect(lro("ResourceNotFound")).toBe("NotFound");
  });

  it("429 is Throttled with Retry-After and the bucket from details", () => {
    const body = {
      error: {
        code: "OperationNotAllowed",
        message:
          "The server rejected the request because too many requests have been received for this subscription.",
        details: [{ code: "TooManyRequests", target: "CreateUpdateGallery3Min", message: "{}" }],
      },
    };
    const e = classifyArmError(restError(429, body, { "retry-after": "17" }));
    expect(e.kind).toBe("Throttled");
    expect(e.code).toBe("OperationNotAllowed");
    expect(e.retryAfterMs).toBe(17_000);
    expect(e.details[0]).toMatchObject({ code: "TooManyRequests", target: "CreateUpdateGallery3Min" });
    expect(e.transient).toBe(true);
  });

  it("a throttling code means Throttled whatever the status", () => {
    const e = classifyArmError(
      restError(400, { error: { code: "SubscriptionRequestsThrottled", message: "slow" } }),
    );
    expect(e.kind).toBe("Throttled");
  });

  it("400 is a UserError with the target", () => {
    const e = classifyArmError(
      restError(400, {
        error: {
          code: "InvalidParameter",
          message: "One and only one source type can be provided.",
          target: "galleryImageVersion.properties.storageProfile.source.id",
        },
      }),
    );
    expect(e).toMatchObject({
      kind: "UserError",
      code: "InvalidParameter",
      target: "galleryImageVersion.properties.storageProfile.source.id",
    });
    expect(e.transient).toBe(false);
  });

  it.each([
    [409, "Conflict"],
    [412, "Conflict"],
    [401, "Auth"],
    [403, "Auth"],
    [408, "Retryable"],
    [500, "Retryable"],
    [502, "Retryable"],
    [503, "Retryable"],
    [504, "Retryable"],
    [501, "Unknown"],
    [422, "UserError"],
  ] as const)("status %i is %s", (status, kind) => {
    expect(classifyArmError(restError(status, { error: { code: "X", message: "m" } })).kind).toBe(kind);
  });

  it("keeps Retry-After on a retryable 503", () => {
    const e = classifyArmError(
      restError(503, { error: { code: "ServerBusy", message: "busy" } }, { "retry-after": "3" }),
    );
    expect(e).toMatchObject({ kind: "Retryable", retryAfterMs: 3000 });
  });

  it("reads the body the modular SDK keeps in `details`", () => {
    const err = restError(409, undefined, {}, "Conflict");
    err.details = { error: { code: "AnotherOperationInProgress", message: "busy", target: "x" } };
    expect(classifyArmError(err)).toMatchObject({
      kind: "Conflict",
      code: "AnotherOperationInProgress",
      target: "x",
    });
  });

  it("falls back to an Http code when ARM sent no body", () => {
    expect(classifyArmError(restError(500))).toMatchObject({
      kind: "Retryable",
      code: "Http500",
      status: 500,
    });
  });

  it("network failures are Retryable", () => {
    expect(classifyArmError(restError(undefined, undefined, {}, "ECONNRESET"))).toMatchObject({
      kind: "Retryable",
      code: "ECONNRESET",
    });
    expect(classifyArmError(restError(undefined, undefined, {}, RestError.REQUEST_SEND_ERROR)).kind).toBe(
      "Retryable",
    );
    const socket = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(classifyArmError(socket)).toMatchObject({ kind: "Retryable", code: "ECONNRESET" });
    const wrapped = new Error("fetch failed", {
      cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
    });
    expect(classifyArmError(wrapped)).toMatchObject({ kind: "Retryable", code: "ECONNREFUSED" });
  });

  it("certificate failures are Unknown: retrying soon will not fix the CA", () => {
    expect(classifyArmError(restError(undefined, undefined, {}, "SELF_SIGNED_CERT_IN_CHAIN"))).toMatchObject({
      kind: "Unknown",
      code: "SELF_SIGNED_CERT_IN_CHAIN",
    });
  });

  it("identity errors are Auth", () => {
    expect(classifyArmError(new CredentialUnavailableError("no identity endpoint"))).toMatchObject({
      kind: "Auth",
      code: "CredentialUnavailableError",
    });
  });

  it("a failed long-running operation is judged by its ARM code", () => {
    const failed = new Error(
      "The long-running operation has failed. InternalExecutionError. An internal error. Try again.",
    );
    expect(classifyArmError(failed)).toMatchObject({
      kind: "Retryable",
      code: "InternalExecutionError",
      message: "An internal error. Try again.",
    });
    expect(
      classifyArmError(new Error("The long-running operation has failed. BadSource. No such image.")),
    ).toMatchObject({
      kind: "UserError",
      code: "BadSource",
    });
    expect(classifyArmError(new Error("The long-running operation has failed"))).toMatchObject({
      kind: "Unknown",
      code: "OperationFailed",
    });
  });

  it("passes ArmErrors through and never serializes the cause", () => {
    const e = classifyArmError(restError(404, { error: { code: "NotFound", message: "gone" } }));
    expect(classifyArmError(e)).toBe(e);
    const json = JSON.stringify(e);
    expect(json).not.toContain("management.azure.com");
    expect(JSON.parse(json)).toMatchObject({
      kind: "NotFound",
      code: "NotFound",
      message: "gone",
      status: 404,
    });
  });

  it("anything else is Unknown", () => {
    expect(classifyArmError("boom")).toMatchObject({ kind: "Unknown", message: "boom" });
    expect(classifyArmError(new TypeError("x is undefined"))).toMatchObject({
      kind: "Unknown",
      code: "TypeError",
    });
  });
});

describe("retryAfterMs", () => {
  const headers = (h: Record<string, string>) => createHttpHeaders(h);
  it("reads seconds, milliseconds and HTTP dates", () => {
    expect(retryAfterMs(headers({ "retry-after": "30" }))).toBe(30_000);
    expect(retryAfterMs(headers({ "retry-after-ms": "250" }))).toBe(250);
    expect(retryAfterMs(headers({ "x-ms-retry-after-ms": "1200", "retry-after": "9" }))).toBe(1200);
    const now = Date.parse("2024-08-26T09:52:00Z");
    expect(retryAfterMs(headers({ "retry-after": "Mon, 26 Aug 2024 09:52:20 GMT" }), now)).toBe(20_000);
    expect(retryAfterMs(headers({ "retry-after": "Mon, 26 Aug 2024 09:50:00 GMT" }), now)).toBe(0);
  });
  it("is undefined without a usable header", () => {
    expect(retryAfterMs(headers({}))).toBeUndefined();
    expect(retryAfterMs(headers({ "retry-after": "soon" }))).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
