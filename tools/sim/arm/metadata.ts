// `GET /metadata/endpoints`: the cloud description ARM serves without a token, which
// `az cloud register --endpoint-resource-manager` and other discovery clients read
// (docs/arm-behaviour.md#discovery). The simulator describes a cloud whose resource manager is
// itself; the other endpoints are Azure public cloud's, since nothing here serves them.

/** One cloud entry, shaped like Azure's. */
function cloud(resourceManager: string): Record<string, unknown> {
  return {
    portal: "https://portal.azure.com",
    authentication: {
      loginEndpoint: "https://login.microsoftonline.com",
      audiences: ["https://management.core.windows.net/", "https://management.azure.com/", resourceManager],
      tenant: "common",
      identityProvider: "AAD",
    },
    media: "https://rest.media.azure.net",
    graphAudience: "https://graph.windows.net/",
    graph: "https://graph.windows.net/",
    name: "AzureGalleryOperatorSimulator",
    suffixes: {
      keyVaultDns: "vault.azure.net",
      storage: "core.windows.net",
      acrLoginServer: "azurecr.io",
      sqlServerHostname: "database.windows.net",
    },
    batch: "https://batch.core.windows.net/",
    resourceManager,
    vmImageAliasDoc:
      "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/main/arm-compute/quickstart-templates/aliases.json",
    activeDirectoryDataLake: "https://datalake.azure.net/",
    sqlManagement: "https://management.core.windows.net:8443/",
    gallery: "https://gallery.azure.com/",
    microsoftGraphResourceId: "https://graph.microsoft.com/",
  };
}

/**
 * The body for `apiVersion`: api-versions from 2019-05-01 up to 2022-09-01 list every cloud (what
 * the Azure CLI's `ARM_CLOUD_METADATA_URL` reads); 2022-09-01 and later, and older ones, describe
 * the one cloud (what `az cloud register` reads with 2022-09-01).
 */
export function metadataEndpoints(baseUrl: string, apiVersion: string | null): unknown {
  const entry = cloud(`${baseUrl}/`);
  const listing = apiVersion !== null && apiVersion >= "2019-05-01" && apiVersion < "2022-09-01";
  return listing ? [entry] : entry;
}
