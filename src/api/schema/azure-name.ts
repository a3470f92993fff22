// `spec.azureName`, the name of the resource in Azure, for kinds whose Azure name may default to
// metadata.name. Kubernetes and Azure name rules differ (Kubernetes: lower case, dashes, no
// underscores; galleries: any case, underscores, no dashes), so the default applies only when
// metadata.name is itself a valid Azure name. A CRD default cannot copy another field, so instead
// of defaulting, a rule on the whole object (the only place CEL can read metadata.name) requires
// spec.azureName when metadata.name would not do; readers use `azureNameOf` (names.ts).
import { stringSchema } from "./builders.js";
import type { Schema, ValidationRule } from "./json-schema.js";
import { celString, immutableMessage, matches, NOTHING_CREATED_IN_AZURE } from "./rules.js";

export interface AzureNameRule {
  /** The kind, as users read it in messages. */
  kind: string;
  /** What Azure calls it, e.g. "gallery" or "image definition". */
  resource: string;
  pattern: string;
  /** The pattern in words. */
  rule: string;
}

export function azureNameSchema(name: AzureNameRule): Schema<string> {
  return stringSchema({
    description: `The ${name.resource} name in Azure: ${name.rule}. Defaults to metadata.name when that is a valid ${name.resource} name; required otherwise. Immutable once the operator has created it in Azure.`,
    maxLength: 80,
    rules: [matches(name.pattern, `a valid ${name.resource} name: ${name.rule}`)],
  });
}

/**
 * Root-level rules: azureName required when metadata.name will not do, and the effective name
 * immutable once something was created in Azure under it.
 */
export function azureNameRules(name: AzureNameRule): ValidationRule[] {
  const effective = (obj: string) =>
    `(has(${obj}.spec.azureName) ? ${obj}.spec.azureName : ${obj}.metadata.name)`;
  return [
    {
      rule: `has(self.spec.azureName) || self.metadata.name.matches(${celString(name.pattern)})`,
      message: `spec.azureName is required because metadata.name is not a valid ${name.resource} name: ${name.rule}`,
      fieldPath: ".spec.azureName",
      reason: "FieldValueRequired",
    },
    {
      rule: `${effective("self")} == ${effective("oldSelf")} || ${NOTHING_CREATED_IN_AZURE}`,
      message: immutableMessage(
        "the Azure name (spec.azureName, or metadata.name when spec.azureName is absent)",
        `Azure cannot rename a ${name.resource}`,
        name.kind,
      ),
      fieldPath: ".spec.azureName",
    },
  ];
}
