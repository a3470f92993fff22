import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadKubeConfig } from "../../../src/kube/client.js";

function kubeconfig(server: string, context: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: context, cluster: { server } }],
    users: [{ name: context, user: { token: "t" } }],
    contexts: [{ name: context, context: { cluster: context, user: context } }],
    "current-context": context,
  });
}

describe("loadKubeConfig", () => {
  it("prefers an explicit path, then KUBECONFIG", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kube-client-"));
    const explicit = join(dir, "a");
    const fromEnv = join(dir, "b");
    await writeFile(explicit, kubeconfig("https://a.example:6443", "a"));
    await writeFile(fromEnv, kubeconfig("https://b.example:6443", "b"));
    const a = loadKubeConfig({ path: explicit }, { KUBECONFIG: fromEnv });
    expect(a.origin).toBe("path");
    expect(a.kubeConfig.getCurrentCluster()?.server).toBe("https://a.example:6443");
    const b = loadKubeConfig({}, { KUBECONFIG: fromEnv });
    expect(b.origin).toBe("env");
    expect(b.kubeConfig.getCurrentCluster()?.server).toBe("https://b.example:6443");
  });

  it("selects another context and rejects an unknown one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kube-client-"));
    const path = join(dir, "config");
    await writeFile(path, kubeconfig("https://a.example:6443", "a"));
    expect(() => loadKubeConfig({ path, context: "missing" })).toThrow(/no context "missing"/);
    expect(loadKubeConfig({ path, context: "a" }).kubeConfig.getCurrentContext()).toBe("a");
  });
});
