// Helpers for the packaging tests: run a command without throwing, render the Helm chart with
// given values and parse what it printed into Kubernetes objects.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, stringify } from "yaml";
import { resolveBinDir } from "../../src/controlplane/index.js";

export const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const CHART = join(REPO, "helm", "azure-gallery-operator");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; a non-zero exit is a result (look at `code`), not an exception. */
export function run(
  command: string,
  args: string[],
  opts: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((done) => {
    execFile(
      command,
      args,
      {
        cwd: opts.cwd ?? REPO,
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
        env: opts.env ?? process.env,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        const extra = err && typeof err.code !== "number" ? `\n${err.message}` : "";
        done({ code, stdout, stderr: stderr + extra });
      },
    );
  });
}

let helmPath: Promise<string> | undefined;

/** The helm binary tools/control-plane/build.sh builds (with the rest of the control plane). */
export function helm(): Promise<string> {
  helmPath ??= resolveBinDir().then((dir) => join(dir, "helm"));
  return helmPath;
}

/** A Kubernetes object as rendered: only the fields every object has are typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export interface Rendered {
  objects: K8sObject[];
  /** The one object of this kind (and name, when given); throws when there is not exactly one. */
  one(kind: string, name?: string): K8sObject;
  all(kind: string): K8sObject[];
}

export const RELEASE = "ago";
export const NAMESPACE = "gallery-system";

/** The release a rendering is for; RELEASE in NAMESPACE unless a test needs a name of its own. */
export interface ReleaseTarget {
  release: string;
  namespace: string;
}

/** `helm <verb> ... -f values.yaml` on the chart, as a RunResult. */
export async function helmRun(
  verb: "template" | "lint",
  values: object,
  extra: string[] = [],
  { release, namespace }: ReleaseTarget = { release: RELEASE, namespace: NAMESPACE },
): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), "ago-chart-"));
  const file = join(dir, "values.yaml");
  writeFileSync(file, stringify(values));
  const args =
    verb === "template"
      ? ["template", release, CHART, "--namespace", namespace, "-f", file, ...extra]
      : ["lint", CHART, "--strict", "--namespace", namespace, "-f", file, ...extra];
  try {
    return await run(await helm(), args);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Renders the chart; throws with helm's message when rendering fails. */
export async function render(
  values: object = {},
  extra: string[] = [],
  target?: ReleaseTarget,
): Promise<Rendered> {
  const result = await helmRun("template", values, extra, target);
  if (result.code !== 0) throw new Error(`helm template failed (${result.code}): ${result.stderr}`);
  const objects = parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null && typeof o === "object");
  const all = (kind: string) => objects.filter((o) => o.kind === kind);
  return {
    objects,
    all,
    one(kind, name) {
      const found = all(kind).filter((o) => name === undefined || o.metadata.name === name);
      if (found.length !== 1) {
        throw new Error(`expected one ${kind}${name ? ` ${name}` : ""}, rendered ${found.length}`);
      }
      return found[0]!;
    },
  };
}

/** Reads a nested field by path, for assertions on untyped rendered objects. */
export function field(obj: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

export interface Container {
  name: string;
  image: string;
  args: string[];
  env: { name: string; value?: string; valueFrom?: Record<string, Record<string, string>> }[];
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
  [field: string]: unknown;
}

/** The operator container of the rendered Deployment. */
export function operatorContainer(r: Rendered): Container {
  const containers = field(r.one("Deployment"), "spec", "template", "spec", "containers") as Container[];
  const c = containers.find((x) => x.name === "operator");
  if (!c) throw new Error("the Deployment has no container named operator");
  return c;
}
