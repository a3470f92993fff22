// What an operator with bad configuration does (exit 2 with a message naming what to fix, before
// it touches anything), and that credentials never reach its output, even at debug level on the
// paths where authentication fails.
import { randomUUID } from "node:crypto";
import { type AddressInfo, createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintToken } from "../../tools/sim/index.js";
import {
  deadPort,
  galleryManifest,
  type LogLine,
  type OperatorProcess,
  operatorArgs,
  spawnCli,
  startOperatorProcess,
} from "../support/operator.js";
import { startWorld, type World, waitForCondition } from "../support/world.js";

let world: World;

beforeAll(async () => {
  world = await startWorld("e2e-op-config");
});

afterAll(async () => {
  await world?.close();
});

/** Runs `run` to its end with the test defaults plus `args`, and `env` over this process's environment. */
async function runToExit(args: string[], env: Record<string, string>) {
  const cli = spawnCli(
    [
      "run",
      ...operatorArgs({
        kubeconfigPath: world.cluster.kubeconfigPath,
        sim: world.sim,
        tenantId: world.tenantId,
      }),
      ...args,
    ],
    env,
  );
  const timer = setTimeout(() => void cli.kill(), 20_000);
  const exit = await cli.exited;
  clearTimeout(timer);
  return { ...exit, output: cli.output(), lines: cli.lines };
}

const staticEnv = () => ({ AGO_ARM_TOKEN: "not-a-real-token", AZURE_TENANT_ID: world.tenantId });

