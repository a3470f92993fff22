// The ARM URL space the simulator serves. Literal segments match case-insensitively, as in ARM;
// `:name` segments capture path parameters. Authorization routes sit under any scope, so they are
// matched by locating `providers/Microsoft.Authorization` instead.
import type { CallClass } from "../options.js";
import { type ApiType, GALLERY_API_VERSIONS } from "./api-versions.js";
import { communityArtifacts, getCommunityGallery } from "./community-galleries.js";
import type { ArmHandler } from "./context.js";
import {
  deleteGallery,
  getGallery,
  listGalleriesInResourceGroup,
  listGalleriesInSubscription,
  putGallery,
} from "./galleries.js";
import { deleteImage, getImage, listImages, putImage } from "./images.js";
import { getOperationStatus } from "./operation-status.js";
import { patchGallery, patchImage, patchVersion } from "./patch.js";
import { getResourceGroup, headResourceGroup, putResourceGroup } from "./resource-groups.js";
import {
  deleteRoleAssignment,
  getRoleAssignment,
  listRoleAssignments,
  putRoleAssignment,
} from "./role-assignments.js";
import { getRoleDefinition, listRoleDefinitions } from "./role-definitions.js";
import { shareGallery } from "./share.js";
import { getSharedGallery, listSharedGalleries, sharedArtifacts } from "./shared-galleries.js";
import { getSubscription, listSubscriptions } from "./subscriptions.js";
import { deleteVersion, getVersion, listVersions, putVersion } from "./versions.js";

interface Route {
  method: string;
  segments: string[];
  handler: ArmHandler;
  /** Which `latencyMs` class its calls belong to. */
  callClass: CallClass;
  /** The resource type whose api-versions apply; undefined: any well-formed version. */
  apiType?: ApiType;
}

export interface RouteMatch {
  handler: ArmHandler;
  params: Record<string, string>;
  callClass: CallClass;
  apiType?: ApiType;
}

export type RouteResult =
  | { kind: "matched"; match: RouteMatch }
  | { kind: "wrongMethod" }
  | { kind: "unknown" };

const RG = "subscriptions/:sub/resourcegroups/:rg";
const GALLERY = `${RG}/providers/microsoft.compute/galleries/:gallery`;
const IMAGE = `${GALLERY}/images/:image`;
const LOCATION = "subscriptions/:sub/providers/microsoft.compute/locations/:location";
const SHARED = `${LOCATION}/sharedgalleries/:unique`;
const COMMUNITY = `${LOCATION}/communitygalleries/:publicName`;

function classOf(method: string, pattern: string): CallClass {
  if (method === "DELETE") return "delete";
  if (method === "GET" || method === "HEAD") return pattern.includes("capsoperations") ? "poll" : "read";
  return "write";
}

const gallery = (name: string): ApiType => ({ name, supported: GALLERY_API_VERSIONS });
const GALLERIES = gallery("galleries");
const IMAGES = gallery("galleries/images");
const VERSIONS = gallery("galleries/images/versions");
const SHARED_TYPE = gallery("locations/sharedGalleries");
const COMMUNITY_TYPE = gallery("locations/communityGalleries");

