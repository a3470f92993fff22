// Small constructors for typed schemas. `objectSchema<T>` is where the agreement with the
// TypeScript interfaces is enforced: its properties must cover exactly the keys of T, each with a
// schema of that key's type, and a key T declares mandatory must be `required(...)` or
// `defaulted(...)` in the schema, while an optional key must be neither.
import type { JsonSchema, Schema, ValidationRule } from "./json-schema.js";

// Marks a property schema as required or defaulted; `objectSchema` reads and strips it, so it never
// reaches the generated YAML.
const presence: unique symbol = Symbol("presence");

type RequiredProperty<T> = Schema<T> & { readonly [presence]: "required" };
type DefaultedProperty<T> = Schema<T> & { readonly [presence]: "defaulted"; readonly default: unknown };
type OptionalProperty<T> = Schema<T> & { readonly [presence]?: never };

/** What a default may be: the value itself, or for objects a part of it that nested defaults complete. */
type DefaultValue<T> = T extends readonly unknown[] ? T : T extends object ? Partial<T> : T;

/** The property schemas an object of type T must have. */
export type PropertySchemas<T> = {
  [K in keyof T]-?: undefined extends T[K]
    ? OptionalProperty<Exclude<T[K], undefined>>
    : RequiredProperty<T[K]> | DefaultedProperty<T[K]>;
};

/** Common options of every schema: its description and CEL rules. */
interface Base {
  description: string;
  rules?: ValidationRule[];
}

function withOwnRules(schema: JsonSchema, rules: ValidationRule[] | undefined): JsonSchema {
  return rules?.length ? { ...schema, "x-kubernetes-validations": rules } : schema;
}

export function required<T>(schema: Schema<T>): RequiredProperty<T> {
  return { ...schema, [presence]: "required" };
}

export function defaulted<T>(schema: Schema<T>, value: DefaultValue<T>): DefaultedProperty<T> {
  return { ...schema, default: value, [presence]: "defaulted" };
}

export function stringSchema(
  options: Base & { minLength?: number; maxLength: number; format?: "date-time" | "email"; pattern?: string },
): Schema<string> {
  const { description, rules, ...limits } = options;
  return withOwnRules({ description, type: "string", ...limits }, rules);
}

export function enumSchema<const V extends string>(options: Base & { values: readonly V[] }): Schema<V> {
  const { description, rules, values } = options;
  return withOwnRules({ description, type: "string", enum: values }, rules);
}

export function integerSchema(
  options: Base & { minimum?: number; maximum?: number; format?: "int32" | "int64" },
): Schema<number> {
  const { description, rules, ...limits } = options;
  return withOwnRules({ description, type: "integer", ...limits }, rules);
}

export function booleanSchema(options: Base): Schema<boolean> {
  return withOwnRules({ description: options.description, type: "boolean" }, options.rules);
}

/** How the API server merges and checks a list: sets and maps reject duplicates. */
export type ListType<T> =
  | { listType: "atomic" }
  | { listType: "set" }
  | { listType: "map"; keys: readonly (keyof T & string)[] };

export function arraySchema<T>(
  options: Base & { items: Schema<T>; minItems?: number; maxItems: number } & ListType<T>,
): Schema<T[]> {
  const { description, rules, items, minItems, maxItems } = options;
  const schema: JsonSchema = { description, type: "array", items };
  if (minItems !== undefined) schema.minItems = minItems;
  schema.maxItems = maxItems;
  schema["x-kubernetes-list-type"] = options.listType;
  if (options.listType === "map") schema["x-kubernetes-list-map-keys"] = [...options.keys];
  return withOwnRules(schema, rules);
}

export function mapSchema<T>(
  options: Base & { values: Schema<T>; maxProperties: number },
): Schema<Record<string, T>> {
  const { description, rules, values, maxProperties } = options;
  return withOwnRules({ description, type: "object", additionalProperties: values, maxProperties }, rules);
}

/**
 * An object schema for T. Call it with T spelled out (`objectSchema<GallerySpec>({...})`) so the
 * properties are checked against the interface rather than inferred from themselves.
 */
export function objectSchema<T>(options: Base & { properties: PropertySchemas<T> }): Schema<T> {
  const { description, rules } = options;
  const properties: Record<string, JsonSchema> = {};
  const requiredKeys: string[] = [];
  for (const [key, property] of Object.entries<JsonSchema & { [presence]?: string }>(options.properties)) {
    const { [presence]: mark, ...schema } = property;
    properties[key] = schema;
    if (mark === "required") requiredKeys.push(key);
  }
  const schema: JsonSchema = { description, type: "object", properties };
  if (requiredKeys.length) schema.required = requiredKeys;
  return withOwnRules(schema, rules);
}

/** The schema with more CEL rules, e.g. `immutable(...)` on a shared fragment. */
export function withRules<T>(schema: Schema<T>, ...rules: ValidationRule[]): Schema<T> {
  return { ...schema, "x-kubernetes-validations": [...(schema["x-kubernetes-validations"] ?? []), ...rules] };
}
