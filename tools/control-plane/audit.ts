// The API server's audit log, on request: which identity called which resource with which verb,
// as the server itself saw it. The chart's RBAC test derives the operator's permissions from it
// (test/packaging/operator-rbac.test.ts, docs/helm.md#what-the-operator-may-do-rbac).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface AuditLog {
  /** The policy file the API server reads. */
  policyFile: string;
  /** JSON lines, one audit event per request stage logged. */
  logPath: string;
}

// Metadata (who, what, verb, answer; no bodies) for service accounts only: the test's own admin
// client and the controller manager are not what anyone wants to derive permissions from, and
// bodies would make the file large and could hold Secret data. One event per request, when its
// answer is complete (watches: when their answer starts, so a watch still open is counted).
const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
    userGroups: ["system:serviceaccounts"]
  - level: None
`;

/** Writes the audit policy into `dir`; the log goes to `logsDir`. */
export async function prepareAuditLog(dir: string, logsDir: string): Promise<AuditLog> {
  const policyFile = join(dir, "audit-policy.yaml");
  await writeFile(policyFile, POLICY);
  return { policyFile, logPath: join(logsDir, "audit.log") };
}

export function auditFlags(audit: AuditLog): string[] {
  return [
    `--audit-policy-file=${audit.policyFile}`,
    `--audit-log-path=${audit.logPath}`,
    // Written as it happens, so a test reads every request made before it looks.
    "--audit-log-mode=blocking",
    "--audit-log-format=json",
    "--audit-log-maxbackup=0",
  ];
}
