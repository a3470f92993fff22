// The guardrails on an ImageVersion: which regions it may replicate to, and how many replicas.
import type { ImageVersionSpec, TargetRegion } from "../../api/index.js";
import { allowListRule, celRule, type Rule } from "./rule.js";

/** Replicas in one region: its own count, else the version's. */
const CEL_REPLICAS = "(has(x.regionalReplicaCount) ? x.regionalReplicaCount : object.spec.replicaCount)";

function replicas(spec: ImageVersionSpec, region: TargetRegion): number {
  return region.regionalReplicaCount ?? spec.replicaCount;
}

export const imageVersionRules: Rule<ImageVersionSpec>[] = [
  allowListRule<ImageVersionSpec, TargetRegion>({
    id: "regions.allowed",
    noun: "target region",
    allowed: (p) => p.regions?.allowed,
    items: (spec) => spec.targetRegions,
    key: (r) => r.name,
    celItems: "object.spec.targetRegions",
    celKey: "x.name",
  }),
  {
    id: "regions.maxReplicasPerRegion",
    check(spec, policy) {
      const max = policy.regions?.maxReplicasPerRegion;
      if (max === undefined) return undefined;
      const over = spec.targetRegions.filter((r) => replicas(spec, r) > max);
      if (over.length === 0) return undefined;
      return `more than ${max} replicas in a region: ${over.map((r) => `${r.name} (${replicas(spec, r)})`).join(", ")}`;
    },
    cel: {
      passes: celRule(
        "regions.maxReplicasPerRegion",
        `object.spec.targetRegions.all(x, ${CEL_REPLICAS} <= params.spec.regions.maxReplicasPerRegion)`,
      ),
      message: [
        "'more than ' + string(params.spec.regions.maxReplicasPerRegion) + ' replicas in a region: '",
        `object.spec.targetRegions.filter(x, ${CEL_REPLICAS} > params.spec.regions.maxReplicasPerRegion)` +
          `.map(x, x.name + ' (' + string(${CEL_REPLICAS}) + ')').join(', ')`,
      ].join(" + "),
    },
  },
];
