// What `kubectl explain` and `kubectl get` show: descriptions, the azure-gallery category, short
// names, and printer columns filled from a status written through the status subresource.
import { beforeAll, describe, expect, it } from "vitest";
import { CATEGORY, KIND_DEFINITIONS } from "../../src/api/index.js";
import type { JsonSchema } from "../../src/api/schema/json-schema.js";
import { type TestCluster, testCluster } from "../support/cluster.js";
import { apply, expectAccepted, installCrds } from "./support/api-server.js";
import { gallery, gallerySharing, imageDefinition, imageVersion } from "./support/fixtures.js";

const words = (text: string) => text.replace(/\s+/g, " ").trim();

/** `kind.field.path` and the description kubectl explain must show for it. */
function explainTargets(): [string, string][] {
  const targets: [string, string][] = [];
  for (const def of KIND_DEFINITIONS) {
    const kind = def.names.singular;
    targets.push([kind, def.description]);
    const add = (prefix: string, schema: JsonSchema) => {
      for (const [name, child] of Object.entries(schema.properties ?? {})) {
        targets.push([`${prefix}.${name}`, child.description]);
      }
    };
    add(`${kind}.spec`, def.spec);
    if (def.status) add(`${kind}.status`, def.status);
  }
  return targets;
}

describe("kubectl ergonomics", () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await testCluster();
    await installCrds(cluster);
  });

  it.each(explainTargets())("kubectl explain %s shows its description", async (target, description) => {
    // The API server publishes a new CRD's OpenAPI a moment after it is Established.
    let output = "";
    for (let attempt = 0; attempt < 30; attempt++) {
      const result = await cluster.kubectl(["explain", target]);
      output = result.stdout;
      if (result.code === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(words(output)).toContain(words(description));
  });

  it("lists every kind under the azure-gallery category and answers to short names", async () => {
    const namespace = await cluster.newNamespace("api-get");
    expectAccepted(
      await apply(cluster, namespace, [gallery(), imageDefinition(), imageVersion(), gallerySharing()]),
    );
    const all = await cluster.kubectl(["get", CATEGORY, "-n", namespace, "-o", "name"]);
    expectAccepted(all);
    expect(all.stdout.trim().split("\n").sort()).toEqual([
      "gallery.gallery.azure.dev/test-gallery",
      "gallerysharing.gallery.azure.dev/test-sharing",
      "imagedefinition.gallery.azure.dev/test-image",
      "imageversion.gallery.azure.dev/test-image-1.0.0",
    ]);
    const shortNames = KIND_DEFINITIONS.filter((def) => def.scope !== "Cluster")
      .map((def) => def.names.shortNames[0])
      .join(",");
    const short = await cluster.kubectl(["get", shortNames, "-n", namespace, "-o", "name"]);
    expectAccepted(short);
    expect(short.stdout.trim().split("\n")).toHaveLength(4);
  });

  it("shows status in the printer columns (written through the status subresource)", async () => {
    const namespace = await cluster.newNamespace("api-columns");
    expectAccepted(await apply(cluster, namespace, [imageVersion(), gallerySharing(), gallery()]));
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const ready = (status: string, reason: string) => ({
      type: "Ready",
      status,
      reason,
      message: "m",
      lastTransitionTime: now,
      observedGeneration: 1,
    });
    const writeStatus = (resource: string, status: object) =>
      cluster.kubectl([
        "patch",
        resource,
        "-n",
        namespace,
        "--subresource=status",
        "--type=merge",
        "-p",
        JSON.stringify({ status }),
      ]);

    expectAccepted(
      await writeStatus("imageversion/test-image-1.0.0", {
        observedGeneration: 1,
        conditions: [ready("False", "Replicating"), { ...ready("False", "Replicating"), type: "Replicated" }],
        replication: {
          aggregatedState: "InProgress",
          progress: 57,
          regions: [
            { region: "West Central US", state: "Completed", progress: 100, details: "" },
            { region: "East US", state: "Replicating", progress: 14 },
          ],
        },
        operation: { action: "CreateOrUpdate", resumeToken: "{}", startedAt: now, generation: 1 },
      }),
    );
    expectAccepted(
      await writeStatus("gallerysharing/test-sharing", {
        conditions: [ready("True", "Succeeded")],
        sharedWith: { subscriptions: [], tenants: [], subscriptionCount: 2, tenantCount: 1 },
        community: { enabled: false },
        roleAssignments: [{ principalId: "p", role: "Reader", id: "/x" }],
        roleAssignmentCount: 1,
      }),
    );
    expectAccepted(
      await writeStatus("gallery/test-gallery", {
        conditions: [ready("True", "Succeeded")],
        azureName: "testGallery",
        uniqueName: "00000000-0000-0000-0000-000000000000-TESTGALLERY",
        id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myGalleryRG/providers/Microsoft.Compute/galleries/testGallery",
      }),
    );

    const table = async (resource: string) => {
      const result = await cluster.kubectl(["get", resource, "-n", namespace]);
      expectAccepted(result);
      const [header = "", row = ""] = result.stdout.trim().split("\n");
      return { header: header.split(/\s{2,}/), row: row.split(/\s{2,}/) };
    };
    const version = await table("imageversions");
    expect(version.header).toEqual(["NAME", "READY", "REASON", "DEFINITION", "VERSION", "PROGRESS", "AGE"]);
    expect(version.row.slice(0, 6)).toEqual([
      "test-image-1.0.0",
      "False",
      "Replicating",
      "test-image",
      "1.0.0",
      "57",
    ]);
    const sharing = await table("gallerysharings");
    expect(sharing.header.slice(0, 8)).toEqual([
      "NAME",
      "READY",
      "REASON",
      "GALLERY",
      "SUBSCRIPTIONS",
      "TENANTS",
      "COMMUNITY",
      "ROLES",
    ]);
    expect(sharing.row.slice(0, 8)).toEqual([
      "test-sharing",
      "True",
      "Succeeded",
      "test-gallery",
      "2",
      "1",
      "false",
      "1",
    ]);
    const galleries = await table("galleries");
    expect(galleries.header.slice(0, 6)).toEqual([
      "NAME",
      "READY",
      "REASON",
      "AZURE NAME",
      "LOCATION",
      "SHARING",
    ]);
    expect(galleries.row.slice(0, 6)).toEqual([
      "test-gallery",
      "True",
      "Succeeded",
      "testGallery",
      "westcentralus",
      "Private",
    ]);
  });
});
