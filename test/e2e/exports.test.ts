// spec.operatorSpec.configMaps (docs/api.md, "Exports"): what consumers need written to ConfigMaps,
// owned by the object and kept current. The operator runs as a real process against a real API
// server and the ARM simulator; the ConfigMaps are read from the API server.
import { describe, expect, it } from "vitest";
import { KubeTransport, ResourceClient } from "../../src/kube/index.js";
import { CONFIGMAPS, type ConfigMap } from "../../src/reconcilers/index.js";
import { definitionManifest, managedImageId, versionManifest } from "../support/images.js";
import { galleryManifest } from "../support/operator.js";
import { operatorWorldPerFile } from "../support/operator-world.js";
import { waitFor } from "../support/wait.js";
import { conditionOf, type World, waitForCondition } from "../support/world.js";

let world: World;
let configMaps: ResourceClient<ConfigMap>;

operatorWorldPerFile(
  "e2e-exports",
  {
    prepare(w) {
      w.sim.seed({
        sources: ["img-a", "img-b", "img-c"].map((n) => ({
          id: managedImageId(w.subscriptionId, w.resourceGroup, n),
          location: w.location,
        })),
      });
    },
  },
  (w) => {
    world = w;
    configMaps = new ResourceClient<ConfigMap>(new KubeTransport(w.cluster.kubeConfig), CONFIGMAPS);
  },
);

const ref = (name: string) => ({ namespace: world.namespace, name });

/** Waits until ConfigMap `name` has `key` equal to `value`; returns the ConfigMap. */
function configMapWith(name: string, key: string, value: string): Promise<ConfigMap> {
  return waitFor(`ConfigMap ${name} ${key}=${value}`, async () => {
    const cm = await configMaps.get(ref(name)).catch(() => undefined);
    return cm?.data?.[key] === value ? cm : undefined;
  });
}

function version(name: string, number: string, source: string, excludeFromLatest = false) {
  return versionManifest(world, name, "exp-def", {
    version: number,
    source: { managedImageId: managedImageId(world.subscriptionId, world.resourceGroup, source) },
    targetRegions: [{ name: world.location, storageAccountType: "Standard_LRS" }],
    excludeFromLatest,
  });
}

describe("exports to ConfigMaps", () => {
  it("a Gallery writes its ARM id and unique name to a ConfigMap it owns", { timeout: 60_000 }, async () => {
    const manifest = galleryManifest(world, "expgal", {
      operatorSpec: {
        configMaps: {
          id: { name: "gallery-facts", key: "galleryId" },
          uniqueName: { name: "gallery-facts", key: "uniqueName" },
        },
      },
    });
    await world.galleries.create(manifest);
    const ready = await waitForCondition(world.galleries, world.namespace, "expgal", { status: "True" });
    const cm = await configMapWith("gallery-facts", "uniqueName", `${world.subscriptionId}-EXPGAL`);
    expect(cm.data?.galleryId).toBe(ready.status?.id);
    expect(cm.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: "Gallery", name: "expgal", uid: ready.metadata.uid }),
    ]);
  });

  it("a community gallery's public names come and go with its sharing", { timeout: 60_000 }, async () => {
    const community = {
      publisherUri: "https://example.com",
      publisherContact: "images@example.com",
      eula: "https://example.com/eula",
      publicNamePrefix: "contoso",
    };
    await world.galleries.create(
      galleryManifest(world, "expcomm", {
        sharing: { permissions: "Community", community },
        operatorSpec: { configMaps: { publicNames: { name: "community-facts", key: "publicNames" } } },
      }),
    );
    const cm = await waitFor("the public names exported", async () => {
      const found = await configMaps.get(ref("community-facts")).catch(() => undefined);
      return found?.data?.publicNames ? found : undefined;
    });
    expect(cm.data?.publicNames).toMatch(/^contoso-[0-9a-f-]{36}$/);

    // No longer community: the value is gone, and so is its key.
    await world.galleries.mergePatch(ref("expcomm"), {
      spec: { sharing: { permissions: "Private", community: null } },
    });
    await waitFor("the public names key removed", async () => {
      const found = await configMaps.get(ref("community-facts"));
      return found.data?.publicNames === undefined ? found : undefined;
    });
  });

  it("an ImageDefinition keeps its latest version current", { timeout: 120_000 }, async () => {
    await world.imageDefinitions.create(
      definitionManifest(world, "exp-def", "expgal", {
        operatorSpec: {
          configMaps: {
            latestVersion: { name: "image-latest", key: "version" },
            latestVersionId: { name: "image-latest", key: "id" },
          },
        },
      }),
    );
    await world.imageVersions.create(version("exp-v1", "1.0.0", "img-a"));
    await waitForCondition(world.imageVersions, world.namespace, "exp-v1", { status: "True" }, 60_000);
    await configMapWith("image-latest", "version", "1.0.0");

    await world.imageVersions.create(version("exp-v2", "1.1.0", "img-b"));
    const v2 = await waitForCondition(
      world.imageVersions,
      world.namespace,
      "exp-v2",
      { status: "True" },
      60_000,
    );
    const cm = await configMapWith("image-latest", "version", "1.1.0");
    expect(cm.data?.id).toBe(v2.status?.id);

    // Excluded from latest: Ready, but what "latest" means does not move.
    await world.imageVersions.create(version("exp-v3", "2.0.0", "img-c", true));
    await waitForCondition(world.imageVersions, world.namespace, "exp-v3", { status: "True" }, 60_000);
    await world.imageDefinitions.mergePatch(ref("exp-def"), { spec: { description: "wake" } });
    await waitForCondition(world.imageDefinitions, world.namespace, "exp-def", { status: "True" });
    expect((await configMaps.get(ref("image-latest"))).data?.version).toBe("1.1.0");
  });

  it("never overwrites a ConfigMap the operator does not manage", { timeout: 60_000 }, async () => {
    await configMaps.create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "team-settings", namespace: world.namespace },
      data: { galleryId: "hands off" },
    });
    await world.galleries.create(
      galleryManifest(world, "expclash", {
        operatorSpec: { configMaps: { id: { name: "team-settings", key: "galleryId" } } },
      }),
    );
    const refused = await waitForCondition(world.galleries, world.namespace, "expclash", {
      status: "False",
      reason: "ExportConflict",
    });
    expect(conditionOf(refused)?.message).toMatch(/ConfigMap team-settings exists and is not managed/);
    expect((await configMaps.get(ref("team-settings"))).data).toEqual({ galleryId: "hands off" });
  });
});
