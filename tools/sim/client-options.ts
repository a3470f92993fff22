// What to pass to Azure SDK clients so they talk to a simulator: its endpoint and its CA.
//
// NODE_EXTRA_CA_CERTS is read once when Node starts, so setting it in a running process does not
// help; a child process started with it (`NODE_EXTRA_CA_CERTS=<caFile>`) trusts the simulator.
// In-process, @azure/core-rest-pipeline's `tlsOptions` (PipelineOptions → tlsPolicy) sets a
// per-request `tlsSettings.ca`, and its Node HTTP client builds a keep-alive https.Agent with it.

export interface SimClientOptions {
  /** Base URL for @azure/arm-compute (modular clients) and the credential scope of classic ones. */
  endpoint: string;
  /** Base URL used by AutoRest "classic" clients such as @azure/arm-authorization 9. */
  $host: string;
  /** Trust the simulator's CA (PipelineOptions.tlsOptions). */
  tlsOptions: { ca: string };
}

/**
 * Options for `new ComputeManagementClient(credential, subscriptionId, simClientOptions(sim))`
 * and `new AuthorizationManagementClient(credential, subscriptionId, simClientOptions(sim))`.
 * Spread them into your own options to add retry or logging settings.
 */
export function simClientOptions(sim: { endpoint: string; caPem: string }): SimClientOptions {
  return { endpoint: sim.endpoint, $host: sim.endpoint, tlsOptions: { ca: sim.caPem } };
}
