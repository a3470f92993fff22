// The operator's own kubeconfig reader against a real API server: client certificates from files
// named relative to the kubeconfig, a pod's service-account token file, and
// an exec plugin (handed to client-node, loaded only then).
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { KubeConfigFile } from "../../../src/kube/kubeconfig.js";
import { KubeTransport } from "../../../src/kube/transport.js";
import { type TestCluster, testCluster } from "../../support/cluster.js";

describe("KubeConfigFile", () => {
  let cluster: TestCluster;
  let dir: string;
  let server: string;
  let ca: string;
  let cert: string;
  let key: string;

  beforeAll(async () => {
    cluster = await testCluster();
    dir = await mkdtemp(join(tmpdir(), "kubeconfig-"));
    const current = cluster.kubeConfig.getCurrentCluster();
    const user = cluster.kubeConfig.getCurrentUser();
    server = current?.server ?? "";
    ca = current?.caData ?? "";
    cert = user?.certData ?? "";
    key = user?.keyData ?? "";
    // The files the kubeconfigs written here name: the CA, and the admin's certificate and key.
    await writeFile(join(dir, "ca.crt"), Buffer.from(ca, "base64"));
    await writeFile(join(dir, "admin.crt"), Buffer.from(cert, "base64"));
    await writeFile(join(dir, "admin.key"), Buffer.from(key, "base64"));
  });

  const whoAmI = async (config: KubeConfigFile) => {
    const review = await new KubeTransport(config).request<{ status: { userInfo: { username: string } } }>({
      method: "POST",
      path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
    });
    return review.status.userInfo.username;
  };

  const write = async (name: string, user: Record<string, unknown>) => {
    const path = join(dir, name);
    await writeFile(
      path,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster: { server, "certificate-authority": "ca.crt" } }],
        users: [{ name: "u", user }],
        contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
        "current-context": "ctx",
      }),
    );
    const config = new KubeConfigFile();
    config.loadFromFile(path);
    return config;
  };

  it("reads the CA and a client certificate from files next to the kubeconfig", async () => {
    const config = await write("files", { "client-certificate": "admin.crt", "client-key": "admin.key" });
    expect(await whoAmI(config)).toBeTruthy();
  });

  it("hands an exec plugin to client-node and uses the credential it prints", async () => {
    const credential = JSON.stringify({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      status: {
        clientCertificateData: Buffer.from(cert, "base64").toString("utf8"),
        clientKeyData: Buffer.from(key, "base64").toString("utf8"),
      },
    });
    await writeFile(join(dir, "credential.json"), credential);
    const config = await write("exec", {
      exec: {
        apiVersion: "client.authentication.k8s.io/v1",
        command: "cat",
        args: [join(dir, "credential.json")],
        interactiveMode: "Never",
      },
    });
    expect(await whoAmI(config)).toBe(
      await whoAmI(
        await write("files-again", {
          "client-certificate": "admin.crt",
          "client-key": "admin.key",
        }),
      ),
    );
  });

  it("sends a pod's service-account token from its mounted file", async () => {
    const admin = new KubeTransport(cluster.kubeConfig);
    const namespace = await cluster.newNamespace("kubeconfig");
    await admin.request({
      method: "POST",
      path: `/api/v1/namespaces/${namespace}/serviceaccounts`,
      body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "operator" } },
    });
    const issued = await admin.request<{ status: { token: string } }>({
      method: "POST",
      path: `/api/v1/namespaces/${namespace}/serviceaccounts/operator/token`,
      body: {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: 600 },
      },
    });
    const mount = await mkdtemp(join(tmpdir(), "serviceaccount-"));
    await writeFile(join(mount, "ca.crt"), Buffer.from(ca, "base64"));
    await writeFile(join(mount, "token"), `${issued.status.token}\n`);
    const url = new URL(server);
    const config = new KubeConfigFile();
    config.loadFromCluster(
      { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port },
      mount,
    );
    expect(await whoAmI(config)).toBe(`system:serviceaccount:${namespace}:operator`);
  });
});
