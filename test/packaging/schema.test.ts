// values.schema.json turns bad values into an install-time error that names the field, instead
// of a pod that crash-loops on a ConfigError (or, worse, runs with the wrong identity).
import { describe, expect, it } from "vitest";
import { helmRun } from "./support.js";

const GUID_PATTERN = "does not match pattern '^[0-9a-fA-F]{8}-";

const cases: [string, object, string[]][] = [
  [
    "an unknown credential mode",
    { azure: { credential: { mode: "certificate" } } },
    ["at '/azure/credential/mode': value must be one of 'default', 'workloadIdentity', 'clientSecret'"],
  ],
  [
    "workloadIdentity without a client id",
    { azure: { credential: { mode: "workloadIdentity" } } },
    ["at '/azure/credential/workloadIdentity/clientId': '' does not match pattern"],
  ],
  [
    "a workload identity client id that is not a GUID",
    { azure: { credential: { mode: "workloadIdentity", workloadIdentity: { clientId: "my-app" } } } },
    ["at '/azure/credential/workloadIdentity/clientId': 'my-app' does not match pattern"],
  ],
  [
    "clientSecret without the Secret's name",
    { azure: { credential: { mode: "clientSecret" } } },
    ["at '/azure/credential/clientSecret/existingSecret': minLength: got 0, want 1"],
  ],
  [
    "clientSecret with an empty key",
    {
      azure: {
        credential: { mode: "clientSecret", clientSecret: { existingSecret: "sp", clientSecretKey: "" } },
      },
    },
    ["at '/azure/credential/clientSecret/clientSecretKey': minLength: got 0, want 1"],
  ],
  [
    "the simulator's static token without an ARM endpoint",
    { azure: { credential: { mode: "static" } } },
    ["at '/azure/armEndpoint': minLength: got 0, want 1"],
  ],
  [
    "an ARM endpoint over plain http",
    { azure: { armEndpoint: "http://management.azure.com" } },
    ["at '/azure/armEndpoint': 'http://management.azure.com' does not match pattern"],
  ],
  [
    "an auxiliary tenant that is not a GUID",
    { azure: { auxiliaryTenants: ["contoso.onmicrosoft.com"] } },
    [`at '/azure/auxiliaryTenants/0': 'contoso.onmicrosoft.com' ${GUID_PATTERN}`],
  ],
  ["concurrency 0", { concurrency: 0 }, ["at '/concurrency': minimum: got 0, want 1"]],
  ["concurrency as a word", { concurrency: "four" }, ["at '/concurrency': got string, want integer"]],
  [
    "a resync period that is no duration",
    { resyncPeriod: "ten minutes" },
    ["at '/resyncPeriod': 'ten minutes'"],
  ],
  [
    "an unknown log level",
    { logLevel: "verbose" },
    ["at '/logLevel': value must be one of 'fatal', 'error'"],
  ],
  [
    "a namespace name that is not a DNS label",
    { watchNamespaces: ["Team_A"] },
    ["at '/watchNamespaces/0': 'Team_A' does not match pattern"],
  ],
  ["a misspelt top-level key", { replicas: 2 }, ["at '': additional properties 'replicas' not allowed"]],
  [
    "a misspelt nested key",
    { rbac: { credentialSecretName: ["a"] } },
    ["at '/rbac': additional properties 'credentialSecretName' not allowed"],
  ],
  ["a negative replica count", { replicaCount: -1 }, ["at '/replicaCount': minimum: got -1, want 0"]],
  [
    "an existing ServiceAccount without its name",
    { serviceAccount: { create: false } },
    ["at '/serviceAccount/name': minLength: got 0, want 1"],
  ],
  [
    "an unknown pull policy",
    { image: { pullPolicy: "Sometimes" } },
    ["at '/image/pullPolicy': value must be one of"],
  ],
  ["a port out of range", { http: { port: 70000 } }, ["at '/http/port': maximum: got 70,000, want 65,535"]],
  [
    "an unknown default policy",
    { defaultPolicy: "audit" },
    ["at '/defaultPolicy': value must be one of 'deny', 'allow'"],
  ],
  [
    "the old switch for reading every Secret",
    { rbac: { readCredentialSecrets: true } },
    ["at '/rbac': additional properties 'readCredentialSecrets' not allowed"],
  ],
];

describe("values.schema.json", () => {
  it.each(cases)("rejects %s", async (_name, values, messages) => {
    for (const verb of ["template", "lint"] as const) {
      const result = await helmRun(verb, values);
      const output = result.stderr + result.stdout;
      expect(result.code, `helm ${verb}`).not.toBe(0);
      expect(output).toContain("values don't meet the specifications of the schema");
      for (const message of messages) expect(output).toContain(message);
    }
  });
});

describe("what the schema cannot say well", () => {
  it("refuses the ARM CA from both a ConfigMap and a Secret, saying which to drop", async () => {
    const values = { azure: { armEndpoint: "https://arm.example", armCA: { configMap: "a", secret: "b" } } };
    const message = "azure.armCA: set configMap or secret, not both (the CA is read from one of them)";
    const template = await helmRun("template", values); // what install and upgrade run too
    expect(template.code).not.toBe(0);
    expect(template.stderr).toContain(message);
    // helm lint reports a template's `fail` as [INFO] and passes; the message is still there.
    const lint = await helmRun("lint", values);
    expect(lint.stderr + lint.stdout).toContain(message);
  });

  it("refuses a Kubernetes older than 1.30 (the admission policies' API), and takes 1.30", async () => {
    const old = await helmRun("template", {}, ["--kube-version", "1.29.9"]);
    expect(old.code).not.toBe(0);
    expect(old.stderr).toContain(
      "chart requires kubeVersion: >=1.30.0-0 which is incompatible with Kubernetes v1.29.9",
    );
    expect((await helmRun("template", {}, ["--kube-version", "1.30.0"])).code).toBe(0);
  });
});
