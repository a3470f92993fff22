// The operator's reading of GalleryPolicies: every guardrail, how several policies combine, the
// operator-wide default, which identity acts, what Remediate may undo, and counting rules.
import { describe, expect, it } from "vitest";
import type { GalleryPolicy, GallerySharingSpec } from "../../src/api/index.js";
import { type CredentialConfig, secret } from "../../src/azure/index.js";
import type { Peers } from "../../src/policy/counts.js";
import type { SecretState } from "../../src/policy/credential.js";
import { type EngineSettings, PolicyEngine, type PolicyView } from "../../src/policy/engine.js";
import type { PolicySubject } from "../../src/policy/subject.js";
import { gallery, gallerySharing, imageVersion, withChanges } from "../api/support/fixtures.js";
import { GUARDRAIL_CASES, policy, SUB_A, SUB_B, subject, TENANT_A, TENANT_B } from "./fixtures.js";

const OPERATOR: CredentialConfig = { kind: "workloadIdentity", clientId: "operator-client", tenantId: "t0" };
const CLIENT_A = "11111111-0000-0000-0000-00000000000a";
const CLIENT_B = "11111111-0000-0000-0000-00000000000b";

function view(policies: GalleryPolicy[], secrets: Record<string, SecretState> = {}): PolicyView {
  return {
    covering: () => [...policies].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)),
    secret: (name) => secrets[name] ?? { state: "pending" },
  };
}

function engine(v: PolicyView, settings: Partial<EngineSettings> = {}): PolicyEngine {
  return new PolicyEngine(v, {
    defaultPolicy: "allow",
    operator: OPERATOR,
    operatorInfo: { mode: "workloadIdentity", clientId: "operator-client" },
    secretNamespace: "ago-system",
    ...settings,
  });
}

const noPeers: Peers = () => [];
const rulesOf = (violations: { policy: string; rule: string }[]) =>
  violations.map((v) => `${v.policy}:${v.rule}`);

describe("each guardrail", () => {
  it.each(GUARDRAIL_CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const violations = engine(view([policy("p", c.policy)])).violations(subject(c.object), noPeers);
    expect(violations.map(({ rule, message }) => ({ rule, message }))).toEqual(c.denied);
    expect(violations.every((v) => v.policy === "p")).toBe(true);
  });
});

describe("several policies covering one namespace", () => {
  const wide = policy("wide", {
    galleries: { allowedSubscriptions: [SUB_A, SUB_B] },
    regions: { maxReplicasPerRegion: 5 },
  });
  const narrow = policy("narrow", {
    galleries: { allowedSubscriptions: [SUB_A] },
    regions: { maxReplicasPerRegion: 1 },
  });
  const both = engine(view([wide, narrow]));

  it("must each allow the object: allowed lists intersect", () => {
    const inB = subject(withChanges(gallery(), { "spec.subscriptionId": SUB_B }));
    expect(rulesOf(both.violations(inB, noPeers))).toEqual(["narrow:galleries.allowedSubscriptions"]);
    const inA = subject(withChanges(gallery(), { "spec.subscriptionId": SUB_A }));
    expect(both.violations(inA, noPeers)).toEqual([]);
  });

  it("the lowest cap applies", () => {
    expect(rulesOf(both.violations(subject(imageVersion()), noPeers))).toEqual([
      "narrow:regions.maxReplicasPerRegion",
    ]);
  });

  it("community is allowed only when no policy forbids it", () => {
    const sharing = subject(
      withChanges(gallerySharing(), {
        "spec.subscriptions": undefined,
        "spec.tenants": undefined,
        "spec.community": { enabled: true },
      }),
    );
    const v = engine(
      view([
        policy("yes", { sharing: { allowCommunity: true } }),
        policy("no", { sharing: { allowCommunity: false } }),
      ]),
    );
    expect(rulesOf(v.violations(sharing, noPeers))).toEqual(["no:sharing.allowCommunity"]);
  });
});

describe("a namespace no policy covers", () => {
  const obj = subject(gallery(), "team-z");

  it("is allowed under --default-policy allow", () => {
    expect(engine(view([])).violations(obj, noPeers)).toEqual([]);
  });

  it("is denied everything under --default-policy deny, naming the namespace and the flag", () => {
    const [v, ...rest] = engine(view([]), { defaultPolicy: "deny" }).violations(obj, noPeers);
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ policy: "", rule: "defaultPolicy" });
    expect(v?.message).toMatch(/namespace team-z.*--default-policy deny/);
    expect(v?.message).toContain("ask a platform admin to create a GalleryPolicy whose namespaceSelector");
  });

  it("uses the operator's own identity", () => {
    expect(engine(view([])).identity("team-z")).toMatchObject({ ok: true, credential: OPERATOR });
  });
});

