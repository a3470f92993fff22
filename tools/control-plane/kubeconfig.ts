import { readFile, writeFile } from "node:fs/promises";
import { stringify } from "yaml";

export interface KubeconfigInput {
  server: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
  /** Names the cluster, user and context in the file (default "azure-gallery-operator"). */
  name?: string;
}

/**
 * Writes a kubeconfig for one cluster and one client-certificate user, with the PEM data embedded so
 * the file stands alone (it can be copied, mounted into a container or handed to helm).
 *
 * Guarantees: the file is written with mode 0600 (it holds a private key); its current context is the
 * one it defines.
 */
export async function writeKubeconfig(path: string, input: KubeconfigInput): Promise<void> {
  const name = input.name ?? "azure-gallery-operator";
  const base64 = async (file: string) => (await readFile(file)).toString("base64");
  const [ca, cert, key] = await Promise.all([
    base64(input.caCert),
    base64(input.clientCert),
    base64(input.clientKey),
  ]);
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: input.server, "certificate-authority-data": ca } }],
    users: [{ name, user: { "client-certificate-data": cert, "client-key-data": key } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
  };
  await writeFile(path, stringify(config), { mode: 0o600 });
}
