// Keep-alive to the API server, counted from outside: a TCP proxy in front of a real API server
// sees every connection the transport opens (each one a TLS handshake). Requests reuse one
// connection; a connection the server side closes just as a request reuses it costs a new
// connection, never a failed request.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { KubeTransport } from "../../../src/kube/transport.js";
import { type TestCluster, testCluster } from "../../support/cluster.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { withServer } from "../support/widgets.js";

describe("KubeTransport keep-alive", () => {
  let cluster: TestCluster;
  let proxy: TcpProxy | undefined;

  beforeAll(async () => {
    cluster = await testCluster();
  });

  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  async function viaProxy(): Promise<{ transport: KubeTransport; proxy: TcpProxy }> {
    const server = new URL(cluster.kubeConfig.getCurrentCluster()?.server ?? "");
    proxy = await startTcpProxy(server.hostname, Number(server.port));
    return { transport: new KubeTransport(withServer(cluster.kubeConfig, proxy.url)), proxy };
  }

  it("sends 50 requests in a row over one connection", async () => {
    const { transport, proxy } = await viaProxy();
    for (let i = 0; i < 50; i++) {
      const ns = await transport.request<{ kind: string }>({
        method: "GET",
        path: "/api/v1/namespaces/default",
      });
      expect(ns.kind).toBe("Namespace");
    }
    expect(proxy.accepted).toBe(1);
  });

  it("opens no more connections than requests run at once", async () => {
    const { transport, proxy } = await viaProxy();
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        Array.from({ length: 4 }, () =>
          transport.request({ method: "GET", path: "/api/v1/namespaces/default" }),
        ),
      );
    }
    expect(proxy.accepted).toBeLessThanOrEqual(4);
  });

  it("does not fail a request whose reused connection the server had just closed", async () => {
    const { transport, proxy } = await viaProxy();
    await transport.request({ method: "GET", path: "/api/v1/namespaces/default" });
    for (let i = 0; i < 20; i++) {
      // Closed as the next request picks the idle connection, before the client heard of it.
      proxy.cutAll();
      const ns = await transport.request<{ kind: string }>({
        method: "GET",
        path: "/api/v1/namespaces/default",
      });
      expect(ns.kind).toBe("Namespace");
    }
    expect(proxy.accepted).toBeGreaterThan(1);
  });
});