describe("the identity of a namespace", () => {
  const wi = (name: string, clientId: string) =>
    policy(name, { identity: { workloadIdentity: { clientId } } });

  it("is the one a covering policy names; policies without identity have no say", () => {
    const resolved = engine(view([wi("a", CLIENT_A), policy("guardrails-only")])).identity("ns");
    expect(resolved).toMatchObject({
      ok: true,
      credential: { kind: "workloadIdentity", clientId: CLIENT_A },
      info: { mode: "workloadIdentity", clientId: CLIENT_A },
    });
  });

  it("may be named by several policies alike", () => {
    expect(engine(view([wi("a", CLIENT_A), wi("b", CLIENT_A)])).identity("ns").ok).toBe(true);
  });

  it("is a conflict when policies name different ones: every object is blocked, none falls back", () => {
    const e = engine(view([wi("a", CLIENT_A), wi("b", CLIENT_B)]));
    expect(e.identity("ns")).toMatchObject({ ok: false, info: { mode: "conflict" } });
    const violations = e.violations(subject(gallery()), noPeers);
    expect(rulesOf(violations)).toEqual(["a, b:identity"]);
    expect(violations[0]?.message).toMatch(/name different identities/);
  });

  describe("from a client-secret Secret in the operator's namespace", () => {
    const bySecret = policy("sp", {
      identity: {
        clientSecret: {
          secretName: "team-sp",
          tenantIdKey: "AZURE_TENANT_ID",
          clientIdKey: "AZURE_CLIENT_ID",
          clientSecretKey: "AZURE_CLIENT_SECRET",
        },
      },
    });
    const found = (data: Record<string, string>): SecretState => ({
      state: "found",
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, secret(v)])),
    });

    it("waits while the Secret was not read yet", () => {
      const v = engine(view([bySecret])).violations(subject(gallery()), noPeers);
      expect(v.map((x) => x.message)).toEqual(["waiting to read Secret ago-system/team-sp"]);
    });

    it("names a missing Secret or key, never a value", () => {
      const missing = engine(view([bySecret], { "team-sp": { state: "missing", reason: "not found" } }));
      expect(missing.identity("ns")).toMatchObject({
        ok: false,
        problem: "cannot use Secret ago-system/team-sp: not found",
      });
      const partial = engine(
        view([bySecret], { "team-sp": found({ AZURE_TENANT_ID: "t1", AZURE_CLIENT_SECRET: "s3cret" }) }),
      );
      const resolved = partial.identity("ns");
      expect(resolved).toMatchObject({
        ok: false,
        problem: "Secret ago-system/team-sp has no AZURE_CLIENT_ID",
      });
      expect(JSON.stringify(resolved)).not.toContain("s3cret");
    });

    it("becomes a client-secret credential; status shows ids only", () => {
      const e = engine(
        view([bySecret], {
          "team-sp": found({
            AZURE_TENANT_ID: "t1",
            AZURE_CLIENT_ID: CLIENT_B,
            AZURE_CLIENT_SECRET: "s3cret",
          }),
        }),
      );
      const resolved = e.identity("ns");
      expect(resolved).toMatchObject({
        ok: true,
        credential: { kind: "clientSecret", tenantId: "t1", clientId: CLIENT_B },
      });
      expect(resolved.info).toEqual({ mode: "clientSecret", clientId: CLIENT_B, tenantId: "t1" });
      expect(JSON.stringify(resolved)).not.toContain("s3cret");
    });
  });

  describe("with the simulator's static tokens", () => {
    const tokens: Record<string, string> = { [CLIENT_A]: "token-a" };
    const staticEngine = (policies: GalleryPolicy[]) =>
      engine(view(policies), {
        operator: { kind: "static", tenantId: "t0", token: secret("operator-token") },
        staticToken: (clientId) => (tokens[clientId] ? secret(tokens[clientId]) : undefined),
      });

    it("stands in each identity's own token, in the operator's tenant when the policy names none", () => {
      const resolved = staticEngine([wi("a", CLIENT_A)]).identity("ns");
      expect(resolved).toMatchObject({ ok: true, credential: { kind: "static", tenantId: "t0" } });
      expect(resolved.ok && resolved.credential.kind === "static" && resolved.credential.token.reveal()).toBe(
        "token-a",
      );
      expect(resolved.info).toEqual({ mode: "workloadIdentity", clientId: CLIENT_A });
    });

    it("blocks an identity without a token rather than use the operator's", () => {
      expect(staticEngine([wi("b", CLIENT_B)]).identity("ns")).toMatchObject({
        ok: false,
        problem: `no simulator token for client id ${CLIENT_B} (--static-token-dir)`,
      });
    });
  });
});

