// GalleryPolicy status: which namespaces a policy covers and which objects break it, so a platform
// admin sees a policy's reach with `kubectl get gallerypolicies` instead of inspecting every object.
// Level-triggered: each pass recomputes every policy's status from the caches and writes only the
// ones that changed. Passes run when a policy or namespace changed, when an object's verdict
// changed, and periodically (objects deleted while violating drop out then).
import type { Logger } from "pino";
import {
  type GalleryPolicy,
  type GalleryPolicyStatus,
  MAX_STATUS_NAMESPACES,
  MAX_STATUS_VIOLATIONS,
  type PolicyViolationEntry,
} from "../api/index.js";
import { describeError, isNotFound, isWriteRace, jsonEqual, type ResourceClient } from "../kube/index.js";
import type { PolicySubject, Violation } from "./subject.js";

export interface PolicyStatusOptions {
  policies(): readonly GalleryPolicy[];
  coveredBy(policy: GalleryPolicy): string[];
  /** Every gallery object the operator caches. */
  subjects(): Iterable<PolicySubject>;
  violations(subject: PolicySubject): Violation[];
  client: ResourceClient<GalleryPolicy>;
  logger: Logger;
  /** How long after a change a pass runs (changes come in bursts). Default 1 s. */
  debounceMs?: number;
  /** The longest between passes. Default 60 s. */
  periodMs?: number;
}

/** Every policy's status as the caches say now (pure). */
export function policyStatuses(
  policies: readonly GalleryPolicy[],
  coveredBy: (policy: GalleryPolicy) => string[],
  subjects: Iterable<PolicySubject>,
  violations: (subject: PolicySubject) => Violation[],
): Map<string, GalleryPolicyStatus> {
  const found = new Map<string, PolicyViolationEntry[]>(policies.map((p) => [p.metadata.name, []]));
  for (const subject of subjects) {
    for (const v of violations(subject)) {
      found.get(v.policy)?.push({
        namespace: subject.metadata.namespace ?? "",
        kind: subject.kind,
        name: subject.metadata.name,
        rule: v.rule,
        message: v.message.slice(0, 1024),
      });
    }
  }
  const order = (e: PolicyViolationEntry) => `${e.namespace}\u0000${e.kind}\u0000${e.name}\u0000${e.rule}`;
  return new Map(
    policies.map((p) => {
      const covered = coveredBy(p);
      const entries = (found.get(p.metadata.name) ?? []).sort((a, b) => order(a).localeCompare(order(b)));
      const status: GalleryPolicyStatus = {
        ...(p.metadata.generation !== undefined ? { observedGeneration: p.metadata.generation } : {}),
        coveredNamespaces: covered.slice(0, MAX_STATUS_NAMESPACES),
        coveredNamespaceCount: covered.length,
        violations: entries.slice(0, MAX_STATUS_VIOLATIONS),
        violationCount: entries.length,
      };
      return [p.metadata.name, status];
    }),
  );
}

/**
 * Keeps every GalleryPolicy's status current. Run it on the leader only (one writer).
 *
 * Guarantees: a status is written only when it differs from what the policy holds; a write that
 * fails (a race, a policy deleted meanwhile) is retried by the next pass; at most one pass runs.
 */
export class PolicyStatusWriter {
  private readonly verdicts = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private active = false;

  constructor(private readonly options: PolicyStatusOptions) {}

  start(): void {
    this.active = true;
    this.periodic = setInterval(() => this.poke(), this.options.periodMs ?? 60_000);
    this.periodic.unref();
    this.poke();
  }

  async stop(): Promise<void> {
    this.active = false;
    clearTimeout(this.timer);
    clearInterval(this.periodic);
    await this.running;
  }

  /** Something a status depends on may have changed: run a pass soon. */
  poke(): void {
    if (!this.active || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.running) this.again = true;
      else this.running = this.pass().finally(() => this.afterPass());
    }, this.options.debounceMs ?? 1000);
    this.timer.unref();
  }

  /** Records a reconcile's verdict on `subject`; pokes when it differs from the last one. Returns it. */
  judged(subject: PolicySubject, violations: Violation[]): Violation[] {
    const key = `${subject.kind}/${subject.metadata.namespace}/${subject.metadata.name}`;
    const verdict = violations.map((v) => `${v.policy}:${v.rule}:${v.message}`).join("\n");
    if ((this.verdicts.get(key) ?? "") !== verdict) {
      if (verdict) this.verdicts.set(key, verdict);
      else this.verdicts.delete(key);
      this.poke();
    }
    return violations;
  }

  private afterPass(): void {
    this.running = undefined;
    if (this.again) {
      this.again = false;
      this.poke();
    }
  }

  private async pass(): Promise<void> {
    const o = this.options;
    const policies = o.policies();
    if (policies.length === 0) return;
    const statuses = policyStatuses(
      policies,
      (p) => o.coveredBy(p),
      o.subjects(),
      (s) => o.violations(s),
    );
    for (const policy of policies) {
      const status = statuses.get(policy.metadata.name);
      if (!status || jsonEqual(policy.status ?? {}, status)) continue;
      try {
        await o.client.mergePatch(policy.metadata, { status }, { subresource: "status" });
      } catch (err) {
        const routine = isWriteRace(err) || isNotFound(err);
        o.logger[routine ? "debug" : "warn"](
          { policy: policy.metadata.name, error: describeError(err) },
          "could not write the GalleryPolicy's status; the next pass tries again",
        );
      }
    }
  }
}
