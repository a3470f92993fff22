// The operator's reading of the GalleryPolicies: what they forbid about an object now, and which
// identity acts for its namespace. Pure over a PolicyView (the live one is PolicyCache), so every
// combination is testable without a cluster.
import type { GalleryPolicy } from "../api/index.js";
import { countViolations, type Peers } from "./counts.js";
import {
  type CredentialSettings,
  type ResolvedIdentity,
  resolveCredential,
  type SecretState,
} from "./credential.js";
import { chooseIdentity } from "./identity.js";
import { rulesFor } from "./rules/index.js";
import type { PolicySubject, Violation } from "./subject.js";

/** What a namespace gets when no GalleryPolicy covers it (`--default-policy`). */
export type DefaultPolicy = "allow" | "deny";

/** The policies and credential Secrets as currently known. */
export interface PolicyView {
  /** The policies whose namespaceSelector matches `namespace`'s labels, sorted by name. */
  covering(namespace: string): readonly GalleryPolicy[];
  secret(name: string): SecretState;
}

export interface EngineSettings extends CredentialSettings {
  defaultPolicy: DefaultPolicy;
}

export class PolicyEngine {
  constructor(
    private readonly view: PolicyView,
    private readonly settings: EngineSettings,
  ) {}

  /**
   * Everything the policies covering `subject`'s namespace forbid about it now.
   *
   * How policies combine (docs/policy.md): each covering policy must allow the object, so the
   * most restrictive wins: allowed lists intersect, the lowest cap and count apply, community is
   * allowed only if no policy forbids it. A namespace no policy covers gets the operator default.
   * An identity that cannot be used (conflicting policies, a Secret missing) is a violation too:
   * the objects must not fall back to another identity.
   *
   * Guarantees: one entry per (policy, rule) broken, in policy-name order; `remedy` is set only for
   * share rules of `enforcement: Remediate` policies.
   */
  violations(subject: PolicySubject, peers: Peers): Violation[] {
    const namespace = subject.metadata.namespace ?? "";
    const covering = this.view.covering(namespace);
    if (covering.length === 0) {
      return this.settings.defaultPolicy === "deny"
        ? [
            {
              policy: "",
              rule: "defaultPolicy",
              message:
                `no GalleryPolicy covers namespace ${namespace}, and the operator denies uncovered namespaces ` +
                `(--default-policy deny); ask a platform admin to create a GalleryPolicy whose namespaceSelector ` +
                "matches this namespace (docs/policy.md)",
            },
          ]
        : [];
    }
    const out: Violation[] = [];
    const identity = this.identity(namespace);
    if (!identity.ok) out.push({ policy: identity.policy, rule: "identity", message: identity.problem });
    for (const policy of covering) {
      const remediate = policy.spec.enforcement === "Remediate";
      for (const rule of rulesFor(subject.kind)) {
        const message = rule.check(subject.spec, policy.spec);
        if (message === undefined) continue;
        const remedy = remediate ? rule.remedy : undefined;
        out.push({
          policy: policy.metadata.name,
          rule: rule.id,
          message,
          ...(remedy ? { remedy: (spec: object) => remedy(spec, policy.spec) } : {}),
        });
      }
      for (const [rule, message] of countViolations(subject, policy.spec, peers)) {
        out.push({ policy: policy.metadata.name, rule, message });
      }
    }
    return out;
  }

  /** The identity (and credential) for objects in `namespace`. */
  identity(namespace: string): ResolvedIdentity {
    const choice = chooseIdentity(this.view.covering(namespace));
    return resolveCredential(choice, (name) => this.view.secret(name), this.settings);
  }
}
