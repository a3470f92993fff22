// GalleryPolicy in the operator process: the live cache, the engine over it, and ARM facades per
// namespace under the identity the policies chose. operator.ts wires these into the reconciler
// context; nothing here reconciles.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { IdentityStatus } from "../api/index.js";
import {
  type ArmApi,
  type ClientFactory,
  type CredentialConfig,
  createArmApi,
  credentialKey,
  identitySlot,
  type Secret,
  secret,
} from "../azure/index.js";
import type { KubeTransport } from "../kube/index.js";
import { PolicyCache } from "./cache.js";
import type { Peers } from "./counts.js";
import { type DefaultPolicy, PolicyEngine } from "./engine.js";
import type { PolicySubject, Violation } from "./subject.js";

/** An object's namespace has no usable identity (see its PolicyViolation); nothing may call ARM for it. */
export class IdentityUnavailableError extends Error {
  override name = "IdentityUnavailableError";
}

export interface PolicyRuntimeOptions {
  transport: KubeTransport;
  logger: Logger;
  factory: ClientFactory;
  /** The operator's own identity: namespaces whose policies name none use it. */
  credential: CredentialConfig;
  authorityHost?: string;
  /** The operator's namespace, where clientSecret identities' Secrets are. */
  secretNamespace: string;
  defaultPolicy: DefaultPolicy;
  /** Simulator only: `<clientId>.jwt` tokens standing for policy identities (static credential mode). */
  staticTokenDir?: string;
  secretRefreshMs?: number;
  /** How long a parent's ARM list answers resync reads (the resync period; see createArmApi). */
  listMaxAgeMs?: number;
  /** Namespaces whose objects must be looked at again (a policy, label or identity Secret changed). */
  onChange(namespaces: ReadonlySet<string>): void;
}

/**
 * Starts watching policies; stop with `stop()`.
 *
 * Guarantees: `arm(ns)` hands out one ArmApi per identity (the factory caches one client per
 * identity and subscription); `identity(ns)` never holds a secret; `arm(ns)` throws
 * IdentityUnavailableError rather than fall back to another identity.
 * Caveats: answers are meaningful only after `cache.waitSynced()`; wait before reconciling.
 */
export function startPolicyRuntime(o: PolicyRuntimeOptions) {
  const cache = new PolicyCache({
    transport: o.transport,
    logger: o.logger.child({ component: "policy" }),
    secretNamespace: o.secretNamespace,
    onChange: o.onChange,
    ...(o.secretRefreshMs ? { secretRefreshMs: o.secretRefreshMs } : {}),
  });
  const engine = new PolicyEngine(cache, {
    defaultPolicy: o.defaultPolicy,
    operator: o.credential,
    operatorInfo: identityInfoOf(o.credential),
    secretNamespace: o.secretNamespace,
    ...(o.authorityHost ? { authorityHost: o.authorityHost } : {}),
    ...(o.credential.kind === "static" && o.staticTokenDir
      ? { staticToken: staticTokens(o.staticTokenDir) }
      : {}),
  });
  // By identity slot: a rotated secret replaces the identity's facades (and their list snapshots).
  const apis = new Map<string, { key: string; api: ArmApi }>();
  cache.start();
  return {
    cache,
    arm(namespace: string): ArmApi {
      const resolved = engine.identity(namespace);
      if (!resolved.ok) throw new IdentityUnavailableError(`namespace ${namespace}: ${resolved.problem}`);
      const key = credentialKey(resolved.credential);
      const slot = identitySlot(resolved.credential);
      const cached = apis.get(slot);
      if (cached?.key === key) return cached.api;
      // One list snapshot per identity: what one identity listed is never shown to another.
      const api = createArmApi(o.factory.clientsFor(resolved.credential), { listMaxAgeMs: o.listMaxAgeMs });
      apis.set(slot, { key, api });
      return api;
    },
    identity: (namespace: string): IdentityStatus => engine.identity(namespace).info,
    violations: (subject: PolicySubject, peers: Peers): Violation[] => engine.violations(subject, peers),
    stop: () => cache.stop(),
  };
}

export type PolicyRuntime = ReturnType<typeof startPolicyRuntime>;

/** What status shows of the operator's own identity. */
export function identityInfoOf(credential: CredentialConfig): IdentityStatus {
  return {
    mode: credential.kind,
    ...("clientId" in credential && credential.clientId ? { clientId: credential.clientId } : {}),
    ...("tenantId" in credential && credential.tenantId ? { tenantId: credential.tenantId } : {}),
  };
}

/** Simulator tokens by client id, from `<dir>/<clientId>.jwt` (a missing file is looked for again). */
function staticTokens(dir: string): (clientId: string) => Secret | undefined {
  const found = new Map<string, Secret>();
  return (clientId) => {
    // Client ids from a Secret are not checked by any schema: keep them from naming other paths.
    if (!/^[0-9A-Za-z-]+$/.test(clientId)) return undefined;
    if (!found.has(clientId)) {
      try {
        found.set(clientId, secret(readFileSync(join(dir, `${clientId}.jwt`), "utf8").trim()));
      } catch {
        return undefined;
      }
    }
    return found.get(clientId);
  };
}
