import { describe, expect, it } from "vitest";
import { ConfigError, parseDuration, parseOperatorConfig } from "../../src/config.js";

describe("operator config", () => {
  it("fills documented defaults", () => {
    const c = parseOperatorConfig([], {});
    expect(c.namespaces).toEqual([]);
    expect(c.concurrency).toBe(4);
    expect(c.rateLimitReserve).toBe(0.05);
    expect(c.resyncPeriodMs).toBe(600_000);
    expect(c.credential.mode).toBe("default");
    expect(c.leaderElection.enabled).toBe(true);
    expect(c.httpAddress).toBe(":8080");
  });

  it("prefers flags over env", () => {
    const c = parseOperatorConfig(["--namespaces", "a,b", "--concurrency", "8"], {
      AGO_NAMESPACES: "x",
      AGO_CONCURRENCY: "2",
      AGO_RATE_LIMIT_RESERVE: "0.2",
    });
    expect(c.namespaces).toEqual(["a", "b"]);
    expect(c.concurrency).toBe(8);
    expect(c.rateLimitReserve).toBe(0.2);
  });

  it("names each namespace once, however often the flag repeats it", () => {
    expect(parseOperatorConfig(["--namespaces", "a,b,a, b"], {}).namespaces).toEqual(["a", "b"]);
  });

  it.each([
    [["--concurrency", "0"], {}, /--concurrency/],
    [["--rate-limit-reserve", "0.9"], {}, /--rate-limit-reserve.*from 0 to 0.5/],
    [["--rate-limit-reserve", "5%"], {}, /--rate-limit-reserve/],
    [["--resync-period", "soon"], {}, /--resync-period.*not a duration/],
    [["--arm-endpoint", "http://127.0.0.1:1"], {}, /must be https/],
    [["--credential", "password"], {}, /--credential.*not one of/],
    [["--credential", "clientSecret"], { AZURE_TENANT_ID: "t" }, /AZURE_CLIENT_ID, AZURE_CLIENT_SECRET/],
    [["--credential", "static"], {}, /only for the simulator/],
    [["--auxiliary-tenants", "nope"], {}, /not a tenant GUID/],
    [["--leader-elect", "yes"], {}, /true or false/],
    [["--http-address", "8080"], {}, /HOST:PORT/],
    [["--no-such-flag"], {}, /Unknown option/],
  ] as const)("rejects %j", (argv, env, message) => {
    expect(() => parseOperatorConfig([...argv], { ...env })).toThrow(ConfigError);
    expect(() => parseOperatorConfig([...argv], { ...env })).toThrow(message);
  });

  it("runs by Azure's clock unless told the simulator's time scale (--arm-time-scale)", () => {
    expect(parseOperatorConfig([], {}).armTimeScale).toBe(1);
    expect(parseOperatorConfig(["--arm-time-scale", "0.1"], {}).armTimeScale).toBe(0.1);
    for (const bad of ["0", "2", "fast"]) {
      expect(() => parseOperatorConfig(["--arm-time-scale", bad], {})).toThrow(/--arm-time-scale: "/);
    }
  });

  it("takes no benchmark switch: the re-PUT baseline runs in the benchmark (bench/aso-baseline.ts)", () => {
    expect(() => parseOperatorConfig(["--bench-reput-each-resync"], {})).toThrow(ConfigError);
  });

  it("never puts the client secret into an error message", () => {
    try {
      parseOperatorConfig(["--credential", "clientSecret"], { AZURE_CLIENT_SECRET: "s3cr3t-value" });
      expect.unreachable();
    } catch (err) {
      expect(String(err)).not.toContain("s3cr3t-value");
    }
  });

  it("takes the on/off switches from flags or env, and refuses anything but true or false", () => {
    const defaults = parseOperatorConfig([], {});
    expect([defaults.perObjectMetrics, defaults.applyCrds, defaults.policyStatus]).toEqual([
      true,
      false,
      true,
    ]);
    const flags = parseOperatorConfig(
      ["--per-object-metrics=false", "--apply-crds=true", "--policy-status=false"],
      {},
    );
    expect([flags.perObjectMetrics, flags.applyCrds, flags.policyStatus]).toEqual([false, true, false]);
    const env = parseOperatorConfig([], { AGO_PER_OBJECT_METRICS: "false", AGO_APPLY_CRDS: "true" });
    expect([env.perObjectMetrics, env.applyCrds]).toEqual([false, true]);
    expect(() => parseOperatorConfig(["--apply-crds=yes"], {})).toThrow(
      '--apply-crds: "yes" must be true or false',
    );
  });

  it("parses durations", () => {
    expect(parseDuration("500ms", "x")).toBe(500);
    expect(parseDuration("30s", "x")).toBe(30_000);
    expect(parseDuration("10m", "x")).toBe(600_000);
    expect(parseDuration("1h", "x")).toBe(3_600_000);
    expect(parseDuration("2", "x")).toBe(2000);
  });
});
