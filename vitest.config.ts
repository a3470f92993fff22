import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One Kubernetes control plane for the whole run, shared by every test file (see the file for
    // TEST_KUBECONFIG / TEST_CLUSTER, which choose another cluster or none).
    globalSetup: ["test/support/global-setup.ts"],
    // Integration tests start real processes (etcd, kube-apiserver, the simulator); on a 2-core
    // machine running many files at once only makes each of them time out.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    reporters: ["default"],
  },
});
