// Visits every schema node of a CRD's openAPIV3Schema with its path, for structural checks.
import type { JsonSchema } from "../../../src/api/schema/json-schema.js";

export interface SchemaNode {
  /** e.g. `spec.targetRegions[].name` */
  path: string;
  schema: JsonSchema;
}

export function schemaNodes(root: JsonSchema, path = ""): SchemaNode[] {
  const nodes: SchemaNode[] = [{ path, schema: root }];
  for (const [key, child] of Object.entries(root.properties ?? {})) {
    nodes.push(...schemaNodes(child, path ? `${path}.${key}` : key));
  }
  if (root.items) nodes.push(...schemaNodes(root.items, `${path}[]`));
  if (root.additionalProperties) nodes.push(...schemaNodes(root.additionalProperties, `${path}{}`));
  return nodes;
}
