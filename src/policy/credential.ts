// From a namespace's chosen identity to the credential the ARM clients use, and what status shows
// of it. Reading the Secret is the caller's business (PolicyCache); this file only decides.
import type { IdentityStatus } from "../api/index.js";
import { type CredentialConfig, type Secret, secret } from "../azure/index.js";
import type { IdentityChoice } from "./identity.js";

/** A credential Secret in the operator's namespace, as last read. */
export type SecretState =
  | { state: "pending" }
  | { state: "missing"; reason: string }
  | { state: "found"; data: Readonly<Record<string, Secret>> };

export interface CredentialSettings {
  /** The operator's own identity, for namespaces whose policies name none. */
  operator: CredentialConfig;
  operatorInfo: IdentityStatus;
  authorityHost?: string;
  /** Where clientSecret identities' Secrets are (for messages). */
  secretNamespace: string;
  /**
   * Simulator only (`--credential static` with `--static-token-dir`): the fixed token standing for
   * a client id, since the simulator cannot hand out real tokens. Undefined outside static mode.
   */
  staticToken?(clientId: string): Secret | undefined;
}

export type ResolvedIdentity =
  | { ok: true; credential: CredentialConfig; info: IdentityStatus }
  | { ok: false; info: IdentityStatus; policy: string; problem: string };

/**
 * The credential for a namespace's identity.
 *
 * Guarantees: never returns a secret in `info` or `problem`; a Secret that is not read yet,
 * missing, or lacks a key is a problem (the namespace's objects wait), not a fallback to the
 * operator's own identity.
 */
export function resolveCredential(
  choice: IdentityChoice,
  secretOf: (name: string) => SecretState,
  s: CredentialSettings,
): ResolvedIdentity {
  switch (choice.kind) {
    case "operator":
      return { ok: true, credential: s.operator, info: s.operatorInfo };
    case "conflict":
      return {
        ok: false,
        info: { mode: "conflict" },
        policy: choice.policies.join(", "),
        problem: `the GalleryPolicies ${choice.policies.join(", ")} name different identities for this namespace; the operator acts for none of them until one identity remains`,
      };
    case "policy":
      break;
  }
  const { identity, policy } = choice;
  const fail = (info: IdentityStatus, problem: string): ResolvedIdentity => ({
    ok: false,
    info,
    policy,
    problem,
  });
  const common = s.authorityHost ? { authorityHost: s.authorityHost } : {};
  if (identity.workloadIdentity) {
    const { clientId, tenantId } = identity.workloadIdentity;
    const info: IdentityStatus = { mode: "workloadIdentity", clientId, ...(tenantId ? { tenantId } : {}) };
    if (s.staticToken) return simulated(info, clientId, tenantId, s, fail);
    const source = `GalleryPolicy ${policy} (token file AZURE_FEDERATED_TOKEN_FILE)`;
    return {
      ok: true,
      info,
      credential: { kind: "workloadIdentity", clientId, tenantId, ...common, source },
    };
  }
  const ref = identity.clientSecret;
  if (!ref)
    return fail({ mode: "unknown" }, "the policy's identity names neither workloadIdentity nor clientSecret");
  const where = `Secret ${s.secretNamespace}/${ref.secretName}`;
  const read = secretOf(ref.secretName);
  if (read.state === "pending") return fail({ mode: "clientSecret" }, `waiting to read ${where}`);
  if (read.state === "missing") return fail({ mode: "clientSecret" }, `cannot use ${where}: ${read.reason}`);
  const keys = [ref.tenantIdKey, ref.clientIdKey, ref.clientSecretKey];
  const absent = keys.filter((k) => !read.data[k]?.reveal());
  if (absent.length > 0) return fail({ mode: "clientSecret" }, `${where} has no ${absent.join(", ")}`);
  const tenantId = read.data[ref.tenantIdKey]?.reveal() ?? "";
  const clientId = read.data[ref.clientIdKey]?.reveal() ?? "";
  const info: IdentityStatus = { mode: "clientSecret", clientId, tenantId };
  if (s.staticToken) return simulated(info, clientId, tenantId, s, fail);
  const clientSecret = read.data[ref.clientSecretKey] ?? secret("");
  return {
    ok: true,
    info,
    credential: {
      kind: "clientSecret",
      tenantId,
      clientId,
      clientSecret,
      ...common,
      source: `${where} (keys ${keys.join(", ")})`,
    },
  };
}

/** Static mode: the identity's fixed simulator token, in the identity's tenant (else the operator's). */
function simulated(
  info: IdentityStatus,
  clientId: string,
  tenantId: string | undefined,
  s: CredentialSettings,
  fail: (info: IdentityStatus, problem: string) => ResolvedIdentity,
): ResolvedIdentity {
  const token = s.staticToken?.(clientId);
  if (!token) return fail(info, `no simulator token for client id ${clientId} (--static-token-dir)`);
  const tenant = tenantId || ("tenantId" in s.operator ? s.operator.tenantId : undefined) || "";
  return { ok: true, info, credential: { kind: "static", tenantId: tenant, token } };
}
