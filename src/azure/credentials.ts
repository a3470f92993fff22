// Which Azure identity the operator acts as: a typed, loggable config per kind, turned into an
// @azure/identity TokenCredential, plus the tenant-pinned credentials that sign the
// `x-ms-authorization-auxiliary` header for cross-tenant work (seed 003).
import { createHash } from "node:crypto";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import {
  ClientSecretCredential,
  CredentialUnavailableError,
  DefaultAzureCredential,
  ManagedIdentityCredential,
  type TokenCredentialOptions,
  WorkloadIdentityCredential,
} from "@azure/identity";
import { Secret, secret } from "./secret.js";

interface CommonCredentialConfig {
  /**
   * Other tenants this identity acts in (an app registration present in several tenants).
   * Requests then carry `x-ms-authorization-auxiliary` with a token for each, and identity
   * credentials are allowed to fetch tokens for them.
   */
  auxiliaryTenants?: readonly string[];
  /** Entra authority for sovereign clouds, e.g. `https://login.microsoftonline.us`. */
  authorityHost?: string;
  /**
   * Where the values came from, for messages when getting a token fails (names only, never
   * values): e.g. "environment variables AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET".
   */
  source?: string;
}

/** `DefaultAzureCredential`: environment, workload identity, managed identity, developer tools. */
export interface DefaultCredentialConfig extends CommonCredentialConfig {
  kind: "default";
  tenantId?: string;
  /** Client id for the workload- or user-assigned managed identity the chain tries. */
  clientId?: string;
}

export interface ClientSecretCredentialConfig extends CommonCredentialConfig {
  kind: "clientSecret";
  tenantId: string;
  clientId: string;
  clientSecret: Secret;
}

export interface WorkloadIdentityCredentialConfig extends CommonCredentialConfig {
  kind: "workloadIdentity";
  clientId: string;
  /** Defaults to AZURE_TENANT_ID, which the workload identity webhook sets. */
  tenantId?: string;
  /** Defaults to AZURE_FEDERATED_TOKEN_FILE. */
  tokenFilePath?: string;
}

export interface ManagedIdentityCredentialConfig extends CommonCredentialConfig {
  kind: "managedIdentity";
  /** A user-assigned identity; omitted = the system-assigned one. */
  clientId?: string;
}

/** Fixed bearer tokens: only for the ARM simulator and tests. */
export interface StaticCredentialConfig extends CommonCredentialConfig {
  kind: "static";
  tenantId: string;
  token: Secret;
  /** Tokens for other tenants, by tenant id (for auxiliary-tenant requests). */
  tenantTokens?: Readonly<Record<string, Secret>>;
}

/** A TokenCredential built elsewhere (tests); `id` keys the client cache and must be unique. */
export interface TokenCredentialConfig extends CommonCredentialConfig {
  kind: "tokenCredential";
  id: string;
  credential: TokenCredential;
}

export type CredentialConfig =
  | DefaultCredentialConfig
  | ClientSecretCredentialConfig
  | WorkloadIdentityCredentialConfig
  | ManagedIdentityCredentialConfig
  | StaticCredentialConfig
  | TokenCredentialConfig;

export class CredentialConfigError extends Error {
  override name = "CredentialConfigError";
}

/** Transport settings identity credentials share with the ARM clients (a CA to trust). */
export type CredentialTransportOptions = Pick<TokenCredentialOptions, "agent" | "httpClient">;

/**
 * Builds the TokenCredential a config describes.
 *
 * Guarantees: identity credentials may fetch tokens for `auxiliaryTenants`
 * (`additionallyAllowedTenants`) and use `authorityHost`; nothing is fetched here, so a bad
 * secret shows up as an Auth ArmError on the first request.
 * Errors: CredentialConfigError for a managed identity with auxiliary tenants (a managed identity
 * lives in one tenant).
 */
export function createCredential(
  config: CredentialConfig,
  transport: CredentialTransportOptions = {},
): TokenCredential {
  const credential = buildCredential(config, transport);
  return config.kind === "tokenCredential"
    ? credential
    : new ExplainedCredential(credential, describeCredential(config));
}

/** Entra ID's public authority, what @azure/identity uses when neither config nor env name one. */
const PUBLIC_AUTHORITY = "https://login.microsoftonline.com";

/**
 * What the operator tried when a token request fails: the mode, the tenant and client ids (ids
 * are not secrets), where the values came from, and the authority host. Never a secret's value.
 */
