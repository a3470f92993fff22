// The operator's policy flags: the default for namespaces no GalleryPolicy covers, and the
// simulator-only token directory standing in for policy identities.
import { describe, expect, it } from "vitest";
import { ConfigError, parseOperatorConfig } from "../../src/config.js";

const STATIC = ["--credential", "static", "--arm-endpoint", "https://127.0.0.1:8443"];
const STATIC_ENV = { AGO_ARM_TOKEN: "token", AZURE_TENANT_ID: "t" };

describe("policy flags", () => {
  it("allow uncovered namespaces unless told to deny", () => {
    expect(parseOperatorConfig([], {}).policy).toEqual({ defaultPolicy: "allow" });
    expect(parseOperatorConfig(["--default-policy", "deny"], {}).policy.defaultPolicy).toBe("deny");
    expect(parseOperatorConfig([], { AGO_DEFAULT_POLICY: "deny" }).policy.defaultPolicy).toBe("deny");
  });

  it("reject any other default", () => {
    expect(() => parseOperatorConfig(["--default-policy", "audit"], {})).toThrow(
      /--default-policy.*not one of allow, deny/,
    );
  });

  it("take a static token directory only with static (simulator) credentials", () => {
    const c = parseOperatorConfig([...STATIC, "--static-token-dir", "/tmp/tokens"], STATIC_ENV);
    expect(c.policy.staticTokenDir).toBe("/tmp/tokens");
    expect(() => parseOperatorConfig(["--static-token-dir", "/tmp/tokens"], {})).toThrow(ConfigError);
    expect(() => parseOperatorConfig([], { AGO_STATIC_TOKEN_DIR: "/tmp/tokens" })).toThrow(
      /only with --credential static/,
    );
  });
});
