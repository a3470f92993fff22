// CEL rules (`x-kubernetes-validations`) that recur across kinds, with the wording of their
// messages in one place. The API server prints a rule's message after the field path, so messages
// say the rule and, where the user must act, what to do.
import type { ValidationRule } from "./json-schema.js";

/** A CEL string literal. Patterns here avoid quotes and backslashes, so no escaping is needed. */
export function celString(text: string): string {
  if (/['\\]/.test(text)) throw new Error(`CEL literal needs escaping, keep it out of patterns: ${text}`);
  return `'${text}'`;
}

/**
 * The string must match `pattern` (RE2). Used instead of OpenAPI `pattern` where the regular
 * expression would be a poor error message: the API server prints the expression itself for those.
 */
export function matches(pattern: string, rule: string): ValidationRule {
  return { rule: `self.matches(${celString(pattern)})`, message: `must be ${rule}` };
}

/**
 * The field may not change once set. Only for fields that are always present (required or
 * defaulted): a transition rule does not run when the field is added or removed, so an optional
 * field needs a rule on its parent instead (as `azureNameRules` does for spec.azureName).
 */
export function immutable(field: string, why: string, kind: string): ValidationRule {
  return { rule: "self == oldSelf", message: immutableMessage(field, why, kind) };
}

/**
 * CEL, on the whole object: the operator has never created anything in Azure for it, so where it
 * would go may still change. `status.operation` holds every write from before it is sent until it
 * is over (dropped at once when Azure refused it: nothing exists then), and `status.id` is set
 * once Azure holds the resource (docs/api.md, "Fixing a typo").
 */
export const NOTHING_CREATED_IN_AZURE =
  "!has(oldSelf.status) || (!has(oldSelf.status.id) && !has(oldSelf.status.operation))";

/**
 * A root rule: the always-present field at `path` (e.g. `spec.location`) may change only while
 * nothing was created in Azure; afterwards it is immutable with the usual message.
 */
export function immutableOnceCreated(path: string, field: string, why: string, kind: string): ValidationRule {
  return {
    rule: `self.${path} == oldSelf.${path} || ${NOTHING_CREATED_IN_AZURE}`,
    message: immutableMessage(field, why, kind),
    fieldPath: `.${path}`,
  };
}

export function immutableMessage(field: string, why: string, kind: string): string {
  return `${field} is immutable: ${why}; create a new ${kind} instead`;
}

/** Exactly one of the listed fields of the object is present. */
export function exactlyOneOf(fields: readonly string[]): ValidationRule {
  const present = fields.map((f) => `has(self.${f})`).join(", ");
  return {
    rule: `[${present}].filter(x, x).size() == 1`,
    message: `set exactly one of ${fields.join(", ")}`,
  };
}
