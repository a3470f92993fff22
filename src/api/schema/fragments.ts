// Schema pieces more than one kind uses, so each rule and description is written once.
import type { Condition } from "../conditions.js";
import {
  GUID_PATTERN,
  GUID_RULE,
  LOCATION_PATTERN,
  LOCATION_RULE,
  RESOURCE_GROUP_PATTERN,
  RESOURCE_GROUP_RULE,
} from "../names.js";
import type {
  CommonStatus,
  ConfigMapDestination,
  DeletionPolicy,
  IdentityStatus,
  LocalObjectReference,
  OperationEvent,
  OperatorSpec,
  PendingOperation,
} from "../resource.js";
import {
  arraySchema,
  defaulted,
  enumSchema,
  integerSchema,
  mapSchema,
  objectSchema,
  type PropertySchemas,
  required,
  stringSchema,
} from "./builders.js";
import type { Schema } from "./json-schema.js";
import { immutable, matches } from "./rules.js";

/**
 * Longest ARM resource id we accept. Ids of the resources we reference stay under about 350
 * characters (GUID, 90-character group, 80-character name); the bound also keeps the API server's
 * cost estimate of the id rules within budget.
 */
const MAX_ARM_ID = 512;

export function guidSchema(description: string): Schema<string> {
  return stringSchema({ description, maxLength: 36, rules: [matches(GUID_PATTERN, GUID_RULE)] });
}

export function locationSchema(description: string): Schema<string> {
  return stringSchema({ description, maxLength: 50, rules: [matches(LOCATION_PATTERN, LOCATION_RULE)] });
}

export function resourceGroupSchema(description: string): Schema<string> {
  return stringSchema({
    description,
    maxLength: 90,
    rules: [matches(RESOURCE_GROUP_PATTERN, RESOURCE_GROUP_RULE)],
  });
}

/**
 * The id of an Azure resource of `type` (e.g. `Microsoft.Compute/images`). Case-insensitive, as ARM
 * compares ids; the CLI and the portal spell `resourceGroups` differently.
 */
export function armIdSchema(type: string, description: string): Schema<string> {
  const [namespace = "", resourceType = ""] = type.split("/");
  const pattern = `(?i)^/subscriptions/[0-9a-f-]{36}/resourceGroups/[^/]+/providers/${namespace.replace(".", "[.]")}/${resourceType}/[^/]+$`;
  const rule = `the id of a ${type} resource: /subscriptions/<subscription>/resourceGroups/<group>/providers/${type}/<name>`;
  return stringSchema({ description, maxLength: MAX_ARM_ID, rules: [matches(pattern, rule)] });
}

/**
 * The reference from a child to its parent object (same namespace). Immutable: Azure cannot move a
 * child to another parent.
 */
export function parentReferenceSchema(parentKind: string, childKind: string): Schema<LocalObjectReference> {
  return objectSchema<LocalObjectReference>({
    description: `The ${parentKind} this ${childKind} belongs to: a ${parentKind} object in the same namespace. Immutable.`,
    properties: {
      name: required(
        stringSchema({ description: `metadata.name of the ${parentKind}.`, minLength: 1, maxLength: 253 }),
      ),
    },
    rules: [
      immutable(
        `the ${parentKind} reference`,
        `Azure cannot move a ${childKind} to another ${parentKind}`,
        childKind,
      ),
    ],
  });
}

/** A Kubernetes object name (RFC 1123 subdomain), written without backslashes for CEL. */
const DNS_SUBDOMAIN_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

const configMapDestination = objectSchema<ConfigMapDestination>({
  description: "A key of a ConfigMap in the object's namespace.",
  properties: {
    name: required(
      stringSchema({
        description:
          "The ConfigMap's name. The operator creates it, owned by this object (ownerReference), or adds the key to one another object of this API owns; a ConfigMap it does not manage is never overwritten.",
        minLength: 1,
        maxLength: 253,
        rules: [matches(DNS_SUBDOMAIN_PATTERN, "a DNS subdomain: lower-case letters, digits, '-' and '.'")],
      }),
    ),
    key: required(
      stringSchema({
        description: "The key within the ConfigMap.",
        minLength: 1,
        maxLength: 253,
        pattern: "^[-._a-zA-Z0-9]+$",
      }),
    ),
  },
});

/**
 * `spec.operatorSpec`: settings for the operator rather than for Azure. `values` names what the
 * kind can export, with a description each (Azure Service Operator's `operatorSpec.configMaps`).
 */
export function operatorSpecSchema<C extends object>(
  what: string,
  values: { [K in keyof Required<C>]: string },
): Schema<OperatorSpec<C>> {
  const properties = Object.fromEntries(
    Object.entries(values).map(([key, description]) => [
      key,
      { ...configMapDestination, description: `Where to write ${description}.` },
    ]),
  ) as PropertySchemas<C>;
  return objectSchema<OperatorSpec<C>>({
    description: "How the operator treats this object beyond Azure (as in Azure Service Operator).",
    properties: {
      configMaps: objectSchema<C>({
        description: `Values of ${what} to write to ConfigMaps in the same namespace, kept current while the object lives (for VM, VMSS and Cluster API manifests to consume). Values not known yet (before the first Ready) are left out.`,
        properties,
      }),
    },
  });
}

