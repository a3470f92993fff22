// Reading the examples dev mode applies: which folders are examples, the manifests in each, and
// the namespace each example gets.
import type { Dirent } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { parseAllDocuments } from "yaml";

/** One Kubernetes manifest as read from YAML; only the envelope is typed. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface Example {
  /** The folder name, e.g. `private-gallery`. */
  name: string;
  /** The namespace its objects are applied in (a DNS label made from the name). */
  namespace: string;
  /** Files read, for messages. */
  files: string[];
  manifests: Manifest[];
}

const YAML_FILE = /\.ya?ml$/i;

/** Kinds that live outside namespaces: they keep no `metadata.namespace`. */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "GalleryPolicy",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
]);

export class ExamplesError extends Error {
  override name = "ExamplesError";
}

/**
 * Loads the examples under `dir`: each sub-folder holding YAML is one example; YAML files directly
 * in `dir` make `dir` itself an example (so `--examples examples/private-gallery` works too).
 *
 * Guarantees: examples sorted by name, each with at least one manifest and a namespace of its own
 * (namespaced manifests have `metadata.namespace` set to it, whatever the file said, so examples
 * never collide); files in a folder are read in name order, as `kubectl apply -f DIR` does.
 *
 * Errors: ExamplesError for a missing folder, no examples, unparsable YAML or a manifest without
 * apiVersion, kind or metadata.name (naming the file).
 */
export async function loadExamples(dir: string): Promise<Example[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new ExamplesError(`cannot read examples folder ${dir}: ${(err as Error).message}`);
  }
  const folders: { name: string; path: string }[] = [];
  if (entries.some((e) => e.isFile() && YAML_FILE.test(e.name)))
    folders.push({ name: basename(dir), path: dir });
  for (const e of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    folders.push({ name: e.name, path: join(dir, e.name) });
  }
  const examples: Example[] = [];
  const namespaces = new Set<string>();
  for (const folder of folders) {
    const files = (await readdir(folder.path, { withFileTypes: true }))
      .filter((e) => e.isFile() && YAML_FILE.test(e.name))
      .map((e) => join(folder.path, e.name))
      .sort();
    if (files.length === 0) continue;
    const namespace = uniqueNamespace(folder.name, namespaces);
    const manifests = (await Promise.all(files.map(readManifests))).flat();
    if (manifests.length === 0) continue;
    for (const m of manifests) {
      if (!CLUSTER_SCOPED.has(m.kind)) m.metadata.namespace = namespace;
    }
    examples.push({ name: folder.name, namespace, files, manifests });
  }
  if (examples.length === 0) throw new ExamplesError(`no YAML manifests in ${dir} or its sub-folders`);
  return examples;
}

async function readManifests(file: string): Promise<Manifest[]> {
  const text = await readFile(file, "utf8");
  const manifests: Manifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new ExamplesError(`${file}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isManifest(value))
      throw new ExamplesError(`${file}: a document lacks apiVersion, kind or metadata.name`);
    manifests.push(value);
  }
  return manifests;
}

function isManifest(value: unknown): value is Manifest {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const metadata = v.metadata as Record<string, unknown> | undefined;
  return (
    typeof v.apiVersion === "string" &&
    typeof v.kind === "string" &&
    typeof metadata === "object" &&
    metadata !== null &&
    typeof metadata.name === "string"
  );
}

/** A DNS label (RFC 1123) from a folder name, made unique among `taken`. */
function uniqueNamespace(folder: string, taken: Set<string>): string {
  const base =
    folder
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 56) || "example";
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}
