// The URLs a long-running operation hands out in `azure-asyncoperation` and `location`. Like
// the 2024 RP they are signed: query keys `api-version,t,c,s,h` for the status URL and
// `monitor,api-version,t,c,s,h` for the monitor URL, sharing `c` (the signing certificate) but
// each with its own `t`, `s` and `h` (docs/arm-behaviour.md#operation-urls). Clients must treat them as opaque.
import { createHash, type KeyObject, sign } from "node:crypto";
import { dotnetTicks } from "../clock.js";
import type { OperationRecord } from "../state/model.js";

export interface OperationUrls {
  status: string;
  monitor: string;
}

export class OperationUrlSigner {
  private readonly certificate: string;

  constructor(
    certificateDer: Buffer,
    private readonly key: KeyObject,
  ) {
    this.certificate = certificateDer.toString("base64url");
  }

  /** Both URLs of `operation`, rooted at `baseUrl` (the simulator's own https origin). */
  urls(baseUrl: string, operation: OperationRecord, now: number): OperationUrls {
    const path = `/subscriptions/${operation.subscriptionId}/providers/Microsoft.Compute/locations/${operation.location}/capsOperations/${operation.id}`;
    const apiVersion = encodeURIComponent(operation.apiVersion);
    const ticks = dotnetTicks(now);
    // The monitor URL is signed a tick later, so its t, s and h differ from the status URL's.
    const monitorTicks = (BigInt(ticks) + 1n).toString();
    return {
      status: `${baseUrl}${path}?api-version=${apiVersion}&${this.signature(path, ticks, false)}`,
      monitor: `${baseUrl}${path}?monitor=true&api-version=${apiVersion}&${this.signature(path, monitorTicks, true)}`,
    };
  }

  private signature(path: string, ticks: string, monitor: boolean): string {
    const payload = `${path}|${ticks}|${monitor ? "monitor" : "status"}`;
    const s = sign("sha256", Buffer.from(payload), this.key).toString("base64url");
    const h = createHash("sha256").update(payload).digest("base64url");
    return `t=${ticks}&c=${this.certificate}&s=${s}&h=${h}`;
  }
}
