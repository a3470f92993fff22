// The ImageVersion CRD: the schema of ImageVersionSpec/Status (types.ts) with its rules.
import type { KindDefinition } from "../crd/definition.js";
import { printerColumns } from "../crd/printer-columns.js";
import { KINDS } from "../group.js";
import { MAX_VERSION_PART, VERSION_PATTERN, VERSION_RULE } from "../names.js";
import {
  arraySchema,
  booleanSchema,
  defaulted,
  enumSchema,
  integerSchema,
  objectSchema,
  required,
  stringSchema,
  withRules,
} from "../schema/builders.js";
import {
  armIdSchema,
  commonStatusProperties,
  deletionPolicySchema,
  endOfLifeDateSchema,
  locationSchema,
  operatorSpecSchema,
  parentReferenceSchema,
} from "../schema/fragments.js";
import type { Schema } from "../schema/json-schema.js";
import { celString, exactlyOneOf, immutable, immutableOnceCreated, matches } from "../schema/rules.js";
import type {
  DataDiskEncryption,
  ImageVersionExports,
  ImageVersionSource,
  ImageVersionSpec,
  ImageVersionStatus,
  OsDiskEncryption,
  RegionReplication,
  ReplicationMode,
  ReplicationStatus,
  StorageAccountType,
  TargetRegion,
  TargetRegionEncryption,
} from "./types.js";

const kind = KINDS.ImageVersion.kind;

/** Azure's documented maximum of replicas of one image version in one region. */
const MAX_REPLICAS = 50;

function replicaCountSchema(description: string): Schema<number> {
  return integerSchema({ description, minimum: 1, maximum: MAX_REPLICAS, format: "int32" });
}

const version = withRules(
  stringSchema({
    description: `The version's name in Azure: ${VERSION_RULE}, each part at most ${MAX_VERSION_PART}. Independent of metadata.name. May change until the operator has created the version in Azure (while status.id and status.operation are unset); immutable afterwards.`,
    minLength: 5,
    maxLength: 32,
  }),
  matches(VERSION_PATTERN, VERSION_RULE),
  {
    // Checked only once the shape is right, so a malformed version gets one error, not two.
    rule: `!self.matches(${celString(VERSION_PATTERN)}) || self.split('.').all(part, int(part) <= ${MAX_VERSION_PART})`,
    message: `each part of the version must be at most ${MAX_VERSION_PART} (a 32-bit integer)`,
  },
);

const sourceKinds = ["managedImageId", "virtualMachineId", "snapshotId", "diskId"] as const;

const source = objectSchema<ImageVersionSource>({
  description: `What the image is made from: exactly one of ${sourceKinds.join(", ")}. Immutable.`,
  properties: {
    managedImageId: armIdSchema(
      "Microsoft.Compute/images",
      "A managed image. Azure can make only one version at a time from a managed image.",
    ),
    virtualMachineId: armIdSchema(
      "Microsoft.Compute/virtualMachines",
      "A virtual machine, captured as it is (generalize it first for a Generalized image).",
    ),
    snapshotId: armIdSchema("Microsoft.Compute/snapshots", "A snapshot of an OS disk."),
    diskId: armIdSchema("Microsoft.Compute/disks", "A managed OS disk."),
  },
  rules: [
    exactlyOneOf(sourceKinds),
    immutable("source", "Azure cannot change what a version was made from", kind),
  ],
});

function diskEncryptionSetId(what: string): Schema<string> {
  return armIdSchema(
    "Microsoft.Compute/diskEncryptionSets",
    `The disk encryption set that encrypts ${what} in this region.`,
  );
}

const osDiskEncryption = objectSchema<OsDiskEncryption>({
  description: "Encryption of the OS disk image.",
  properties: { diskEncryptionSetId: required(diskEncryptionSetId("the OS disk image")) },
});

const dataDiskEncryption = objectSchema<DataDiskEncryption>({
  description: "Encryption of one data disk image.",
  properties: {
    lun: required(
      integerSchema({
        description: "The logical unit number of the data disk.",
        minimum: 0,
        maximum: 63,
        format: "int32",
      }),
    ),
    diskEncryptionSetId: required(diskEncryptionSetId("this data disk image")),
  },
});

const encryption = objectSchema<TargetRegionEncryption>({
  description:
    "Customer-managed-key encryption of the replicas in this region. A gallery shared directly with subscriptions or tenants cannot hold encrypted versions.",
  properties: {
    osDiskImage: osDiskEncryption,
    dataDiskImages: arraySchema({
      // 16, not Azure's 64 data disks: the API server budgets CEL cost by the worst case, and 64 disks
      // times 64 regions of id checks is over budget.
      description: "Encryption per data disk, each LUN at most once; at most 16 data disks.",
      items: dataDiskEncryption,
      maxItems: 16,
      listType: "map",
      keys: ["lun"],
    }),
  },
});

