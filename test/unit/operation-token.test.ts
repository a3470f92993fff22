// Which resume token belongs to the operation in status (docs/runtime.md, "Safe writes"): a token
// left by an earlier operation must never be resumed for a new intent, or a write that was never
// sent would pass for one that finished.
import { describe, expect, it } from "vitest";
import type { PendingOperation } from "../../src/api/index.js";
import type { ArmObject } from "../../src/reconcilers/driver/arm-kind.js";
import {
  acceptedAtOf,
  answerAnnotations,
  OPERATION_ACCEPTED_ANNOTATION,
  OPERATION_TOKEN_ANNOTATION,
  savedToken,
} from "../../src/reconcilers/driver/operation-token.js";

const intent: PendingOperation = {
  action: "CreateOrUpdate",
  intentId: "i-2",
  request: "create version 1.0.0",
  startedAt: "2026-12-07T10:00:00.000Z",
  generation: 1,
};
const token = '{"state":{"status":"running","config":{"requestMethod":"PUT"}}}';

function version(
  operation: PendingOperation | undefined,
  annotations: Record<string, string> = {},
): ArmObject {
  return {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "ImageVersion",
    metadata: { namespace: "team", name: "v", annotations },
    spec: { deletionPolicy: "Delete" },
    status: operation ? { operation } : {},
  };
}

describe("the saved answer of the operation in status", () => {
  it("is the token whose acceptance names the intent in status, accepted when it says", () => {
    const obj = version(
      intent,
      answerAnnotations({ intentId: "i-2", acceptedAt: "2026-12-07T10:00:00.400Z" }, token),
    );
    expect(savedToken(obj)).toBe(token);
    expect(acceptedAtOf(obj)).toBe("2026-12-07T10:00:00.400Z");
  });

  it("ignores a token an earlier intent's acceptance names", () => {
    const obj = version(
      intent,
      answerAnnotations({ intentId: "i-1", acceptedAt: "2026-12-07T09:00:00.000Z" }, token),
    );
    expect(savedToken(obj)).toBeUndefined();
    expect(acceptedAtOf(obj)).toBeUndefined();
  });

  it("ignores an acceptance that does not parse, and a token with no acceptance", () => {
    expect(
      savedToken(
        version(intent, { [OPERATION_TOKEN_ANNOTATION]: token, [OPERATION_ACCEPTED_ANNOTATION]: "i-2" }),
      ),
    ).toBeUndefined();
    expect(savedToken(version(intent, { [OPERATION_TOKEN_ANNOTATION]: token }))).toBeUndefined();
    expect(
      savedToken(version(undefined, answerAnnotations({ intentId: "i-2", acceptedAt: "x" }, token))),
    ).toBeUndefined();
  });

  it("is the annotation's token once status marks the operation accepted (polls, earlier versions)", () => {
    const obj = version(
      { ...intent, acceptedAt: "2026-12-07T10:00:01.000Z" },
      { [OPERATION_TOKEN_ANNOTATION]: token },
    );
    expect(savedToken(obj)).toBe(token);
    expect(acceptedAtOf(obj)).toBe("2026-12-07T10:00:01.000Z");
  });

  it("is status.operation.resumeToken where earlier versions kept it", () => {
    expect(savedToken(version({ ...intent, intentId: undefined, resumeToken: token }))).toBe(token);
  });
});
