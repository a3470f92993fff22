// The Gallery CRD: the schema of GallerySpec/GalleryStatus (types.ts) with its validation rules.

import type { KindDefinition } from "../crd/definition.js";
import { printerColumns } from "../crd/printer-columns.js";
import { KINDS } from "../group.js";
import { GALLERY_NAME_PATTERN, GALLERY_NAME_RULE } from "../names.js";
import { type AzureNameRule, azureNameRules, azureNameSchema } from "../schema/azure-name.js";
import {
  arraySchema,
  booleanSchema,
  defaulted,
  enumSchema,
  objectSchema,
  required,
  stringSchema,
} from "../schema/builders.js";
import {
  commonStatusProperties,
  deletionPolicySchema,
  guidSchema,
  locationSchema,
  operatorSpecSchema,
  resourceGroupSchema,
  tagsSchema,
} from "../schema/fragments.js";
import { immutableOnceCreated } from "../schema/rules.js";
import type {
  CommunityGalleryInfo,
  GalleryExports,
  GallerySharingProfile,
  GallerySpec,
  GalleryStatus,
  SharingPermissions,
} from "./types.js";

const kind = KINDS.Gallery.kind;

/** Where the gallery lives may be fixed until it exists in Azure (docs/api.md, "Fixing a typo"). */
const ONCE_CREATED =
  "May change until the operator has created the gallery in Azure (while status.id and status.operation are unset); immutable afterwards.";

const azureName: AzureNameRule = {
  kind,
  resource: "gallery",
  pattern: GALLERY_NAME_PATTERN,
  rule: GALLERY_NAME_RULE,
};

const community = objectSchema<CommunityGalleryInfo>({
  description:
    "What a community gallery shows publicly to every Azure user. Required when permissions is Community. Be careful: all of it is public.",
  properties: {
    publisherUri: required(
      stringSchema({
        description:
          "Where users learn more about the publisher and the images, e.g. https://www.contoso.com.",
        minLength: 1,
        maxLength: 1024,
      }),
    ),
    publisherContact: required(
      stringSchema({
        description: "The publisher's support e-mail address, e.g. support@contoso.com.",
        format: "email",
        minLength: 3,
        maxLength: 320,
      }),
    ),
    eula: required(
      stringSchema({
        description:
          "The legal agreement for the images, usually its URL, e.g. https://www.contoso.com/eula.",
        minLength: 1,
        maxLength: 2048,
      }),
    ),
    publicNamePrefix: required(
      stringSchema({
        description:
          "The prefix of the gallery's public name: Azure appends a GUID (status.publicNames), e.g. ContosoImages.",
        minLength: 1,
        maxLength: 80,
      }),
    ),
  },
});

const sharing = objectSchema<GallerySharingProfile>({
  description:
    "Who may be granted access to the gallery beyond Azure RBAC. Private: RBAC only. Groups: direct sharing to subscriptions and tenants (listed in a GallerySharing). Community: public to all Azure users once a GallerySharing enables it. Azure can change permissions on an existing gallery, so this is not immutable.",
  properties: {
    permissions: defaulted(
      enumSchema<SharingPermissions>({
        description: "Private (default), Groups (direct sharing) or Community.",
        values: ["Private", "Groups", "Community"],
      }),
      "Private",
    ),
    community,
  },
  rules: [
    {
      rule: "self.permissions != 'Community' || has(self.community)",
      message:
        "sharing.community is required when permissions is Community: set publisherUri, publisherContact, eula and publicNamePrefix",
      fieldPath: ".community",
      reason: "FieldValueRequired",
    },
    {
      rule: "!has(self.community) || self.permissions == 'Community'",
      message: "sharing.community is only allowed when permissions is Community",
      fieldPath: ".community",
      reason: "FieldValueForbidden",
    },
  ],
});

const spec = objectSchema<GallerySpec>({
  description: "The gallery Azure should have.",
  properties: {
    azureName: azureNameSchema(azureName),
    subscriptionId: required(
      guidSchema(`The Azure subscription that holds the gallery, as a lower-case GUID. ${ONCE_CREATED}`),
    ),
    resourceGroup: required(
      resourceGroupSchema(
        `The resource group that holds the gallery; it must exist already. ${ONCE_CREATED}`,
      ),
    ),
    location: required(
      locationSchema(
        `The Azure region of the gallery, by its programmatic name (e.g. westcentralus). Image definitions and versions live in the same region; versions are replicated from it. ${ONCE_CREATED}`,
      ),
    ),
    description: stringSchema({
      description: "A description of the gallery, shown in the portal.",
      maxLength: 4096,
    }),
    tags: tagsSchema("the gallery"),
    sharing: defaulted(sharing, { permissions: "Private" }),
    softDelete: booleanSchema({
      description:
        "Keep deleted image versions recoverable for a while (Azure soft delete). Absent: leave Azure's setting alone.",
    }),
    deletionPolicy: deletionPolicySchema("delete the gallery in Azure (it must be empty)"),
    operatorSpec: operatorSpecSchema<GalleryExports>("the gallery", {
      id: "the gallery's ARM id",
      uniqueName:
        "the gallery's unique name ({subscription}-{NAME}), what subscriptions it is shared with see",
      publicNames: "a community gallery's public names, comma-separated",
    }),
  },
});

const status = objectSchema<GalleryStatus>({
  description: "The gallery as last observed in Azure.",
  properties: {
    ...commonStatusProperties("the gallery"),
    azureName: stringSchema({ description: "The gallery's name in Azure.", maxLength: 80 }),
    uniqueName: stringSchema({
      description:
        "Azure's unique name of the gallery, {subscription}-{NAME}: the name that subscriptions and tenants it is shared with see.",
      maxLength: 128,
    }),
    publicNames: arraySchema({
      description: "The public names of a community gallery: publicNamePrefix plus a GUID.",
      items: stringSchema({ description: "A public name.", maxLength: 256 }),
      maxItems: 16,
      listType: "atomic",
    }),
    communityEnabled: booleanSchema({ description: "Whether the community gallery is shared publicly." }),
    managedTagKeys: arraySchema({
      description:
        "The tag keys the operator set in Azure: only these are removed from Azure when the spec drops them; tags added outside the operator are kept.",
      items: stringSchema({ description: "A tag name.", maxLength: 512 }),
      maxItems: 128,
      listType: "atomic",
    }),
  },
});

export const galleryDefinition: KindDefinition = {
  names: KINDS.Gallery,
  description:
    "An Azure Compute Gallery (Microsoft.Compute/galleries): a container of image definitions that can be shared privately (RBAC), directly with subscriptions and tenants, or with the whole Azure community.",
  spec,
  status,
  rules: [
    ...azureNameRules(azureName),
    immutableOnceCreated(
      "spec.subscriptionId",
      "subscriptionId",
      "Azure cannot move a gallery to another subscription",
      kind,
    ),
    immutableOnceCreated(
      "spec.resourceGroup",
      "resourceGroup",
      "Azure cannot move a gallery to another resource group",
      kind,
    ),
    immutableOnceCreated("spec.location", "location", "Azure cannot move a gallery to another region", kind),
  ],
  printerColumns: printerColumns(
    {
      name: "Azure Name",
      type: "string",
      jsonPath: ".status.azureName",
      description: "The gallery's name in Azure.",
    },
    { name: "Location", type: "string", jsonPath: ".spec.location", description: "The Azure region." },
    {
      name: "Sharing",
      type: "string",
      jsonPath: ".spec.sharing.permissions",
      description: "Private, Groups or Community.",
    },
  ),
};
