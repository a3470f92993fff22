// ImageDefinition: an image definition in a gallery (Microsoft.Compute/galleries/images).
import type {
  CommonStatus,
  ConfigMapDestination,
  CustomResource,
  DeletionPolicy,
  LocalObjectReference,
  OperatorSpec,
} from "../resource.js";

export type OsType = "Windows" | "Linux";
export type OsState = "Generalized" | "Specialized";
export type HyperVGeneration = "V1" | "V2";
export type Architecture = "x64" | "Arm64";

/** Publisher, offer and SKU: together they identify the image, and are public in community galleries. */
export interface ImageIdentifier {
  publisher: string;
  offer: string;
  sku: string;
}

/** A capability of the image, e.g. `SecurityType: TrustedLaunch`. */
export interface ImageFeature {
  name: string;
  value: string;
}

export interface ResourceRange {
  min?: number;
  max?: number;
}

export interface RecommendedMachineConfiguration {
  vCPUs?: ResourceRange;
  /** In GiB. */
  memory?: ResourceRange;
}

export interface ImageDefinitionSpec {
  galleryRef: LocalObjectReference;
  /** Absent when metadata.name is itself a valid image definition name: use `azureNameOf()`. */
  azureName?: string;
  osType: OsType;
  osState: OsState;
  /** Defaulted to V1 by the API server. */
  hyperVGeneration: HyperVGeneration;
  /** Defaulted to x64 by the API server. */
  architecture: Architecture;
  identifier: ImageIdentifier;
  features?: ImageFeature[];
  recommended?: RecommendedMachineConfiguration;
  endOfLifeDate?: string;
  description?: string;
  eula?: string;
  privacyStatementUri?: string;
  releaseNoteUri?: string;
  deletionPolicy: DeletionPolicy;
  operatorSpec?: OperatorSpec<ImageDefinitionExports>;
}

/** What an ImageDefinition can export to ConfigMaps. */
export interface ImageDefinitionExports {
  id?: ConfigMapDestination;
  /** The highest replicated ImageVersion of the definition in the cluster not excluded from latest, e.g. 1.2.3. */
  latestVersion?: ConfigMapDestination;
  /** That version's ARM id. */
  latestVersionId?: ConfigMapDestination;
}

export interface ImageDefinitionStatus extends CommonStatus {
  /** The name the operator uses in Azure (spec.azureName, or metadata.name). */
  azureName?: string;
}

export type ImageDefinition = CustomResource<"ImageDefinition", ImageDefinitionSpec, ImageDefinitionStatus>;
