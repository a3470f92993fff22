// Someone else changing Azure behind the operator's back, through ARM like anyone would: an Azure
// Policy "modify" effect that keeps putting a tag back, a colleague removing a share or adding a
// role assignment, a resource deleted by hand. Its token carries its own object id, so the
// simulator's log keeps its requests apart from the operator's.
import { READER_ROLE_ID, type Simulator } from "../../tools/sim/index.js";
import { armRequest, type RawResponse } from "../support/sim.js";

export const OUTSIDER_OID = "chaos-outsider";
const API = "2023-07-03";
const AUTH_API = "2022-04-01";

export const POLICY_TAG = { key: "CostCenter", value: "cc-4242" } as const;

const succeeded = (answer: RawResponse) => answer.status >= 200 && answer.status < 300;

export class Outsider {
  private readonly sim: Simulator;
  private readonly tenantId: string;

  constructor(sim: Simulator, tenantId: string) {
    this.sim = sim;
    this.tenantId = tenantId;
  }

  /**
   * One ARM call. The schedule's faults hit everyone on their paths, the outsider too: a dropped
   * connection (the simulator drops before it acts) comes back as status 0, a write that did not
   * happen, as for a colleague whose request failed.
   */
  private call(method: string, path: string, body?: unknown): Promise<RawResponse> {
    const query = path.includes("roleAssignments") ? AUTH_API : API;
    return armRequest(this.sim, {
      method,
      path: `${path}?api-version=${query}`,
      identity: { tenantId: this.tenantId, objectId: OUTSIDER_OID },
      ...(body === undefined ? {} : { body }),
    }).catch((err: unknown) => ({ status: 0, headers: {}, headerNames: [], body: String(err) }));
  }

  /**
   * The policy's modify effect: when the gallery lacks the tag, PUT it back with everything else as
   * read. Returns whether it wrote.
   */
  async enforceTag(galleryId: string): Promise<boolean> {
    const read = await this.call("GET", galleryId);
    if (read.status !== 200) return false;
    const gallery = JSON.parse(read.body) as {
      location: string;
      tags?: Record<string, string>;
      properties?: { description?: string };
    };
    if (gallery.tags?.[POLICY_TAG.key] === POLICY_TAG.value) return false;
    const written = await this.call("PUT", galleryId, {
      location: gallery.location,
      tags: { ...gallery.tags, [POLICY_TAG.key]: POLICY_TAG.value },
      properties: gallery.properties?.description ? { description: gallery.properties.description } : {},
    });
    return succeeded(written);
  }

  /** Removes a direct share; returns the operation id ARM started, if it accepted. */
  async unshare(galleryId: string, subscription: string): Promise<string | undefined> {
    const answer = await this.call("POST", `${galleryId}/share`, {
      operationType: "Remove",
      groups: [{ type: "Subscriptions", ids: [subscription] }],
    });
    if (!succeeded(answer)) return undefined;
    return /capsOperations\/([^?]+)/i.exec(answer.headers["azure-asyncoperation"] ?? "")?.[1];
  }

  async delete(resourceId: string): Promise<boolean> {
    return succeeded(await this.call("DELETE", resourceId));
  }

  /** A Reader assignment for `principal` at the gallery's scope; returns its lower-case id. */
  async assignReader(galleryId: string, name: string, principal: string): Promise<string | undefined> {
    const id = `${galleryId}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    const subscription = galleryId.split("/")[2];
    const answer = await this.call("PUT", id, {
      properties: {
        roleDefinitionId: `/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${READER_ROLE_ID}`,
        principalId: principal,
        principalType: "User",
      },
    });
    return succeeded(answer) ? id.toLowerCase() : undefined;
  }
}