export function describeCredential(config: CredentialConfig, env: NodeJS.ProcessEnv = process.env): string {
  const authority = config.authorityHost ?? env.AZURE_AUTHORITY_HOST ?? PUBLIC_AUTHORITY;
  const ids = [
    "tenantId" in config && config.tenantId ? `tenant ${config.tenantId}` : "",
    "clientId" in config && config.clientId ? `client ${config.clientId}` : "",
  ].filter(Boolean);
  const what = ids.length > 0 ? ` (${ids.join(", ")})` : "";
  const from = config.source ? `, from ${config.source}` : "";
  const where =
    config.kind === "managedIdentity" ? "the instance metadata service (IMDS)" : `authority ${authority}`;
  // DefaultAzureCredential picks what to try from the environment: say which of its variables are
  // set (names only), which is usually the answer to "why did it not use my identity?".
  const set = config.kind === "default" ? DEFAULT_CHAIN_VARIABLES.filter((name) => env[name]) : [];
  const seen = config.kind === "default" ? `; set: ${set.length > 0 ? set.join(", ") : "none of them"}` : "";
  return `credential ${config.kind}${what}${from}${seen}, at ${where}`;
}

const DEFAULT_CHAIN_VARIABLES = [
  "AZURE_TENANT_ID",
  "AZURE_CLIENT_ID",
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PATH",
  "AZURE_FEDERATED_TOKEN_FILE",
];

/**
 * Adds what was tried to a token failure, which otherwise reads like "network_error: See
 * https://aka.ms/msal.js.errors#network_error". The error itself is rethrown (its class and name,
 * which classification goes by, stay), with the description appended to its message.
 */
export class ExplainedCredential implements TokenCredential {
  constructor(
    /** The @azure/identity credential that gets the tokens. */
    readonly inner: TokenCredential,
    readonly description: string,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    try {
      return await this.inner.getToken(scopes, options);
    } catch (err) {
      if (err instanceof Error) {
        err.message = `${err.message} (tried ${this.description}; check that it is reachable from the operator and that these settings are right)`;
      }
      throw err;
    }
  }
}

function buildCredential(config: CredentialConfig, transport: CredentialTransportOptions): TokenCredential {
  const common: TokenCredentialOptions & { additionallyAllowedTenants?: string[] } = {
    ...transport,
    ...(config.authorityHost ? { authorityHost: config.authorityHost } : {}),
    ...(config.auxiliaryTenants?.length ? { additionallyAllowedTenants: [...config.auxiliaryTenants] } : {}),
  };
  switch (config.kind) {
    case "default":
      return new DefaultAzureCredential({
        ...common,
        ...(config.tenantId ? { tenantId: config.tenantId } : {}),
        ...(config.clientId
          ? { managedIdentityClientId: config.clientId, workloadIdentityClientId: config.clientId }
          : {}),
      });
    case "clientSecret":
      return new ClientSecretCredential(
        config.tenantId,
        config.clientId,
        config.clientSecret.reveal(),
        common,
      );
    case "workloadIdentity":
      return new WorkloadIdentityCredential({
        ...common,
        clientId: config.clientId,
        ...(config.tenantId ? { tenantId: config.tenantId } : {}),
        ...(config.tokenFilePath ? { tokenFilePath: config.tokenFilePath } : {}),
      });
    case "managedIdentity":
      if (config.auxiliaryTenants?.length) {
        throw new CredentialConfigError(
          "a managed identity cannot act in auxiliary tenants; use an app registration",
        );
      }
      return config.clientId
        ? new ManagedIdentityCredential({ ...transport, clientId: config.clientId })
        : new ManagedIdentityCredential({ ...transport });
    case "static":
      return new StaticTokenCredential(config.tenantId, config.token, config.tenantTokens ?? {});
    case "tokenCredential":
      return config.credential;
  }
}

/**
 * One credential per auxiliary tenant: the primary credential asked for a token in that tenant.
 * Feed them to core-rest-pipeline's `auxiliaryAuthenticationHeaderPolicy`.
 */
export function auxiliaryCredentials(primary: TokenCredential, config: CredentialConfig): TokenCredential[] {
  return (config.auxiliaryTenants ?? []).map((tenantId) => tenantPinned(primary, tenantId));
}

/**
 * A stable key for "the same identity": kind, tenant and client in clear, everything else
 * (secrets included) hashed, so it is safe to log and to key caches by.
 */
export function credentialKey(config: CredentialConfig): string {
  if (config.kind === "tokenCredential") return `tokenCredential:${config.id}`;
  const tenant = "tenantId" in config ? (config.tenantId ?? "-") : "-";
  const client = "clientId" in config ? (config.clientId ?? "-") : "-";
  const material = JSON.stringify(revealed(config));
  const digest = createHash("sha256").update(material).digest("hex").slice(0, 12);
  return `${config.kind}:${tenant}:${client}:${digest}`;
}

/**
 * Who the identity is, without what proves it: kind, tenant, client, auxiliary tenants and
 * authority, never a secret. A rotated secret keeps the slot and changes `credentialKey`, so a
 * cache keyed by slot replaces the old credential (and its clients) instead of keeping both.
 */
