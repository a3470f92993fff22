// The part of the CRD's OpenAPI v3 schema language (apiextensions.k8s.io/v1 JSONSchemaProps) that
// this API uses, plus a compile-time link from each schema to the TypeScript type it describes.

/** A CEL rule (`x-kubernetes-validations`): the API server rejects the object when `rule` is false. */
export interface ValidationRule {
  rule: string;
  /** What the user reads after the field path: say the rule and what to do. */
  message: string;
  /** The field the error names, relative to where the rule sits (e.g. `.community`). */
  fieldPath?: string;
  reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
}

export interface JsonSchema {
  /** Required everywhere: it is what `kubectl explain` shows. */
  description: string;
  type?: "object" | "array" | "string" | "integer" | "boolean";
  format?: string;
  pattern?: string;
  enum?: readonly string[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema;
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-validations"?: ValidationRule[];
}

declare const describes: unique symbol;

/**
 * A schema for values of type T. The type parameter exists only at compile time (the property is
 * never set) and is invariant, so a schema can stand only where exactly its type is expected: that is
 * how the hand-written spec/status interfaces and the schemas are kept in agreement by `tsc`.
 */
export interface Schema<T> extends JsonSchema {
  readonly [describes]?: (value: T) => T;
}