describe("remedies (enforcement: Remediate)", () => {
  const spec = (changes: Record<string, unknown>) =>
    subject(withChanges(gallerySharing(), { "spec.roleAssignments": undefined, ...changes }));
  const shared = spec({ "spec.subscriptions": [SUB_A, SUB_B], "spec.tenants": [TENANT_A, TENANT_B] });
  const tight = { sharing: { allowedSubscriptions: [SUB_A], allowedTenants: [TENANT_A] } };

  it("come only from Remediate policies", () => {
    const audit = engine(view([policy("p", tight)])).violations(shared, noPeers);
    expect(audit.map((v) => v.remedy)).toEqual([undefined, undefined]);
  });

  it("remove exactly what is forbidden and keep the rest", () => {
    const violations = engine(view([policy("p", { ...tight, enforcement: "Remediate" })])).violations(
      shared,
      noPeers,
    );
    expect(violations.every((v) => v.remedy)).toBe(true);
    const remedied = violations.reduce<object>(
      (s, v) => v.remedy?.(s) ?? s,
      shared.spec,
    ) as GallerySharingSpec;
    expect(remedied.subscriptions).toEqual([SUB_A]);
    expect(remedied.tenants).toEqual([TENANT_A]);
    expect(remedied.galleryRef).toEqual({ name: "test-gallery" });
  });

  it("turn community sharing off and drop forbidden role assignments", () => {
    const obj = spec({
      "spec.subscriptions": undefined,
      "spec.tenants": undefined,
      "spec.community": { enabled: true },
      "spec.roleAssignments": [
        { principalId: TENANT_A, principalType: "Group", role: "Reader" },
        { principalId: TENANT_B, principalType: "User", role: "Reader" },
      ],
    });
    const p = policy("p", {
      enforcement: "Remediate",
      sharing: { allowCommunity: false, allowedPrincipalTypes: ["Group"] },
    });
    const violations = engine(view([p])).violations(obj, noPeers);
    const remedied = violations.reduce<object>((s, v) => v.remedy?.(s) ?? s, obj.spec) as GallerySharingSpec;
    expect(remedied.community).toEqual({ enabled: false });
    expect(remedied.roleAssignments?.map((a) => a.principalType)).toEqual(["Group"]);
  });

  it("never for galleries or versions: removing a region or a gallery would destroy data", () => {
    const p = policy("p", { enforcement: "Remediate", regions: { allowed: ["westeurope"] } });
    const violations = engine(view([p])).violations(subject(imageVersion()), noPeers);
    expect(violations).toHaveLength(1);
    expect(violations[0]?.remedy).toBeUndefined();
  });
});

describe("counting rules", () => {
  const at = (name: string, minute: number, changes: Record<string, unknown> = {}): PolicySubject => {
    const obj = subject(withChanges(gallery(name), changes));
    obj.metadata.creationTimestamp = `2030-01-01T00:0${minute}:00Z`;
    return obj;
  };
  const galleries = [at("g3", 3), at("g1", 1), at("g2", 2)];
  const peers: Peers = (kind) => (kind === "Gallery" ? galleries : []);
  const max2 = engine(view([policy("p", { galleries: { maxPerNamespace: 2 } })]));

  it("flag the newest objects beyond the limit, counted oldest first", () => {
    expect(max2.violations(galleries[1]!, peers)).toEqual([]);
    expect(max2.violations(galleries[2]!, peers)).toEqual([]);
    expect(max2.violations(galleries[0]!, peers)).toEqual([
      {
        policy: "p",
        rule: "galleries.maxPerNamespace",
        message: "at most 2 galleries in this namespace; this is number 3, counted oldest first",
      },
    ]);
  });

  it("do not count objects being deleted", () => {
    const deleting = {
      ...galleries[1]!,
      metadata: { ...galleries[1]!.metadata, deletionTimestamp: "2030-01-02T00:00:00Z" },
    };
    const fewer: Peers = () => [deleting, galleries[0]!, galleries[2]!];
    expect(max2.violations(galleries[0]!, fewer)).toEqual([]);
  });

  it("count versions per image definition", () => {
    const version = (name: string, minute: number, definition: string) => {
      const obj = subject(
        withChanges(imageVersion(name), { "spec.imageDefinitionRef": { name: definition } }),
      );
      obj.metadata.creationTimestamp = `2030-01-01T00:0${minute}:00Z`;
      return obj;
    };
    const versions = [version("v1", 1, "ubuntu"), version("v2", 2, "windows"), version("v3", 3, "ubuntu")];
    const e = engine(view([policy("p", { versions: { maxPerDefinition: 1 } })]));
    const vp: Peers = (kind) => (kind === "ImageVersion" ? versions : []);
    expect(rulesOf(e.violations(versions[1]!, vp))).toEqual([]);
    expect(rulesOf(e.violations(versions[2]!, vp))).toEqual(["p:versions.maxPerDefinition"]);
  });
});
