// Shared set-up for the azure/ integration tests: real SDK clients over HTTPS against the ARM
// simulator, identities as simulator tokens.
import { ClientFactory, type ClientFactoryOptions } from "../../src/azure/clients.js";
import type { CredentialConfig } from "../../src/azure/credentials.js";
import { secret } from "../../src/azure/secret.js";
import { mintToken, type Simulator } from "../../tools/sim/index.js";

export const TENANT_A = "aaaaaaaa-0000-4000-8000-00000000000a";
export const TENANT_B = "bbbbbbbb-0000-4000-8000-00000000000b";
export const SUB_A = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
export const SUB_B = "34a4ab42-0d72-47d9-bd1a-aed207386dac";
export const APP_ID = "cccccccc-0000-4000-8000-0000000000cc";
export const APP_OBJECT_ID = "dddddddd-0000-4000-8000-0000000000dd";

/** The operator's app registration as seen by the simulator, optionally acting in more tenants. */
export function appIdentity(tenantId: string, auxiliaryTenants: string[] = []): CredentialConfig {
  const token = (tid: string) => secret(mintToken({ tid, oid: APP_OBJECT_ID, appid: APP_ID }));
  return {
    kind: "static",
    tenantId,
    token: token(tenantId),
    tenantTokens: Object.fromEntries(auxiliaryTenants.map((t) => [t, token(t)])),
    auxiliaryTenants,
  };
}

/** A factory pointed at the simulator, trusting its CA from the file it wrote. */
export function simFactory(sim: Simulator, options: ClientFactoryOptions = {}): ClientFactory {
  return new ClientFactory({ endpoint: sim.endpoint, caFile: sim.caFile, ...options });
}
