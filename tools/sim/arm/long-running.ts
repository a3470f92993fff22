// Starting a long-running operation and answering its initial request the way the Compute RP
// does (docs/arm-behaviour.md#lro-headers): PUT → 201/200 with the resource body and only `azure-asyncoperation`;
// POST share and DELETE → 202 with an empty body, `azure-asyncoperation` and `location`.

import { computeResponse, emptyResponse, type SimResponse } from "../http/response.js";
import { regionRpSpelling } from "../regions.js";
import type { OperationKind, OperationRecord, ResourceKind } from "../state/model.js";
import type { ArmContext } from "./context.js";

export interface OperationRequest {
  kind: OperationKind;
  resource: ResourceKind;
  target: string;
  /** Region of the resource; the operation URL spells it the RP's way. */
  location: string;
  subscriptionId: string;
  /** Virtual time the operation completes. */
  dueAt: number;
  share?: OperationRecord["share"];
}

export function startOperation(ctx: ArmContext, request: OperationRequest): OperationRecord {
  const operation = ctx.core.engine.start({
    subscriptionId: request.subscriptionId,
    location: regionRpSpelling(request.location),
    apiVersion: ctx.apiVersion,
    kind: request.kind,
    resource: request.resource,
    target: request.target,
    startAt: ctx.now,
    dueAt: request.dueAt,
    ...(request.share ? { share: request.share } : {}),
  });
  ctx.core.changed();
  return operation;
}

/** 201 (created) or 200 (updated) with the body and the operation's status URL. */
export function putAccepted(
  ctx: ArmContext,
  status: 200 | 201,
  body: unknown,
  operation: OperationRecord,
): SimResponse {
  const urls = ctx.core.signer.urls(ctx.baseUrl, operation, ctx.now);
  return computeResponse(status, body, [["azure-asyncoperation", urls.status]]);
}

/** 202 with no body, the operation's status URL and its monitor URL. */
export function asyncAccepted(ctx: ArmContext, operation: OperationRecord): SimResponse {
  const urls = ctx.core.signer.urls(ctx.baseUrl, operation, ctx.now);
  return emptyResponse(202, [
    ["location", urls.monitor],
    ["azure-asyncoperation", urls.status],
  ]);
}
