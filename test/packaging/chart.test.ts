// The Helm chart renders what a hardened operator Deployment needs, for every credential mode,
// and what it renders is a configuration the operator itself accepts (parseOperatorConfig).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseOperatorConfig } from "../../src/config.js";
import {
  CHART,
  type Container,
  field,
  helmRun,
  NAMESPACE,
  operatorContainer,
  REPO,
  type Rendered,
  render,
} from "./support.js";

const CLIENT_ID = "11111111-2222-3333-4444-555555555555";
const TENANT_ID = "66666666-7777-8888-9999-000000000000";

/** The operator's config from the rendered args and env, with what Kubernetes would fill in. */
function configOf(c: Container, injected: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = {};
  for (const e of c.env) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef) env[e.name] = e.name === "POD_NAMESPACE" ? NAMESPACE : "ago-abc12";
    else if (e.valueFrom?.secretKeyRef) env[e.name] = `from-secret-${e.valueFrom.secretKeyRef.key}`;
  }
  expect(c.args[0]).toBe("run");
  return parseOperatorConfig(c.args.slice(1), { ...env, ...injected });
}

function envNames(c: Container): string[] {
  return c.env.map((e) => e.name);
}

function podLabels(r: Rendered): Record<string, string> {
  return field(r.one("Deployment"), "spec", "template", "metadata", "labels") as Record<string, string>;
}

describe("chart metadata", () => {
  it("appVersion is package.json's version, and the default image tag follows it", async () => {
    const chart = parse(readFileSync(join(CHART, "Chart.yaml"), "utf8")) as {
      appVersion: string;
      apiVersion: string;
    };
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string };
    expect(chart.apiVersion).toBe("v2");
    expect(chart.appVersion).toBe(pkg.version);
    expect(operatorContainer(await render()).image).toBe(`azure-gallery-operator:${pkg.version}`);
  });

  it.each([
    ["default values", {}],
    [
      "workloadIdentity",
      { azure: { credential: { mode: "workloadIdentity", workloadIdentity: { clientId: CLIENT_ID } } } },
    ],
    [
      "clientSecret",
      { azure: { credential: { mode: "clientSecret", clientSecret: { existingSecret: "azure-sp" } } } },
    ],
    ["managedIdentity", { azure: { credential: { mode: "managedIdentity" } } }],
    [
      "everything on",
      {
        replicaCount: 2,
        podDisruptionBudget: { enabled: true },
        metrics: { serviceMonitor: { enabled: true } },
      },
    ],
  ])("helm lint --strict passes with %s", async (_name, values) => {
    const result = await helmRun("lint", values);
    expect(result.stderr + result.stdout).toContain("0 chart(s) failed");
    expect(result.code).toBe(0);
  });
});

