// kubectl as a function: tests and humans-facing commands drive the cluster the way users do.
import { spawn } from "node:child_process";
import { join } from "node:path";

export interface KubectlOptions {
  /** Written to kubectl's stdin (for `apply -f -`). */
  input?: string;
  /** Impersonate this user (`--as`), e.g. `system:serviceaccount:ns:name`. */
  asUser?: string;
  /** Impersonate these groups (`--as-group`, repeated). */
  asGroups?: string[];
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `kubectl` from `binDir` against the cluster in `kubeconfigPath`.
 *
 * Guarantees: resolves for every exit code (look at `code`; a kubectl that could not start resolves
 * with code 127 and the reason in `stderr`), so callers can assert on denials as easily as on success.
 * Impersonation goes through the admin credential, which may impersonate anyone (system:masters).
 *
 * Caveats: output is buffered in memory; do not use it for `--watch`.
 */
export function runKubectl(
  binDir: string,
  kubeconfigPath: string,
  args: string[],
  opts: KubectlOptions = {},
): Promise<KubectlResult> {
  const flags = [`--kubeconfig=${kubeconfigPath}`];
  if (opts.asUser) flags.push(`--as=${opts.asUser}`);
  for (const group of opts.asGroups ?? []) flags.push(`--as-group=${group}`);
  return new Promise((resolve) => {
    const child = spawn(join(binDir, "kubectl"), [...flags, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (err) => resolve({ code: 127, stdout: "", stderr: String(err) }));
    child.on("close", (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      }),
    );
    // kubectl may exit before reading stdin (a bad flag); that EPIPE is not our error to report.
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}
