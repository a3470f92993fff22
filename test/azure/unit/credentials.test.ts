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
  describeCredential,
  type ExplainedCredential,
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
    const inner = (c: CredentialConfig) => (createCredential(c) as ExplainedCredential).inner;
    expect(inner({ kind: "default" })).toBeInstanceOf(DefaultAzureCredential);
    expect(inner(config)).toBeInstanceOf(ClientSecretCredential);
    expect(
      inner({
        kind: "workloadIdentity",
        clientId: CLIENT,
        tenantId: TENANT,
        tokenFilePath: "/var/run/token",
      }),
    ).toBeInstanceOf(WorkloadIdentityCredential);
    expect(inner({ kind: "managedIdentity", clientId: CLIENT })).toBeInstanceOf(ManagedIdentityCredential);
  });

  it("say what they tried when a token request fails: mode, ids, where from, authority; no secret", async () => {
    const described = describeCredential(
      credentialConfigFromSettings({
        mode: "clientSecret",
        tenantId: TENANT,
        clientId: CLIENT,
        clientSecret: "s3cr3t-value",
        auxiliaryTenants: [],
        authorityHost: "https://login.example",
      }),
    );
    expect(described).toBe(
      `credential clientSecret (tenant ${TENANT}, client ${CLIENT}), from environment variables AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, at authority https://login.example`,
    );
    expect(describeCredential({ kind: "default" }, {})).toContain(
      "; set: none of them, at authority https://login.microsoftonline.com",
    );
    expect(
      describeCredential({ kind: "default" }, { AZURE_CLIENT_ID: CLIENT, AZURE_FEDERATED_TOKEN_FILE: "/t" }),
    ).toContain("; set: AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE,");
    expect(describeCredential({ kind: "default" }, { AZURE_AUTHORITY_HOST: "https://login.us" })).toContain(
      "at authority https://login.us",
    );
    expect(describeCredential({ kind: "managedIdentity" })).toContain("the instance metadata service");
    // A static credential asked for a tenant it has no token for fails, and says what it was.
    const failing = createCredential({ kind: "static", tenantId: TENANT, token: secret("t") });
    const error = await failing.getToken("scope", { tenantId: OTHER }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialUnavailableError);
    expect((error as Error).message).toContain(
      `no static token configured for tenant ${OTHER} (tried credential static`,
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
    ).toEqual({
      kind: "workloadIdentity",
      clientId: CLIENT,
      tenantId: undefined,
      auxiliaryTenants: [OTHER],
      source: "environment variables AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE",
    });
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