describe("chart with default values", () => {
  it("renders exactly the expected objects", async () => {
    const r = await render();
    const names = r.objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(names).toEqual([
      "ClusterRole/ago-azure-gallery-operator",
      "ClusterRole/ago-azure-gallery-operator-editor",
      "ClusterRole/ago-azure-gallery-operator-policy-reader",
      "ClusterRole/ago-azure-gallery-operator-viewer",
      "ClusterRoleBinding/ago-azure-gallery-operator",
      "ClusterRoleBinding/ago-azure-gallery-operator-policy-reader",
      "Deployment/ago-azure-gallery-operator",
      "Role/ago-azure-gallery-operator-own-namespace",
      "RoleBinding/ago-azure-gallery-operator-own-namespace",
      "Service/ago-azure-gallery-operator-metrics",
      "ServiceAccount/ago-azure-gallery-operator",
      "ValidatingAdmissionPolicy/gallerypolicy-galleries.gallery.azure.dev",
      "ValidatingAdmissionPolicy/gallerypolicy-gallerysharings.gallery.azure.dev",
      "ValidatingAdmissionPolicy/gallerypolicy-imageversions.gallery.azure.dev",
      "ValidatingAdmissionPolicyBinding/gallerypolicy-galleries.gallery.azure.dev",
      "ValidatingAdmissionPolicyBinding/gallerypolicy-gallerysharings.gallery.azure.dev",
      "ValidatingAdmissionPolicyBinding/gallerypolicy-imageversions.gallery.azure.dev",
    ]);
    for (const o of r.objects) {
      const clusterScoped = o.kind.startsWith("Cluster") || o.kind.startsWith("ValidatingAdmissionPolicy");
      if (!clusterScoped) expect(o.metadata.namespace, `${o.kind} namespace`).toBe(NAMESPACE);
    }
  });

  it("runs the pod non-root with a read-only root filesystem and no privileges", async () => {
    const r = await render();
    const pod = field(r.one("Deployment"), "spec", "template", "spec") as Record<string, unknown>;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: "RuntimeDefault" },
    });
    const c = operatorContainer(r);
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(c.securityContext.capabilities).not.toHaveProperty("add");
    // /tmp is the only writable path, and it is an emptyDir.
    expect(c.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(pod.volumes).toEqual([{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }]);
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(pod.enableServiceLinks).toBe(false);
  });

  it("probes /healthz and /readyz on the http port, with resources set", async () => {
    const c = operatorContainer(await render());
    expect(c.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: "/healthz", port: "http" } });
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: "/readyz", port: "http" } });
    expect(c.resources).toEqual({ requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } });
  });

  it("passes the pod's namespace and name from the downward API, heap bounds, and no Azure secrets", async () => {
    const c = operatorContainer(await render());
    expect(c.env).toEqual([
      { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "NODE_OPTIONS", value: "--max-old-space-size=160 --max-semi-space-size=2" },
    ]);
  });

  it("leaves Node's heap defaults alone with nodeOptions empty", async () => {
    const c = operatorContainer(await render({ nodeOptions: "" }));
    expect(envNames(c)).toEqual(["POD_NAMESPACE", "POD_NAME"]);
  });

  it("renders flags the operator accepts: default credential, leader election in the release namespace", async () => {
    const r = await render();
    const config = configOf(operatorContainer(r));
    expect(config.credential.mode).toBe("default");
    expect(config.leaderElection).toEqual({
      enabled: true,
      namespace: NAMESPACE,
      leaseName: "ago-azure-gallery-operator",
      identity: "ago-abc12",
    });
    expect(config.httpAddress).toBe(":8080");
    expect(config.namespaces).toEqual([]);
    expect(config.concurrency).toBe(4);
    expect(config.rateLimitReserve).toBe(0.05);
    expect(config.resyncPeriodMs).toBe(600_000);
    expect(config.logLevel).toBe("info");
    expect(config.arm.endpoint).toBeUndefined();
    // Secure by default: a namespace no GalleryPolicy covers gets nothing (docs/policy.md).
    expect(config.policy.defaultPolicy).toBe("deny");
    expect(config.perObjectMetrics).toBe(true);
    expect(config.applyCrds).toBe(false);
    expect(config.policyStatus).toBe(true);
    expect(podLabels(r)).not.toHaveProperty(["azure.workload.identity/use"]);
    expect(r.one("ServiceAccount").metadata.annotations).toBeUndefined();
  });

  it("passes defaultPolicy, metrics.perObject and crds.applyOnStart to the operator", async () => {
    const config = configOf(
      operatorContainer(
        await render({ defaultPolicy: "allow", metrics: { perObject: false }, crds: { applyOnStart: true } }),
      ),
    );
    expect(config.policy.defaultPolicy).toBe("allow");
    expect(config.perObjectMetrics).toBe(false);
    expect(config.applyCrds).toBe(true);
  });

  it("lets only the release with the admission policies write GalleryPolicy status", async () => {
    const second = configOf(operatorContainer(await render({ admissionPolicies: { enabled: false } })));
    expect(second.policyStatus).toBe(false);
  });

  it("exposes /metrics through a Service and has no ServiceMonitor or PodDisruptionBudget", async () => {
    const r = await render();
    expect(field(r.one("Service"), "spec", "ports")).toEqual([
      { name: "http", port: 8080, targetPort: "http", protocol: "TCP" },
    ]);
    expect(field(r.one("Service"), "spec", "selector")).toEqual(
      field(r.one("Deployment"), "spec", "selector", "matchLabels"),
    );
    expect(r.all("ServiceMonitor")).toEqual([]);
    expect(r.all("PodDisruptionBudget")).toEqual([]);
  });
});