const targetRegion = objectSchema<TargetRegion>({
  description: "A region the version is replicated to.",
  properties: {
    name: required(
      locationSchema("The region's programmatic name, e.g. westcentralus. Each region at most once."),
    ),
    regionalReplicaCount: replicaCountSchema(
      `Replicas in this region, 1 to ${MAX_REPLICAS}. Absent: spec.replicaCount. More replicas let more VMs be created at once (about one per 20).`,
    ),
    storageAccountType: defaulted(
      enumSchema<StorageAccountType>({
        description: "Storage of the replicas: Standard_LRS (default), Standard_ZRS or Premium_LRS.",
        values: ["Standard_LRS", "Standard_ZRS", "Premium_LRS"],
      }),
      "Standard_LRS",
    ),
    encryption,
  },
});

const spec = objectSchema<ImageVersionSpec>({
  description: "The image version Azure should have.",
  properties: {
    imageDefinitionRef: required(parentReferenceSchema("ImageDefinition", kind)),
    version: required(version),
    source: required(source),
    targetRegions: required(
      arraySchema({
        description:
          "Where the version is replicated. Must include the gallery's own region (the source region). Regions can be added and removed later.",
        items: targetRegion,
        minItems: 1,
        maxItems: 64,
        listType: "map",
        keys: ["name"],
      }),
    ),
    replicaCount: defaulted(
      replicaCountSchema(
        `Replicas per region for regions without regionalReplicaCount, 1 to ${MAX_REPLICAS}; default 1.`,
      ),
      1,
    ),
    excludeFromLatest: defaulted(
      booleanSchema({
        description: "If true, VMs created from the image's 'latest' do not get this version. Default false.",
      }),
      false,
    ),
    endOfLifeDate: endOfLifeDateSchema("the version"),
    replicationMode: enumSchema<ReplicationMode>({
      description:
        "Full (Azure's default) copies the image to every replica; Shallow skips the copy for quick tests (minutes instead of about 8).",
      values: ["Full", "Shallow"],
    }),
    deletionPolicy: deletionPolicySchema("delete the version in Azure"),
    operatorSpec: operatorSpecSchema<ImageVersionExports>("the image version", {
      id: "the version's ARM id (what a VM or scale set names as its image)",
    }),
  },
});

const regionReplication = objectSchema<RegionReplication>({
  description: "Replication in one region.",
  properties: {
    region: required(
      stringSchema({
        description:
          "The region by its programmatic name, as spec.targetRegions names it (e.g. westcentralus); Azure's display name is converted.",
        maxLength: 64,
      }),
    ),
    state: stringSchema({ description: "Unknown, Replicating, Completed or Failed.", maxLength: 32 }),
    progress: integerSchema({ description: "Percent done, 0 to 100.", minimum: 0, maximum: 100 }),
    details: stringSchema({ description: "Azure's explanation, mostly for failures.", maxLength: 4096 }),
  },
});

const replication = objectSchema<ReplicationStatus>({
  description: "How far the version has been copied to its target regions.",
  properties: {
    aggregatedState: stringSchema({
      description: "Unknown, InProgress, Completed or Failed.",
      maxLength: 32,
    }),
    progress: integerSchema({
      description: "Percent done over all regions, 0 to 100.",
      minimum: 0,
      maximum: 100,
    }),
    regions: arraySchema({
      description: "Replication per target region.",
      items: regionReplication,
      maxItems: 100,
      listType: "map",
      keys: ["region"],
    }),
  },
});

const status = objectSchema<ImageVersionStatus>({
  description: "The image version as last observed in Azure.",
  properties: {
    ...commonStatusProperties("the image version"),
    replication,
    publishedDate: stringSchema({
      description: "When Azure published the version.",
      format: "date-time",
      maxLength: 64,
    }),
  },
});

export const imageVersionDefinition: KindDefinition = {
  names: KINDS.ImageVersion,
  description:
    "A version of an image in an Azure Compute Gallery (Microsoft.Compute/galleries/images/versions): made from a managed image, VM, snapshot or disk, and replicated to target regions.",
  spec,
  status,
  rules: [immutableOnceCreated("spec.version", "version", "it is the version's name in Azure", kind)],
  printerColumns: printerColumns(
    {
      name: "Definition",
      type: "string",
      jsonPath: ".spec.imageDefinitionRef.name",
      description: "The ImageDefinition object.",
    },
    {
      name: "Version",
      type: "string",
      jsonPath: ".spec.version",
      description: "The version (its name in Azure).",
    },
    {
      name: "Progress",
      type: "integer",
      jsonPath: ".status.replication.progress",
      description: "Replication progress over all target regions, in percent.",
    },
    {
      name: "Replication",
      type: "string",
      jsonPath: ".status.replication.aggregatedState",
      description: "Unknown, InProgress, Completed or Failed.",
      priority: 1,
    },
  ),
};
