// What the generator needs to know about one kind, and how that becomes a CustomResourceDefinition.
import { ADMIN_CATEGORY, CATEGORY, GROUP, type KindNames, VERSION } from "../group.js";
import type { JsonSchema, ValidationRule } from "../schema/json-schema.js";

/** A column of `kubectl get`. `priority: 1` columns show only with `-o wide`. */
export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description: string;
  priority?: number;
}

/**
 * One kind, ready to become a CRD. Its spec and status schemas were checked against the kind's
 * TypeScript interfaces where they were built (`objectSchema<GallerySpec>`), so here they are plain.
 */
export interface KindDefinition {
  names: KindNames;
  /** What the kind is, for `kubectl explain <kind>`. */
  description: string;
  spec: JsonSchema;
  /** Absent for kinds nobody writes status to: no status subresource either. */
  status?: JsonSchema;
  /** Default Namespaced. */
  scope?: "Namespaced" | "Cluster";
  /**
   * Default: `azure-gallery` (what app teams list) and `azure-gallery-admin`. Kinds app teams may
   * not list (GalleryPolicy) stay out of `azure-gallery`: a category listing that fails for one kind
   * fails for all.
   */
  categories?: string[];
  /** CEL rules on the whole object: the only place a rule can read `metadata.name`. */
  rules?: ValidationRule[];
  printerColumns: PrinterColumn[];
}

/** The CustomResourceDefinition of a kind, as a plain object ready to serialize. */
export function customResourceDefinition(def: KindDefinition): Record<string, unknown> {
  const root: JsonSchema = {
    description: def.description,
    type: "object",
    properties: {
      apiVersion: {
        description: "The versioned schema of this object: gallery.azure.dev/v1alpha1.",
        type: "string",
      },
      kind: { description: `The kind of this object: ${def.names.kind}.`, type: "string" },
      // The API server owns metadata's schema and rejects a description here.
      metadata: { type: "object" } as JsonSchema,
      spec: def.spec,
      ...(def.status ? { status: def.status } : {}),
    },
    required: ["spec"],
  };
  if (def.rules?.length) root["x-kubernetes-validations"] = def.rules;
  const scope = def.scope ?? "Namespaced";
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${def.names.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: def.names.kind,
        listKind: def.names.listKind,
        plural: def.names.plural,
        singular: def.names.singular,
        shortNames: def.names.shortNames,
        categories: def.categories ?? [CATEGORY, ADMIN_CATEGORY],
      },
      scope,
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          ...(def.status ? { subresources: { status: {} } } : {}),
          additionalPrinterColumns: def.printerColumns,
          schema: { openAPIV3Schema: root },
        },
      ],
    },
  };
}
