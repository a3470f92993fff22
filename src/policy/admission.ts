// The apply-time half of GalleryPolicy: one ValidatingAdmissionPolicy (+ binding) per kind with
// guardrails, built from the same rules the operator checks (rules/). Each policy takes every
// GalleryPolicy as its parameter (`paramRef.selector: {}`), so the API server evaluates an object
// against each of them and every one must allow it: the most restrictive wins, as in the operator.
import { API_VERSION, CLUSTER_KINDS, GROUP, KINDS, VERSION } from "../api/index.js";
import { RULES, type Rule, type RulesByKind } from "./rules/index.js";
import { CEL_NAMESPACE_LABELS, CEL_SELECTOR_MATCHES } from "./selector.js";

type GuardedKind = keyof RulesByKind;

/** The name of the admission policy and binding for `kind`, e.g. `gallerypolicy-galleries.gallery.azure.dev`. */
export function admissionPolicyName(kind: GuardedKind): string {
  return `gallerypolicy-${KINDS[kind].plural}.${GROUP}`;
}

/**
 * The ValidatingAdmissionPolicy for one kind.
 *
 * Guarantees:
 * - A GalleryPolicy whose namespaceSelector does not match the object's namespace says nothing
 *   (checked in CEL: a binding's namespaceSelector is one static selector, not one per policy).
 * - Only creates and spec changes are judged: the operator's finalizer and status writes, and
 *   deletes, always pass, so an object a tightened policy forbids can still be cleaned up.
 * - A denial reads `GalleryPolicy <name> (<rule>): <what>`, the words the operator uses in status.
 * Caveats: counting rules (maxPerNamespace, maxPerDefinition) and `--default-policy deny` are the
 * operator's alone: CEL sees one object and one policy at a time.
 */
export function validatingAdmissionPolicy(kind: GuardedKind): Record<string, unknown> {
  const rules: readonly { id: string; cel: Rule<never>["cel"] }[] = RULES[kind];
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: admissionPolicyName(kind) },
    spec: {
      failurePolicy: "Fail",
      paramKind: { apiVersion: API_VERSION, kind: CLUSTER_KINDS.GalleryPolicy.kind },
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: [GROUP],
            apiVersions: [VERSION],
            operations: ["CREATE", "UPDATE"],
            resources: [KINDS[kind].plural],
          },
        ],
      },
      matchConditions: [
        {
          name: "creates-and-spec-changes",
          expression: "request.operation == 'CREATE' || object.spec != oldObject.spec",
        },
      ],
      variables: [
        { name: "labels", expression: CEL_NAMESPACE_LABELS },
        { name: "covered", expression: CEL_SELECTOR_MATCHES },
      ],
      validations: rules.map((rule) => ({
        expression: `!variables.covered || (${rule.cel.passes})`,
        messageExpression: `'GalleryPolicy ' + params.metadata.name + ' (${rule.id}): ' + ${rule.cel.message}`,
        message: `forbidden by a GalleryPolicy (${rule.id})`,
        reason: "Forbidden",
      })),
    },
  };
}

/**
 * The binding: every GalleryPolicy is a parameter. With none at all nothing is enforced at apply
 * time (`parameterNotFoundAction: Allow`); the operator still applies `--default-policy`.
 */
export function validatingAdmissionPolicyBinding(kind: GuardedKind): Record<string, unknown> {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: admissionPolicyName(kind) },
    spec: {
      policyName: admissionPolicyName(kind),
      paramRef: { selector: {}, parameterNotFoundAction: "Allow" },
      validationActions: ["Deny"],
    },
  };
}

/** Every admission object, policy then binding, kind by kind. */
export function admissionObjects(): Record<string, unknown>[] {
  return (Object.keys(RULES) as GuardedKind[]).flatMap((kind) => [
    validatingAdmissionPolicy(kind),
    validatingAdmissionPolicyBinding(kind),
  ]);
}