const TABLE: [string, string, ArmHandler, ApiType?][] = [
  ["GET", "subscriptions", listSubscriptions],
  ["GET", "subscriptions/:sub", getSubscription],
  ["PUT", RG, putResourceGroup],
  ["GET", RG, getResourceGroup],
  ["HEAD", RG, headResourceGroup],
  ["GET", "subscriptions/:sub/providers/microsoft.compute/galleries", listGalleriesInSubscription, GALLERIES],
  ["GET", `${RG}/providers/microsoft.compute/galleries`, listGalleriesInResourceGroup, GALLERIES],
  ["PUT", GALLERY, putGallery, GALLERIES],
  ["GET", GALLERY, getGallery, GALLERIES],
  ["PATCH", GALLERY, patchGallery, GALLERIES],
  ["DELETE", GALLERY, deleteGallery, GALLERIES],
  ["POST", `${GALLERY}/share`, shareGallery, GALLERIES],
  ["GET", `${GALLERY}/images`, listImages, IMAGES],
  ["PUT", IMAGE, putImage, IMAGES],
  ["GET", IMAGE, getImage, IMAGES],
  ["PATCH", IMAGE, patchImage, IMAGES],
  ["DELETE", IMAGE, deleteImage, IMAGES],
  ["GET", `${IMAGE}/versions`, listVersions, VERSIONS],
  ["PUT", `${IMAGE}/versions/:version`, putVersion, VERSIONS],
  ["GET", `${IMAGE}/versions/:version`, getVersion, VERSIONS],
  ["PATCH", `${IMAGE}/versions/:version`, patchVersion, VERSIONS],
  ["DELETE", `${IMAGE}/versions/:version`, deleteVersion, VERSIONS],
  ["GET", `${LOCATION}/capsoperations/:operation`, getOperationStatus],
  ["GET", `${LOCATION}/sharedgalleries`, listSharedGalleries, SHARED_TYPE],
  ["GET", SHARED, getSharedGallery, SHARED_TYPE],
  ["GET", `${SHARED}/images`, sharedArtifacts.listImages, SHARED_TYPE],
  ["GET", `${SHARED}/images/:image`, sharedArtifacts.getImage, SHARED_TYPE],
  ["GET", `${SHARED}/images/:image/versions`, sharedArtifacts.listVersions, SHARED_TYPE],
  ["GET", `${SHARED}/images/:image/versions/:version`, sharedArtifacts.getVersion, SHARED_TYPE],
  ["GET", `${COMMUNITY}`, getCommunityGallery, COMMUNITY_TYPE],
  ["GET", `${COMMUNITY}/images`, communityArtifacts.listImages, COMMUNITY_TYPE],
  ["GET", `${COMMUNITY}/images/:image`, communityArtifacts.getImage, COMMUNITY_TYPE],
  ["GET", `${COMMUNITY}/images/:image/versions`, communityArtifacts.listVersions, COMMUNITY_TYPE],
  ["GET", `${COMMUNITY}/images/:image/versions/:version`, communityArtifacts.getVersion, COMMUNITY_TYPE],
];

/** Routes grouped by segment count, so a request is compared only with routes of its length. */
const ROUTES_BY_LENGTH = new Map<number, Route[]>();
for (const [method, pattern, handler, apiType] of TABLE) {
  const segments = pattern.split("/");
  const route: Route = { method, segments, handler, callClass: classOf(method, pattern), apiType };
  const list = ROUTES_BY_LENGTH.get(segments.length) ?? [];
  list.push(route);
  ROUTES_BY_LENGTH.set(segments.length, list);
}

function matchSegments(route: Route, segments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const expected = route.segments[i] ?? "";
    const actual = segments[i] ?? "";
    if (expected.startsWith(":")) {
      if (actual === "") return undefined;
      params[expected.slice(1)] = actual;
    } else if (expected !== actual.toLowerCase()) {
      return undefined;
    }
  }
  return params;
}

const AUTHORIZATION: Record<string, Record<string, ArmHandler>> = {
  roleassignments: { GET: listRoleAssignments },
  "roleassignments/:name": { GET: getRoleAssignment, PUT: putRoleAssignment, DELETE: deleteRoleAssignment },
  roledefinitions: { GET: listRoleDefinitions },
  "roledefinitions/:name": { GET: getRoleDefinition },
};

function matchAuthorization(method: string, segments: string[]): RouteResult | undefined {
  let at = -1;
  for (let i = segments.length - 2; i >= 0; i--) {
    if (
      segments[i]?.toLowerCase() === "providers" &&
      segments[i + 1]?.toLowerCase() === "microsoft.authorization"
    ) {
      at = i;
      break;
    }
  }
  if (at < 0) return undefined;
  const rest = segments.slice(at + 2);
  const key = rest.length === 2 ? `${rest[0]?.toLowerCase()}/:name` : (rest[0]?.toLowerCase() ?? "");
  const handlers = rest.length <= 2 ? AUTHORIZATION[key] : undefined;
  if (!handlers) return { kind: "unknown" };
  const handler = handlers[method];
  if (!handler) return { kind: "wrongMethod" };
  const params: Record<string, string> = { scope: `/${segments.slice(0, at).join("/")}` };
  if (rest.length === 2) params.name = rest[1] ?? "";
  return { kind: "matched", match: { handler, params, callClass: classOf(method, "") } };
}

/** Finds the handler for a method and decoded path segments (no leading empty segment). */
export function route(method: string, segments: string[]): RouteResult {
  const authorization = matchAuthorization(method, segments);
  if (authorization) return authorization;
  let pathMatched = false;
  for (const candidate of ROUTES_BY_LENGTH.get(segments.length) ?? []) {
    const params = matchSegments(candidate, segments);
    if (!params) continue;
    if (candidate.method === method) {
      return {
        kind: "matched",
        match: {
          handler: candidate.handler,
          params,
          callClass: candidate.callClass,
          apiType: candidate.apiType,
        },
      };
    }
    pathMatched = true;
  }
  return pathMatched ? { kind: "wrongMethod" } : { kind: "unknown" };
}
