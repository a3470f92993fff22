// GET .../locations/{l}/capsOperations/{id}: the status URL answers `{startTime,status,name}`
// while running and adds `endTime` when done (docs/arm-behaviour.md#operation-status); the monitor URL (`monitor=true`)
// answers 202 while running and 200 with an empty body once succeeded. Both cost a
// GetOperationStatus unit (SG #63).
import { formatArmTime } from "../clock.js";
import { ArmError, computeNotFound } from "../errors.js";
import { computeResponse, emptyResponse } from "../http/response.js";
import { defined } from "../json.js";
import type { OperationRecord } from "../state/model.js";
import { type ArmHandler, param, queryValue } from "./context.js";

export function operationStatusBody(operation: OperationRecord): Record<string, unknown> {
  return defined({
    startTime: formatArmTime(operation.startAt),
    endTime: operation.endAt !== undefined ? formatArmTime(operation.endAt) : undefined,
    status: operation.status,
    error: operation.error ? { ...operation.error } : undefined,
    name: operation.id,
  });
}

export const getOperationStatus: ArmHandler = (ctx) => {
  ctx.enterCompute("GetOperationStatus");
  const operation = ctx.core.store.operations.get(param(ctx, "operation").toLowerCase());
  if (!operation || operation.subscriptionId.toLowerCase() !== param(ctx, "sub").toLowerCase()) {
    throw computeNotFound();
  }
  if (queryValue(ctx, "monitor")?.toLowerCase() !== "true")
    return computeResponse(200, operationStatusBody(operation));
  switch (operation.status) {
    case "InProgress":
      return emptyResponse(202, [
        ["location", ctx.core.signer.urls(ctx.baseUrl, operation, ctx.now).monitor],
      ]);
    case "Succeeded":
      return emptyResponse(200);
    default: {
      const error = operation.error ?? { code: "OperationCanceled", message: "The operation was canceled." };
      throw new ArmError(409, error.code, error.message, { origin: "compute" });
    }
  }
};
