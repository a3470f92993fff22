import { inspect } from "node:util";
import {
  ClientSecretCredential,
  CredentialUnavailableError,
  DefaultAzureCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
} from "@azure/identity";
import { describe, expect, it } from "vitest";
import {
  auxiliaryCredentials,
  type CredentialConfig,
  CredentialConfigError,
  createCredential,
  credentialConfigFromSettings,
  credentialKey,
} from "../../../src/azure/credentials.js";
import { secret } from "../../../src/azure/secret.js";

const TENANT = "11111111-1111-1111-1111-111111111111";
const OTHER = "22222222-2222-2222-2222-222222222222";
const CLIENT = "33333333-3333-3333-3333-333333333333";

describe("credential configs", () => {
  const config: CredentialConfig = {
    kind: "clientSecret",
    tenantId: TENANT,
    clientId: CLIENT,
    clientSecret: secret("s3cr3t-value"),
  };

  it("never print their secrets", () => {
    expect(JSON.stringify(config)).not.toContain("s3cr3t-value");
    expect(JSON.stringify(config)).toContain("[REDACTED]");
    expect(inspect(config, { depth: 5 })).not.toContain("s3cr3t-value");
    expect(`${config.clientSecret}`).toBe("[REDACTED]");
    expect(String(config.clientSecret)).toBe("[REDACTED]");
    expect(config.clientSecret.reveal()).toBe("s3cr3t-value");
  });

  it("key identities without exposing secrets, and change key when a secret changes", () => {
    const key = credentialKey(config);
    expect(key).toMatch(new RegExp(`^clientSecret:${TENANT}:${CLIENT}:[0-9a-f]{12}$`));
    expect(key).not.toContain("s3cr3t");
    expect(credentialKey({ ...config, clientSecret: secret("s3cr3t-value") })).toBe(key);
    expect(credentialKey({ ...config, clientSecret: secret("rotated") })).not.toBe(key);
    expect(credentialKey({ ...config, auxiliaryTenants: [OTHER] })).not.toBe(key);
  });

  it("build the @azure/identity credential of each kind", () => {
    expect(createCredential({ kind: "default" })).toBeInstanceOf(DefaultAzureCredential);
    expect(createCredential(config)).toBeInstanceOf(ClientSecretCredential);
    expect(
      createCredential({
        kind: "workloadIdentity",
        clientId: CLIENT,
        tenantId: TENANT,
        tokenFilePath: "/var/run/token",
      }),
    ).toBeInstanceOf(WorkloadIdentityCredential);
    expect(createCredential({ kind: "managedIdentity", clientId: CLIENT })).toBeInstanceOf(
      ManagedIdentityCredential,
    );
  });

  it("refuse a managed identity acting in other tenants", () => {
    expect(() => createCredential({ kind: "managedIdentity", auxiliaryTenants: [OTHER] })).toThrow(
      CredentialConfigError,
    );
  });

  it("static tokens answer per tenant, and auxiliary credentials ask for their tenant", async () => {
    const staticConfig: CredentialConfig = {
      kind: "static",
      tenantId: TENANT,
      token: secret("token-home"),
      tenantTokens: { [OTHER]: secret("token-other") },
      auxiliaryTenants: [OTHER],
    };
    const primary = createCredential(staticConfig);
    expect((await primary.getToken("https://management.azure.com/.default"))?.token).toBe("token-home");
    const [aux, ...rest] = auxiliaryCredentials(primary, staticConfig);
    expect(rest).toHaveLength(0);
    expect((await aux?.getToken("https://management.azure.com/.default"))?.token).toBe("token-other");
    await expect(
      primary.getToken("scope", { tenantId: "33333333-0000-0000-0000-000000000000" }),
    ).rejects.toBeInstanceOf(CredentialUnavailableError);
  });

  it("map flat operator settings, naming what is missing", () => {
    expect(
      credentialConfigFromSettings({ mode: "workloadIdentity", clientId: CLIENT, auxiliaryTenants: [OTHER] }),
    ).toEqual({ kind: "workloadIdentity", clientId: CLIENT, tenantId: undefined, auxiliaryTenants: [OTHER] });
    const cs = credentialConfigFromSettings({
      mode: "clientSecret",
      tenantId: TENANT,
      clientId: CLIENT,
      clientSecret: "abc",
      auxiliaryTenants: [],
      authorityHost: "https://login.microsoftonline.us",
    });
    expect(cs).toMatchObject({ kind: "clientSecret", authorityHost: "https://login.microsoftonline.us" });
    expect(JSON.stringify(cs)).not.toContain("abc");
    expect(() =>
      credentialConfigFromSettings({ mode: "clientSecret", tenantId: TENANT, auxiliaryTenants: [] }),
    ).toThrow(/clientId is required/);
    expect(() =>
      credentialConfigFromSettings({ mode: "static", tenantId: TENANT, auxiliaryTenants: [] }),
    ).toThrow(/staticToken is required/);
  });
});