describe("credential modes", () => {
  it("workloadIdentity: annotates the ServiceAccount, labels the pod, leaves env to the webhook", async () => {
    const r = await render({
      azure: {
        credential: {
          mode: "workloadIdentity",
          workloadIdentity: { clientId: CLIENT_ID, tenantId: TENANT_ID },
        },
      },
    });
    expect(r.one("ServiceAccount").metadata.annotations).toEqual({
      "azure.workload.identity/client-id": CLIENT_ID,
      "azure.workload.identity/tenant-id": TENANT_ID,
    });
    expect(podLabels(r)["azure.workload.identity/use"]).toBe("true");
    const c = operatorContainer(r);
    expect(envNames(c)).toEqual(["POD_NAMESPACE", "POD_NAME", "NODE_OPTIONS"]);
    // The webhook injects AZURE_CLIENT_ID (and the token file) from the annotation.
    expect(configOf(c, { AZURE_CLIENT_ID: CLIENT_ID }).credential.mode).toBe("workloadIdentity");
  });

  it("workloadIdentity: the tenant annotation is optional", async () => {
    const r = await render({
      azure: { credential: { mode: "workloadIdentity", workloadIdentity: { clientId: CLIENT_ID } } },
      serviceAccount: { annotations: { "example.com/team": "images" } },
    });
    expect(r.one("ServiceAccount").metadata.annotations).toEqual({
      "example.com/team": "images",
      "azure.workload.identity/client-id": CLIENT_ID,
    });
  });

  it("clientSecret: takes tenant, client id and secret from the existing Secret, never a literal", async () => {
    const r = await render({
      azure: {
        credential: {
          mode: "clientSecret",
          clientSecret: { existingSecret: "azure-sp", clientSecretKey: "password" },
        },
      },
    });
    const c = operatorContainer(r);
    const azure = c.env.filter((e) => e.name.startsWith("AZURE_"));
    expect(azure).toEqual([
      { name: "AZURE_TENANT_ID", valueFrom: { secretKeyRef: { name: "azure-sp", key: "AZURE_TENANT_ID" } } },
      { name: "AZURE_CLIENT_ID", valueFrom: { secretKeyRef: { name: "azure-sp", key: "AZURE_CLIENT_ID" } } },
      { name: "AZURE_CLIENT_SECRET", valueFrom: { secretKeyRef: { name: "azure-sp", key: "password" } } },
    ]);
    expect(r.all("Secret")).toEqual([]);
    expect(podLabels(r)).not.toHaveProperty(["azure.workload.identity/use"]);
    const config = configOf(c);
    expect(config.credential.mode).toBe("clientSecret");
    expect(config.credential.clientSecret).toBe("from-secret-password");
  });

  it("managedIdentity: a user-assigned client id becomes AZURE_CLIENT_ID; none means system-assigned", async () => {
    const user = operatorContainer(
      await render({
        azure: { credential: { mode: "managedIdentity", managedIdentity: { clientId: CLIENT_ID } } },
      }),
    );
    expect(user.env).toContainEqual({ name: "AZURE_CLIENT_ID", value: CLIENT_ID });
    expect(configOf(user).credential).toMatchObject({ mode: "managedIdentity", clientId: CLIENT_ID });

    const system = operatorContainer(await render({ azure: { credential: { mode: "managedIdentity" } } }));
    expect(envNames(system)).toEqual(["POD_NAMESPACE", "POD_NAME", "NODE_OPTIONS"]);
    expect(configOf(system).credential.mode).toBe("managedIdentity");
  });

  it("static (simulator): ARM endpoint and its CA from a ConfigMap, mounted read-only", async () => {
    const r = await render({
      azure: {
        credential: { mode: "static", static: { existingSecret: "sim-token" } },
        armEndpoint: "https://127.0.0.1:8443",
        armCA: { configMap: "sim-ca" },
      },
    });
    const c = operatorContainer(r);
    expect(c.env.filter((e) => e.valueFrom?.secretKeyRef?.name === "sim-token").map((e) => e.name)).toEqual([
      "AZURE_TENANT_ID",
      "AGO_ARM_TOKEN",
    ]);
    expect(c.volumeMounts).toContainEqual({
      name: "arm-ca",
      mountPath: "/etc/azure-gallery-operator/arm-ca",
      readOnly: true,
    });
    expect(field(r.one("Deployment"), "spec", "template", "spec", "volumes")).toContainEqual({
      name: "arm-ca",
      configMap: { name: "sim-ca", items: [{ key: "ca.crt", path: "ca.crt" }] },
    });
    const config = configOf(c);
    expect(config.arm).toEqual({
      endpoint: "https://127.0.0.1:8443",
      caFile: "/etc/azure-gallery-operator/arm-ca/ca.crt",
      authorityHost: undefined,
    });
  });

  it("the ARM CA can come from a Secret instead", async () => {
    const r = await render({
      azure: { armEndpoint: "https://arm.example", armCA: { secret: "arm-ca", key: "root.pem" } },
    });
    expect(field(r.one("Deployment"), "spec", "template", "spec", "volumes")).toContainEqual({
      name: "arm-ca",
      secret: { secretName: "arm-ca", items: [{ key: "root.pem", path: "root.pem" }] },
    });
    expect(configOf(operatorContainer(r)).arm.caFile).toBe("/etc/azure-gallery-operator/arm-ca/root.pem");
  });
});