export function deletionPolicySchema(deleteMeans: string) {
  return defaulted(
    enumSchema<DeletionPolicy>({
      description: `What deleting this object does in Azure. Delete (the default): ${deleteMeans}. Orphan: leave Azure as it is.`,
      values: ["Delete", "Orphan"],
    }),
    "Delete",
  );
}

export function endOfLifeDateSchema(what: string): Schema<string> {
  return stringSchema({
    description: `When ${what} reaches its end of life, as an RFC 3339 date-time (e.g. 2030-12-31T00:00:00Z). Informational: Azure does not delete anything on that date.`,
    format: "date-time",
    maxLength: 64,
  });
}

export function tagsSchema(what: string): Schema<Record<string, string>> {
  return mapSchema({
    description: `Azure tags on ${what}: at most 50, names up to 512 characters, values up to 256.`,
    values: stringSchema({ description: "The tag value.", maxLength: 256 }),
    maxProperties: 50,
    rules: [{ rule: "self.all(k, size(k) <= 512)", message: "tag names must be at most 512 characters" }],
  });
}

const conditionSchema = objectSchema<Condition>({
  description: "One aspect of the object's state (Kubernetes API conventions).",
  properties: {
    type: required(
      stringSchema({
        description:
          "The aspect: Ready; Reconciling or Stalled (present only while True: still working, or waiting for you); Replicated for image versions.",
        maxLength: 316,
      }),
    ),
    status: required(
      enumSchema({ description: "True, False or Unknown.", values: ["True", "False", "Unknown"] }),
    ),
    observedGeneration: integerSchema({
      description: "The metadata.generation this condition was computed from.",
      minimum: 0,
      format: "int64",
    }),
    lastTransitionTime: required(
      stringSchema({ description: "When status last changed.", format: "date-time", maxLength: 64 }),
    ),
    reason: required(
      stringSchema({
        description: "CamelCase reason for the status, for machines and `kubectl get`.",
        minLength: 1,
        maxLength: 1024,
        pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
      }),
    ),
    message: required(
      stringSchema({
        description: "What happened, for humans, and what to do if action is needed.",
        maxLength: 32768,
      }),
    ),
  },
});

const operationSchema = objectSchema<PendingOperation>({
  description:
    "An Azure write the operator decided to send and has not seen finish: saved before it is sent, completed with ARM's answer once sent. A restarted operator decides from Azure whether an unanswered write was sent, and resumes polling an answered one instead of sending it again.",
  properties: {
    action: required(
      stringSchema({
        description: "What is sent: CreateOrUpdate, Delete, Share, RoleAssignment.",
        maxLength: 64,
      }),
    ),
    intentId: stringSchema({ description: "Names this one write attempt (a UUID).", maxLength: 64 }),
    request: stringSchema({ description: "What is sent, for humans.", maxLength: 4096 }),
    acceptedAt: stringSchema({
      description:
        "When Azure accepted the write, written with the operation's first poll. Azure's answer is saved at once in the annotations gallery.azure.dev/operation-accepted (this intent's id and the time) and gallery.azure.dev/operation-token (the resume token; kubectl describe shows 140 characters of it).",
      format: "date-time",
      maxLength: 64,
    }),
    resumeToken: stringSchema({
      description:
        "Written by earlier versions only: the serialized poller state, now in the annotation gallery.azure.dev/operation-token.",
      maxLength: 16384,
    }),
    startedAt: required(
      stringSchema({
        description: "When the operator decided to send the write (just before sending it).",
        format: "date-time",
        maxLength: 64,
      }),
    ),
    generation: required(
      integerSchema({
        description: "The spec generation the operation applies.",
        minimum: 0,
        format: "int64",
      }),
    ),
    onSuccess: objectSchema<OperationEvent>({
      description: "The event recorded when the operation succeeds.",
      properties: {
        reason: required(
          stringSchema({ description: "The event's reason, e.g. GalleryCreated.", maxLength: 128 }),
        ),
        note: required(stringSchema({ description: "The event's note.", maxLength: 1024 })),
      },
    }),
  },
});

const identitySchema = objectSchema<IdentityStatus>({
  description:
    "The Azure identity the operator acts as for this object, as the GalleryPolicies covering its namespace choose it. Ids only, never a secret.",
  properties: {
    mode: required(
      stringSchema({
        description:
          "workloadIdentity or clientSecret (named by a GalleryPolicy), or the operator's own credential mode.",
        maxLength: 64,
      }),
    ),
    clientId: stringSchema({ description: "The identity's client (application) id.", maxLength: 64 }),
    tenantId: stringSchema({ description: "The identity's tenant.", maxLength: 64 }),
  },
});

/** The status properties every kind shares; spread into each kind's status schema. */
export function commonStatusProperties(what: string): PropertySchemas<CommonStatus> {
  return {
    observedGeneration: integerSchema({
      description:
        "The metadata.generation the operator last acted on; compare with metadata.generation to know whether the status is current.",
      minimum: 0,
      format: "int64",
    }),
    conditions: arraySchema({
      description: "The latest observations of the object's state. Ready is always present once reconciled.",
      items: conditionSchema,
      maxItems: 16,
      listType: "map",
      keys: ["type"],
    }),
    id: stringSchema({ description: `The ARM resource id of ${what}.`, maxLength: MAX_ARM_ID }),
    provisioningState: stringSchema({
      description: "ARM's provisioningState as last read: Creating, Updating, Succeeded, Failed or Deleting.",
      maxLength: 64,
    }),
    operation: operationSchema,
    identity: identitySchema,
  };
}
