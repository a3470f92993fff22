// Lists that page: when a list holds more than `listPageSize` items the answer carries the first
// page and a `nextLink` to the rest, as the REST spec's list operations define
// (docs/arm-behaviour.md#gallery-body; the recorded lists were short and had no nextLink).
import type { ArmContext } from "./context.js";
import { queryValue } from "./context.js";

/** The page of `all` the request asks for (`$skiptoken`), with a `nextLink` when more follow. */
export function listPage<T>(ctx: ArmContext, all: readonly T[]): { value: T[]; nextLink?: string } {
  const size = ctx.core.options.listPageSize;
  const skip = Math.max(0, Number.parseInt(queryValue(ctx, "$skiptoken") ?? "0", 10) || 0);
  const value = all.slice(skip, skip + size);
  if (skip + size >= all.length) return { value };
  const query = new URLSearchParams(ctx.query);
  query.set("$skiptoken", String(skip + size));
  return { value, nextLink: `${ctx.baseUrl}${ctx.path}?${query}` };
}
