// One place that makes ARM clients: per (identity, subscription) one ComputeManagementClient and
// one AuthorizationManagementClient, all sharing one HTTPS agent (the extra CA), one rate-limit
// budget, and the same pipeline additions.

import type { Agent } from "node:https";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ComputeManagementClient } from "@azure/arm-compute";
import type { TokenCredential } from "@azure/core-auth";
import {
  auxiliaryAuthenticationHeaderPolicy,
  type Pipeline,
  type PipelinePolicy,
  type PipelineRetryOptions,
} from "@azure/core-rest-pipeline";
import { BudgetTracker, type ReserveOptions } from "./budget.js";
import {
  auxiliaryCredentials,
  type CredentialConfig,
  createCredential,
  credentialKey,
  identitySlot,
} from "./credentials.js";
import type { ArmError } from "./errors.js";
import { type ArmRequestEvent, DEFAULT_MAX_WAIT_MS, heldBack, rateLimitPolicy } from "./ratelimit.js";
import { createTrustingAgent } from "./tls.js";

export const PUBLIC_ARM_ENDPOINT = "https://management.azure.com";

export interface ClientFactoryOptions {
  /** ARM base URL: a sovereign cloud or the simulator. Default public Azure. */
  endpoint?: string;
  /** Token scope for ARM. Default `{endpoint origin}/.default`. */
  credentialScope?: string;
  /** Extra CA to trust for ARM (and the token endpoint), as a PEM file... */
  caFile?: string;
  /** ...or as PEM text. */
  caPem?: string;
  /** SDK retries for 5xx, network errors and short 429s. Default 2 retries, 0.5 s doubling, 4 s cap. */
  retry?: PipelineRetryOptions;
  /** Abandon one HTTP attempt after this long, so a hung connection cannot hold a worker. Default 60 s. */
  requestTimeoutMs?: number;
  rateLimit?: {
    reserve?: ReserveOptions;
    /** Longest wait slept inside a worker; longer ones become Throttled errors. Default 5 s. */
    maxWaitMs?: number;
    subscriptionWindowMs?: number;
    /** See RateLimitPolicyOptions.windowScale. */
    windowScale?: number;
    defaultRetryAfterMs?: number;
  };
  /** Called after every HTTP attempt (metrics). */
  onRequest?: (event: ArmRequestEvent) => void;
  userAgentPrefix?: string;
}

/** The clients of one identity, by subscription. What the resource facades need. */
export interface ArmClients {
  compute(subscriptionId: string): ComputeManagementClient;
  authorization(subscriptionId: string): AuthorizationManagementClient;
  /**
   * Whether a `method` request to `path` would be held back by the shared rate budget now, asked
   * before sending it: undefined, or the Throttled error it would fail with (`heldBack` in ratelimit.ts).
   */
  heldBack(method: string, path: string): ArmError | undefined;
}

interface Identity {
  /** `credentialKey` of the config it was made from: another one (a rotated secret) replaces it. */
  key: string;
  credential: TokenCredential;
  auxiliary: TokenCredential[];
  compute: Map<string, ComputeManagementClient>;
  authorization: Map<string, AuthorizationManagementClient>;
}

const DEFAULT_RETRY: PipelineRetryOptions = { maxRetries: 2, retryDelayInMs: 500, maxRetryDelayInMs: 4000 };

export class ClientFactory {
  /** The shared rate-limit state; `budgets.snapshot()` feeds metrics. */
  readonly budgets: BudgetTracker;
  readonly endpoint: string;
  private readonly scope: string;
  private readonly agent: Agent | undefined;
  /** The longest a request may wait for budget inside a worker: the policy's and `heldBack`'s. */
  private readonly maxWaitMs: number;
  /** By `identitySlot`: one entry per identity, however often its secret rotates. */
  private readonly identities = new Map<string, Identity>();

  /**
   * Errors: CaFileError when the CA cannot be read; TypeError for an endpoint that is not a URL.
   * Caveats: call `close()` when done, to free the keep-alive sockets of the CA agent.
   */
  constructor(private readonly options: ClientFactoryOptions = {}) {
    this.endpoint = (options.endpoint ?? PUBLIC_ARM_ENDPOINT).replace(/\/+$/, "");
    this.scope = options.credentialScope ?? `${new URL(this.endpoint).origin}/.default`;
    this.agent = createTrustingAgent({ caFile: options.caFile, caPem: options.caPem });
    this.budgets = new BudgetTracker(options.rateLimit?.reserve);
    this.maxWaitMs = options.rateLimit?.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  }

