// The ImageDefinition CRD: the schema of ImageDefinitionSpec/Status (types.ts) with its rules.
import type { KindDefinition } from "../crd/definition.js";
import { printerColumns } from "../crd/printer-columns.js";
import { KINDS } from "../group.js";
import { IMAGE_DEFINITION_NAME_PATTERN, IMAGE_DEFINITION_NAME_RULE } from "../names.js";
import { type AzureNameRule, azureNameRules, azureNameSchema } from "../schema/azure-name.js";
import {
  arraySchema,
  defaulted,
  enumSchema,
  integerSchema,
  objectSchema,
  required,
  stringSchema,
  withRules,
} from "../schema/builders.js";
import {
  commonStatusProperties,
  deletionPolicySchema,
  endOfLifeDateSchema,
  operatorSpecSchema,
  parentReferenceSchema,
} from "../schema/fragments.js";
import type { Schema } from "../schema/json-schema.js";
import { immutable } from "../schema/rules.js";
import type {
  Architecture,
  HyperVGeneration,
  ImageDefinitionExports,
  ImageDefinitionSpec,
  ImageDefinitionStatus,
  ImageFeature,
  ImageIdentifier,
  OsState,
  OsType,
  RecommendedMachineConfiguration,
  ResourceRange,
} from "./types.js";

const kind = KINDS.ImageDefinition.kind;

const azureName: AzureNameRule = {
  kind,
  resource: "image definition",
  pattern: IMAGE_DEFINITION_NAME_PATTERN,
  rule: IMAGE_DEFINITION_NAME_RULE,
};

/** Fields Azure fixes when the definition is created. */
function fixedAtCreation<T>(field: string, schema: Schema<T>): Schema<T> {
  return withRules(schema, immutable(field, "Azure cannot change it on an existing image definition", kind));
}

function identifierPart(what: string, example: string) {
  return required(
    stringSchema({ description: `The ${what} of the image, e.g. ${example}.`, minLength: 1, maxLength: 128 }),
  );
}

const identifier = objectSchema<ImageIdentifier>({
  description:
    "Publisher, offer and SKU: the identity of the image. Must be unique within the gallery, and is public in a community gallery. Immutable.",
  properties: {
    publisher: identifierPart("publisher", "myPublisher"),
    offer: identifierPart("offer", "myOffer"),
    sku: identifierPart("SKU", "mySKU"),
  },
});

const feature = objectSchema<ImageFeature>({
  description: "A capability of the image.",
  properties: {
    name: required(
      stringSchema({
        description: "The feature, e.g. SecurityType, IsAcceleratedNetworkSupported, DiskControllerTypes.",
        minLength: 1,
        maxLength: 128,
      }),
    ),
    value: required(
      stringSchema({ description: "Its value, e.g. TrustedLaunch, True, SCSI,NVMe.", maxLength: 256 }),
    ),
  },
});

function range(what: string, unit: string): Schema<ResourceRange> {
  const bound = (which: string) =>
    integerSchema({
      description: `The ${which} ${what} recommended, in ${unit}.`,
      minimum: 1,
      maximum: 10000,
    });
  return objectSchema<ResourceRange>({
    description: `The range of ${what} the image is meant for, in ${unit}.`,
    properties: { min: bound("least"), max: bound("most") },
    rules: [
      {
        rule: "!has(self.min) || !has(self.max) || self.min <= self.max",
        message: "min must not be greater than max",
      },
    ],
  });
}

const recommended = objectSchema<RecommendedMachineConfiguration>({
  description: "Sizes of virtual machine the image is meant for. Informational: shown to users of the image.",
  properties: { vCPUs: range("virtual CPUs", "vCPUs"), memory: range("memory", "GiB") },
});

const spec = objectSchema<ImageDefinitionSpec>({
  description: "The image definition Azure should have.",
  properties: {
    galleryRef: required(parentReferenceSchema("Gallery", kind)),
    azureName: azureNameSchema(azureName),
    osType: required(
      fixedAtCreation(
        "osType",
        enumSchema<OsType>({
          description: "The operating system of the image: Windows or Linux. Immutable.",
          values: ["Windows", "Linux"],
        }),
      ),
    ),
    osState: required(
      fixedAtCreation(
        "osState",
        enumSchema<OsState>({
          description:
            "Generalized (sysprepped or deprovisioned: each VM gets its own identity) or Specialized (VMs keep the source's identity). Immutable.",
          values: ["Generalized", "Specialized"],
        }),
      ),
    ),
    hyperVGeneration: defaulted(
      fixedAtCreation(
        "hyperVGeneration",
        enumSchema<HyperVGeneration>({
          description: "The Hyper-V generation of VMs made from the image: V1 (default) or V2. Immutable.",
          values: ["V1", "V2"],
        }),
      ),
      "V1",
    ),
    architecture: defaulted(
      fixedAtCreation(
        "architecture",
        enumSchema<Architecture>({
          description: "The CPU architecture: x64 (default) or Arm64. Immutable.",
          values: ["x64", "Arm64"],
        }),
      ),
      "x64",
    ),
    identifier: required(fixedAtCreation("identifier", identifier)),
    features: arraySchema({
      description: "Capabilities of the image, each name at most once.",
      items: feature,
      maxItems: 32,
      listType: "map",
      keys: ["name"],
    }),
    recommended,
    endOfLifeDate: endOfLifeDateSchema("the image definition"),
    description: stringSchema({ description: "A description of the image definition.", maxLength: 4096 }),
    eula: stringSchema({
      description: "The end-user license agreement of the image, or its URL.",
      maxLength: 4096,
    }),
    privacyStatementUri: stringSchema({
      description: "The URL of the image's privacy statement.",
      maxLength: 2048,
    }),
    releaseNoteUri: stringSchema({ description: "The URL of the image's release notes.", maxLength: 2048 }),
    deletionPolicy: deletionPolicySchema(
      "delete the image definition in Azure (it must have no versions left)",
    ),
    operatorSpec: operatorSpecSchema<ImageDefinitionExports>("the image definition", {
      id: "the image definition's ARM id",
      latestVersion:
        "the highest ImageVersion of this definition in the cluster that Azure holds replicated and that is not excluded from latest (e.g. 1.2.3)",
      latestVersionId: "that latest version's ARM id",
    }),
  },
});

const status = objectSchema<ImageDefinitionStatus>({
  description: "The image definition as last observed in Azure.",
  properties: {
    ...commonStatusProperties("the image definition"),
    azureName: stringSchema({ description: "The image definition's name in Azure.", maxLength: 80 }),
  },
});

export const imageDefinitionDefinition: KindDefinition = {
  names: KINDS.ImageDefinition,
  description:
    "An image definition in an Azure Compute Gallery (Microsoft.Compute/galleries/images): the operating system, generation and publisher/offer/SKU shared by all versions of one image.",
  spec,
  status,
  rules: azureNameRules(azureName),
  printerColumns: printerColumns(
    {
      name: "Gallery",
      type: "string",
      jsonPath: ".spec.galleryRef.name",
      description: "The Gallery object.",
    },
    { name: "Azure Name", type: "string", jsonPath: ".status.azureName", description: "The name in Azure." },
    { name: "OS", type: "string", jsonPath: ".spec.osType", description: "Windows or Linux." },
    { name: "State", type: "string", jsonPath: ".spec.osState", description: "Generalized or Specialized." },
  ),
};
