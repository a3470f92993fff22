// What one guardrail is: a field of GalleryPolicy.spec, checked in TypeScript by the operator and
// in CEL by the API server (crds/admission). Both sides are built from the same definition here,
// and test/policy runs the same cases through both, so they say the same thing in the same words.
import type { GalleryPolicySpec } from "../../api/index.js";

export interface Rule<S> {
  /** The policy field stating the rule, as messages cite it: `galleries.allowedSubscriptions`. */
  id: string;
  /**
   * Operator side: what `policy` forbids about `spec`, in words.
   * Returns undefined when allowed, and when the policy does not set the rule.
   */
  check(spec: S, policy: GalleryPolicySpec): string | undefined;
  /** Admission side, over `object.spec` and `params.spec`. */
  cel: {
    /** True when allowed (including when the policy does not set the rule). */
    passes: string;
    /** The same words `check` returns; evaluated only when `passes` is false. */
    message: string;
  };
  /**
   * `enforcement: Remediate`: `spec` without what this rule forbids. Only rules about shares have
   * one: removing a share undoes exposure, while removing a region or a gallery would destroy data.
   */
  remedy?(spec: S, policy: GalleryPolicySpec): S;
}

/** CEL: true when the policy sets the field `id` (`has()` along its path). */
export function celPolicySets(id: string): string {
  const parts = id.split(".");
  return parts.map((_, i) => `has(params.spec.${parts.slice(0, i + 1).join(".")})`).join(" && ");
}

/** A rule that holds when the policy does not set it, else when `allowed` holds. */
export function celRule(id: string, allowed: string): string {
  return `!(${celPolicySets(id)}) || (${allowed})`;
}

/** "<noun> not allowed: a, b (allowed: c, d)", as both sides spell it. */
export function notAllowed(noun: string, offending: readonly string[], allowed: readonly string[]): string {
  return `${noun} not allowed: ${offending.join(", ")} (allowed: ${allowed.length ? allowed.join(", ") : "none"})`;
}

export interface AllowListRule<S, I> {
  id: string;
  /** Names one offending item in messages: "subscription", "target region". */
  noun: string;
  /** The policy's list, undefined when it sets none. */
  allowed(policy: GalleryPolicySpec): readonly string[] | undefined;
  /** The items of `spec` the list judges. */
  items(spec: S): readonly I[];
  key(item: I): string;
  /** How an offending item is named; default its key. */
  label?(item: I): string;
  /** Azure compares these names case-insensitively (resource groups, role names). */
  ignoreCase?: boolean;
  /** The same in CEL: `items` over `object.spec`; `key` and `label` over the item `x`. */
  celItems: string;
  celKey: string;
  celLabel?: string;
  /** Remediate: `spec` keeping only the items `keep` accepts. */
  keepOnly?(spec: S, keep: (item: I) => boolean): S;
}

/** A rule of the form "every item of the spec is in the policy's list". */
export function allowListRule<S, I>(o: AllowListRule<S, I>): Rule<S> {
  const inList = (allowed: readonly string[]) => (item: I) => {
    const key = o.key(item);
    return o.ignoreCase ? allowed.some((a) => a.toLowerCase() === key.toLowerCase()) : allowed.includes(key);
  };
  const list = `params.spec.${o.id}`;
  const celIn = o.ignoreCase
    ? `${list}.exists(a, a.lowerAscii() == (${o.celKey}).lowerAscii())`
    : `(${o.celKey}) in ${list}`;
  const rule: Rule<S> = {
    id: o.id,
    check(spec, policy) {
      const allowed = o.allowed(policy);
      if (!allowed) return undefined;
      const ok = inList(allowed);
      const bad = o.items(spec).filter((item) => !ok(item));
      if (bad.length === 0) return undefined;
      return notAllowed(o.noun, bad.map(o.label ?? o.key), allowed);
    },
    cel: {
      passes: celRule(o.id, `${o.celItems}.all(x, ${celIn})`),
      message: [
        `'${o.noun} not allowed: '`,
        `${o.celItems}.filter(x, !(${celIn})).map(x, ${o.celLabel ?? o.celKey}).join(', ')`,
        `' (allowed: '`,
        `(size(${list}) == 0 ? 'none' : ${list}.join(', '))`,
        `')'`,
      ].join(" + "),
    },
  };
  const keepOnly = o.keepOnly;
  if (keepOnly) {
    rule.remedy = (spec, policy) => {
      const allowed = o.allowed(policy);
      return allowed ? keepOnly(spec, inList(allowed)) : spec;
    };
  }
  return rule;
}