describe("bad configuration", () => {
  const cases: { what: string; args: string[]; env?: Record<string, string>; message: RegExp }[] = [
    {
      what: "a flag value that is not a number",
      args: ["--concurrency", "lots"],
      message: /--concurrency: "lots" must be an integer/,
    },
    { what: "an unknown flag", args: ["--namespace", "x"], message: /Unknown option '--namespace'/ },
    {
      what: "a kubeconfig file that does not exist",
      args: ["--kubeconfig", "/nonexistent/kubeconfig"],
      message: /kubeconfig: .*no such file.*\/nonexistent\/kubeconfig/,
    },
    {
      what: "clientSecret mode without its environment",
      args: ["--credential", "clientSecret"],
      env: { AZURE_TENANT_ID: randomUUID(), AZURE_CLIENT_ID: "", AZURE_CLIENT_SECRET: "" },
      message: /--credential clientSecret: set AZURE_CLIENT_ID, AZURE_CLIENT_SECRET/,
    },
    {
      what: "a managed identity with auxiliary tenants",
      args: ["--credential", "managedIdentity", "--auxiliary-tenants", randomUUID()],
      message: /--auxiliary-tenants: a managed identity lives in one tenant/,
    },
    {
      what: "an ARM CA file that does not exist",
      args: ["--arm-ca-file", "/nonexistent/ca.pem"],
      message: /cannot read CA file \/nonexistent\/ca\.pem/,
    },
  ];

  for (const c of cases) {
    it(`exits 2 and says why for ${c.what}`, async () => {
      const result = await runToExit(c.args, { ...staticEnv(), ...c.env });
      expect(result.code).toBe(2);
      expect(result.output).toMatch(c.message);
      // Nothing started: no log line at all, only the message on stderr.
      expect(result.lines).toEqual([]);
    });
  }

  it("exits 2 when the HTTP address is taken, instead of reconciling without probes", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const result = await runToExit(
        ["--http-address", `127.0.0.1:${port}`, "--namespaces", world.namespace, "--leader-elect", "false"],
        staticEnv(),
      );
      expect(result.code).toBe(2);
      expect(result.output).toMatch(new RegExp(`--http-address 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
      expect(result.lines.filter((l) => l.msg === "caches synced; reconciling")).toEqual([]);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("keeps the client secret out of a config error", async () => {
    const secret = `secret-${randomUUID()}`;
    const result = await runToExit(["--credential", "clientSecret"], {
      AZURE_TENANT_ID: "",
      AZURE_CLIENT_ID: randomUUID(),
      AZURE_CLIENT_SECRET: secret,
    });
    expect(result.code).toBe(2);
    expect(result.output).toMatch(/set AZURE_TENANT_ID/);
    expect(result.output).not.toContain(secret);
  });
});

describe("secrets in the output", () => {
  const running: OperatorProcess[] = [];

  afterAll(async () => {
    await Promise.all(running.map((o) => o.stop()));
  });

  /** Runs an operator until `name` is Ready=False, stops it, and returns its output and the object. */
  async function failOnce(name: string, args: string[], env: Record<string, string>) {
    const operator = startOperatorProcess({
      kubeconfigPath: world.cluster.kubeconfigPath,
      sim: world.sim,
      tenantId: world.tenantId,
      args: ["--namespaces", world.namespace, "--leader-elect", "false", "--log-level", "trace", ...args],
      env,
    });
    running.push(operator);
    await world.galleries.create(galleryManifest(world, name));
    const failed = await waitForCondition(world.galleries, world.namespace, name, { status: "False" });
    // The failure went through the operator's error path, which logs Azure's answer at warn.
    const logged = await operator.waitForLine(
      (l) => l.msg === "Azure answered with an error" && l.name === name && l.kind === "Gallery",
    );
    await operator.stop();
    return {
      output: operator.output(),
      failed,
      ready: failed.status?.conditions?.find((c) => c.type === "Ready"),
      logged: logged as LogLine & {
        level: string;
        azure: { code: string; message: string; requestId?: string };
      },
    };
  }

  it("never prints the client secret, even when getting a token with it fails", {
    timeout: 90_000,
  }, async () => {
    const clientSecret = `cs~${randomUUID()}`;
    // The simulator is no Entra authority: every token request fails.
    const { output, failed, ready } = await failOnce(
      "gal.clientsecret",
      ["--credential", "clientSecret", "--authority-host", world.sim.endpoint],
      { AZURE_CLIENT_ID: randomUUID(), AZURE_CLIENT_SECRET: clientSecret },
    );
    expect(ready?.message).toMatch(/endpoints_resolution_error|authority|token/i);
    expect(output).toMatch(/"credential":"clientSecret"/);
    expect(output).not.toContain(clientSecret);
    expect(JSON.stringify(failed)).not.toContain(clientSecret);
  });

  it("says which mode, variables and authority it tried when the authority is unreachable", {
    timeout: 90_000,
  }, async () => {
    const clientSecret = `cs~${randomUUID()}`;
    const authority = `https://127.0.0.1:${await deadPort()}`;
    const { output, ready, logged } = await failOnce(
      "gal.noauthority",
      ["--credential", "clientSecret", "--authority-host", authority],
      { AZURE_CLIENT_ID: randomUUID(), AZURE_CLIENT_SECRET: clientSecret },
    );
    for (const text of [ready?.message ?? "", logged.azure.message]) {
      expect(text).toContain("tried credential clientSecret");
      expect(text).toContain("environment variables AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET");
      expect(text).toContain(`at authority ${authority}`);
    }
    expect(logged.level).toBe("warn");
    expect(output).not.toContain(clientSecret);
  });

  it("never prints the static token, even when ARM refuses it", { timeout: 90_000 }, async () => {
    // A token of a tenant the subscription does not belong to: ARM answers 401, and the failed
    // request (with its Authorization header) travels in the SDK's error.
    const staticToken = mintToken({ tid: randomUUID(), oid: "operator", appid: "azure-gallery-operator" });
    const { output, failed, ready, logged } = await failOnce("gal.statictoken", [], {
      AGO_ARM_TOKEN: staticToken,
    });
    expect(ready?.reason).toMatch(/Authentication/);
    // Logged at warn with ARM's code, message and the id of the request ARM refused.
    expect(logged.level).toBe("warn");
    expect(logged.azure.code).toBe(ready?.reason);
    const refused = world.sim.requests().find((r) => r.requestId === logged.azure.requestId);
    expect(refused?.status).toBe(401);
    expect(refused?.path.toLowerCase()).toContain("/galleries/gal.statictoken");
    expect(output).not.toContain(staticToken);
    // Not even the token's signature-less body, which is what a JWT-shaped log filter would miss.
    expect(output).not.toContain(staticToken.split(".")[1]);
    expect(JSON.stringify(failed)).not.toContain(staticToken);
  });
});
