// Which namespaces a GalleryPolicy covers: its namespaceSelector against a namespace's labels,
// written twice on purpose, once in TypeScript for the operator and once in CEL for the
// admission policies (a binding's own namespaceSelector is static, so each policy's selector has
// to be checked inside the expression). test/policy holds both to the same cases.
import type { LabelSelector } from "../api/index.js";

/**
 * Whether `labels` satisfy `selector`, with metav1.LabelSelector semantics: every matchLabels
 * entry and every matchExpressions requirement must hold; an empty selector matches everything.
 */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const has = (key: string) => Object.hasOwn(labels, key);
  const labelsMatch = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => has(k) && labels[k] === v);
  return (
    labelsMatch &&
    (selector.matchExpressions ?? []).every((e) => {
      const valueIn = has(e.key) && (e.values ?? []).includes(labels[e.key] ?? "");
      switch (e.operator) {
        case "In":
          return valueIn;
        case "NotIn":
          return !valueIn;
        case "Exists":
          return has(e.key);
        case "DoesNotExist":
          return !has(e.key);
      }
      return false;
    })
  );
}

/** CEL for the namespace's labels (an empty map when it has none). */
export const CEL_NAMESPACE_LABELS =
  "has(namespaceObject.metadata.labels) ? namespaceObject.metadata.labels : {}";

/**
 * CEL: whether the param's namespaceSelector matches `variables.labels` (see selectorMatches).
 * The ternaries short-circuit, so `values` is only read for In and NotIn, where the CRD requires it.
 */
export const CEL_SELECTOR_MATCHES = [
  "(!has(params.spec.namespaceSelector.matchLabels) ||",
  "  params.spec.namespaceSelector.matchLabels.all(k,",
  "    k in variables.labels && variables.labels[k] == params.spec.namespaceSelector.matchLabels[k])) &&",
  "(!has(params.spec.namespaceSelector.matchExpressions) ||",
  "  params.spec.namespaceSelector.matchExpressions.all(e,",
  "    e.operator == 'In' ? (e.key in variables.labels && variables.labels[e.key] in e.values) :",
  "    e.operator == 'NotIn' ? !(e.key in variables.labels && variables.labels[e.key] in e.values) :",
  "    e.operator == 'Exists' ? e.key in variables.labels :",
  "    !(e.key in variables.labels)))",
].join("\n");