export function identitySlot(config: CredentialConfig): string {
  if (config.kind === "tokenCredential") return `tokenCredential:${config.id}`;
  const tenant = "tenantId" in config ? (config.tenantId ?? "-") : "-";
  const client = "clientId" in config ? (config.clientId ?? "-") : "-";
  const aux = [...(config.auxiliaryTenants ?? [])].sort().join(",");
  return `${config.kind}:${tenant}:${client}:${aux}:${config.authorityHost ?? "-"}`;
}

/** The shape of `OperatorConfig.credential` (src/config.ts) plus the ARM settings that go with it. */
export interface CredentialSettings {
  mode: CredentialConfig["kind"];
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  auxiliaryTenants: readonly string[];
  authorityHost?: string;
  /** The bearer token for `static` mode (the simulator's). */
  staticToken?: string;
  /** `static` mode: tokens for other tenants (auxiliary tenants), by tenant id. */
  staticTenantTokens?: Readonly<Record<string, string>>;
}

/**
 * Maps flat operator settings onto a CredentialConfig.
 * Errors: CredentialConfigError naming what a mode is missing (never a secret's value).
 */
export function credentialConfigFromSettings(s: CredentialSettings): CredentialConfig {
  const source = SETTINGS_SOURCES[s.mode];
  const common = {
    ...(s.auxiliaryTenants.length ? { auxiliaryTenants: [...s.auxiliaryTenants] } : {}),
    ...(s.authorityHost ? { authorityHost: s.authorityHost } : {}),
    ...(source ? { source } : {}),
  };
  const need = (what: string, value: string | undefined): string => {
    if (!value) throw new CredentialConfigError(`credential ${s.mode}: ${what} is required`);
    return value;
  };
  switch (s.mode) {
    case "default":
      return { kind: "default", tenantId: s.tenantId, clientId: s.clientId, ...common };
    case "clientSecret":
      return {
        kind: "clientSecret",
        tenantId: need("tenantId", s.tenantId),
        clientId: need("clientId", s.clientId),
        clientSecret: secret(need("clientSecret", s.clientSecret)),
        ...common,
      };
    case "workloadIdentity":
      return {
        kind: "workloadIdentity",
        clientId: need("clientId", s.clientId),
        tenantId: s.tenantId,
        ...common,
      };
    case "managedIdentity":
      return { kind: "managedIdentity", clientId: s.clientId, ...common };
    case "static":
      return {
        kind: "static",
        tenantId: need("tenantId", s.tenantId),
        token: secret(need("staticToken", s.staticToken)),
        ...(s.staticTenantTokens
          ? {
              tenantTokens: Object.fromEntries(
                Object.entries(s.staticTenantTokens).map(([tenant, token]) => [tenant, secret(token)]),
              ),
            }
          : {}),
        ...common,
      };
    case "tokenCredential":
      throw new CredentialConfigError("credential tokenCredential: only available to code, not to settings");
  }
}

/** Where `run` reads each mode's settings (src/config.ts), for failure messages. */
const SETTINGS_SOURCES: Partial<Record<CredentialConfig["kind"], string>> = {
  clientSecret: "environment variables AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET",
  workloadIdentity: "environment variables AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE",
  managedIdentity: "environment variable AZURE_CLIENT_ID (empty: the system-assigned identity)",
  default:
    "DefaultAzureCredential: environment (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH), workload identity (AZURE_FEDERATED_TOKEN_FILE), managed identity, developer tools",
  static: "AGO_ARM_TOKEN (simulator)",
};

/** Hands out fixed tokens; the tenant a caller asks for picks which. */
class StaticTokenCredential implements TokenCredential {
  constructor(
    private readonly tenantId: string,
    private readonly token: Secret,
    private readonly tenantTokens: Readonly<Record<string, Secret>>,
  ) {}

  async getToken(_scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    const tenant = (options?.tenantId ?? this.tenantId).toLowerCase();
    const token =
      tenant === this.tenantId.toLowerCase()
        ? this.token
        : Object.entries(this.tenantTokens).find(([t]) => t.toLowerCase() === tenant)?.[1];
    if (!token) throw new CredentialUnavailableError(`no static token configured for tenant ${tenant}`);
    return { token: token.reveal(), expiresOnTimestamp: Date.now() + 3_600_000, tokenType: "Bearer" };
  }
}

// Secrets must change the key (a rotated secret is a new client) without being readable in it.
function revealed(value: unknown): unknown {
  if (value instanceof Secret) return value.reveal();
  if (Array.isArray(value)) return value.map(revealed);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealed(v)]));
  }
  return value;
}

function tenantPinned(primary: TokenCredential, tenantId: string): TokenCredential {
  return {
    getToken: (scopes, options) => primary.getToken(scopes, { ...options, tenantId }),
  };
}