describe("operator settings", () => {
  it("passes namespaces, concurrency, rate-limit reserve, resync, log level, sovereign cloud and extra flags through", async () => {
    const c = operatorContainer(
      await render({
        watchNamespaces: ["team-a", "team-b"],
        concurrency: 8,
        rateLimitReserve: 0.25,
        resyncPeriod: "30m",
        logLevel: "debug",
        azure: {
          armEndpoint: "https://management.chinacloudapi.cn",
          authorityHost: "https://login.chinacloudapi.cn",
          auxiliaryTenants: [TENANT_ID],
        },
        extraArgs: ["--lease-name=custom-lease"],
        extraEnv: [{ name: "NODE_OPTIONS", value: "--max-old-space-size=384" }],
      }),
    );
    const config = configOf(c);
    expect(config.namespaces).toEqual(["team-a", "team-b"]);
    expect(config.concurrency).toBe(8);
    expect(config.rateLimitReserve).toBe(0.25);
    expect(config.resyncPeriodMs).toBe(30 * 60_000);
    expect(config.logLevel).toBe("debug");
    expect(config.arm.endpoint).toBe("https://management.chinacloudapi.cn");
    expect(config.arm.authorityHost).toBe("https://login.chinacloudapi.cn");
    expect(config.credential.auxiliaryTenants).toEqual([TENANT_ID]);
    // extraArgs come last, so they override the chart's own flags.
    expect(config.leaderElection.leaseName).toBe("custom-lease");
    expect(c.env).toContainEqual({ name: "NODE_OPTIONS", value: "--max-old-space-size=384" });
  });

  it("forces leader election on when more than one replica runs", async () => {
    const r = await render({ replicaCount: 3, leaderElection: { enabled: false } });
    expect(field(r.one("Deployment"), "spec", "replicas")).toBe(3);
    expect(configOf(operatorContainer(r)).leaderElection.enabled).toBe(true);
  });

  it("runs without leader election only when asked, with one replica", async () => {
    const r = await render({ leaderElection: { enabled: false } });
    expect(configOf(operatorContainer(r)).leaderElection.enabled).toBe(false);
  });

  it("renders a PodDisruptionBudget and a ServiceMonitor when enabled", async () => {
    const r = await render({
      replicaCount: 2,
      podDisruptionBudget: { enabled: true },
      metrics: { serviceMonitor: { enabled: true, labels: { release: "prometheus" } } },
    });
    expect(field(r.one("PodDisruptionBudget"), "spec")).toEqual({
      selector: { matchLabels: field(r.one("Deployment"), "spec", "selector", "matchLabels") },
      maxUnavailable: 1,
    });
    const monitor = r.one("ServiceMonitor");
    expect(monitor.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(monitor.metadata.labels?.release).toBe("prometheus");
    expect(field(monitor, "spec", "endpoints")).toEqual([
      { port: "http", path: "/metrics", interval: "30s", scrapeTimeout: "10s" },
    ]);
    expect(field(monitor, "spec", "selector", "matchLabels")).toEqual(
      field(r.one("Deployment"), "spec", "selector", "matchLabels"),
    );

    const min = await render({ podDisruptionBudget: { enabled: true, minAvailable: "50%" } });
    expect(field(min.one("PodDisruptionBudget"), "spec", "minAvailable")).toBe("50%");
    expect(field(min.one("PodDisruptionBudget"), "spec")).not.toHaveProperty("maxUnavailable");
  });

  it("refuses a ServiceMonitor without the metrics Service it selects", async () => {
    const result = await helmRun("template", {
      metrics: { service: { enabled: false }, serviceMonitor: { enabled: true } },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("metrics.serviceMonitor.enabled needs metrics.service.enabled");
  });

  it("pins the image by digest when one is given", async () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const c = operatorContainer(await render({ image: { repository: "registry.example/ago", digest } }));
    expect(c.image).toBe(`registry.example/ago@${digest}`);
    // `--set image.tag=5` arrives as a number; it must still render as a tag.
    expect(operatorContainer(await render({ image: { tag: 5 } })).image).toBe("azure-gallery-operator:5");
  });
});

describe("networkPolicy", () => {
  it("is off by default", async () => {
    expect((await render()).all("NetworkPolicy")).toEqual([]);
  });

  it("selects the operator's pod and allows metrics in, DNS, https, the API server and IMDS out", async () => {
    const from = [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }];
    const r = await render({ networkPolicy: { enabled: true, metricsFrom: from } });
    const policy = r.one("NetworkPolicy");
    expect(field(policy, "spec", "podSelector", "matchLabels")).toEqual(
      field(r.one("Deployment"), "spec", "selector", "matchLabels"),
    );
    expect(field(policy, "spec", "policyTypes")).toEqual(["Ingress", "Egress"]);
    expect(field(policy, "spec", "ingress")).toEqual([{ ports: [{ port: "http", protocol: "TCP" }], from }]);
    const egress = field(policy, "spec", "egress") as { to?: unknown; ports: { port: number }[] }[];
    expect(egress.map((rule) => rule.ports.map((p) => p.port))).toEqual([[53, 53], [443, 6443], [80]]);
    // Only IMDS is reachable over plain http (the default credential may use a managed identity).
    expect(egress[2]?.to).toEqual([{ ipBlock: { cidr: "169.254.169.254/32" } }]);
  });

  it("leaves IMDS out for workload identity, and adds extra egress", async () => {
    const extra = { to: [{ ipBlock: { cidr: "10.0.0.10/32" } }], ports: [{ port: 3128, protocol: "TCP" }] };
    const r = await render({
      networkPolicy: { enabled: true, extraEgress: [extra] },
      azure: { credential: { mode: "workloadIdentity", workloadIdentity: { clientId: CLIENT_ID } } },
    });
    const egress = field(r.one("NetworkPolicy"), "spec", "egress") as unknown[];
    expect(egress).toHaveLength(3);
    expect(egress[2]).toEqual(extra);
    expect(JSON.stringify(egress)).not.toContain("169.254.169.254");
  });
});