  /** The clients of one identity; cheap, and the same underlying clients on every call. */
  clientsFor(credential: CredentialConfig): ArmClients {
    return {
      compute: (subscriptionId) => this.compute(credential, subscriptionId),
      authorization: (subscriptionId) => this.authorization(credential, subscriptionId),
      heldBack: (method, path) =>
        heldBack(this.budgets, method, path, this.maxWaitMs, this.options.onRequest),
    };
  }

  /**
   * The Compute client for (identity, subscription), made on first use and cached.
   * Guarantees: the pipeline trusts the extra CA, paces by the shared budget, and sends
   * `x-ms-authorization-auxiliary` when the identity has auxiliary tenants.
   */
  compute(credential: CredentialConfig, subscriptionId: string): ComputeManagementClient {
    const identity = this.identity(credential);
    const key = subscriptionId.toLowerCase();
    let client = identity.compute.get(key);
    if (!client) {
      client = new ComputeManagementClient(identity.credential, subscriptionId, {
        ...this.pipelineOptions(),
        endpoint: this.endpoint,
        credentials: { scopes: [this.scope] },
      });
      this.addPolicies(client.pipeline, identity);
      identity.compute.set(key, client);
    }
    return client;
  }

  /** The Authorization client for (identity, subscription); same guarantees as `compute`. */
  authorization(credential: CredentialConfig, subscriptionId: string): AuthorizationManagementClient {
    const identity = this.identity(credential);
    const key = subscriptionId.toLowerCase();
    let client = identity.authorization.get(key);
    if (!client) {
      client = new AuthorizationManagementClient(identity.credential, subscriptionId, {
        ...this.pipelineOptions(),
        endpoint: this.endpoint,
        $host: this.endpoint,
        credentialScopes: [this.scope],
      });
      this.addPolicies(client.pipeline, identity);
      identity.authorization.set(key, client);
    }
    return client;
  }

  /** Frees the CA agent's sockets. Clients made earlier must not be used afterwards. */
  close(): void {
    this.agent?.destroy();
    this.identities.clear();
  }

  /** Identities cached (one per slot; a rotation replaces, never adds). */
  get identityCount(): number {
    return this.identities.size;
  }

  private identity(config: CredentialConfig): Identity {
    const slot = identitySlot(config);
    const key = credentialKey(config);
    let identity = this.identities.get(slot);
    if (identity?.key !== key) {
      const credential = createCredential(config, this.agent ? { agent: this.agent } : {});
      identity = {
        key,
        credential,
        auxiliary: auxiliaryCredentials(credential, config),
        compute: new Map(),
        authorization: new Map(),
      };
      this.identities.set(slot, identity);
    }
    return identity;
  }

  private pipelineOptions() {
    return {
      retryOptions: { ...DEFAULT_RETRY, ...this.options.retry },
      ...(this.agent ? { agent: this.agent } : {}),
      ...(this.options.userAgentPrefix
        ? { userAgentOptions: { userAgentPrefix: this.options.userAgentPrefix } }
        : {}),
    };
  }

  private addPolicies(pipeline: Pipeline, identity: Identity): void {
    pipeline.addPolicy(requestTimeoutPolicy(this.options.requestTimeoutMs ?? 60_000));
    if (identity.auxiliary.length > 0) {
      pipeline.addPolicy(
        auxiliaryAuthenticationHeaderPolicy({ credentials: identity.auxiliary, scopes: this.scope }),
        {
          phase: "Sign",
        },
      );
    }
    pipeline.addPolicy(
      rateLimitPolicy({
        tracker: this.budgets,
        maxWaitMs: this.maxWaitMs,
        subscriptionWindowMs: this.options.rateLimit?.subscriptionWindowMs,
        windowScale: this.options.rateLimit?.windowScale,
        defaultRetryAfterMs: this.options.rateLimit?.defaultRetryAfterMs,
        onRequest: this.options.onRequest,
      }),
      { afterPhase: "Sign" },
    );
  }
}

// The SDK sends with no timeout unless each call passes one.
function requestTimeoutPolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: "armRequestTimeoutPolicy",
    sendRequest(request, next) {
      if (!request.timeout) request.timeout = timeoutMs;
      return next(request);
    },
  };
}
