// A kubeconfig as the transport needs it: which server, which CA, which client credentials.
// Why not client-node's KubeConfig for everything: its module imports the whole generated API
// client (about 60 MB of RSS and 25 MB of heap, a third of the operator's memory, for code it
// never calls). The forms an operator meets (a pod's service account, tokens, client certificates)
// are read here; the rest (exec plugins, auth providers, proxies) is handed to client-node,
// loaded only when a kubeconfig uses them.
import { readFileSync } from "node:fs";
import type https from "node:https";
import { isIPv6 } from "node:net";
import { dirname, isAbsolute, join } from "node:path";
import { parse } from "yaml";

/** What the transport asks of a kubeconfig; client-node's KubeConfig offers the same. */
export interface KubeCredentials {
  getCurrentCluster(): { server: string; proxyUrl?: string } | null;
  /** Adds the server's trust and the user's credentials to one request's options. */
  applyToHTTPSOptions(options: https.RequestOptions): Promise<void>;
}

interface NamedCluster {
  name: string;
  server: string;
  ca?: Buffer;
  skipTLSVerify: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
}

interface NamedUser {
  name: string;
  token?: string;
  tokenFile?: string;
  cert?: Buffer;
  key?: Buffer;
  username?: string;
  password?: string;
  /** Credentials client-node computes (exec plugins, auth providers): it is loaded for them. */
  delegated: boolean;
}

interface NamedContext {
  name: string;
  cluster: string;
  user: string;
}

/** How long a token file is trusted before it is read again (kubelet rotates service-account tokens). */
const TOKEN_FILE_TTL_MS = 60_000;

const SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * A loaded kubeconfig.
 *
 * Guarantees: files merge as kubectl merges them (the first file that names a cluster, user or
 * context wins; the first current-context wins); relative file paths resolve against the file
 * that names them; a token file is read again a minute after it was last read.
 * Errors: reading or parsing throws with the file named; `setCurrentContext` throws for a context
 * that does not exist; a request through a context whose cluster or user is missing throws.
 */
export class KubeConfigFile implements KubeCredentials {
  private readonly clusters = new Map<string, NamedCluster>();
  private readonly users = new Map<string, NamedUser>();
  private readonly contexts = new Map<string, NamedContext>();
  /** Every file's text, for client-node when a credential is delegated to it. */
  private readonly texts: { text: string; dir: string }[] = [];
  private currentContext = "";
  private tokenRead: { file: string; token: string; at: number } | undefined;
  private delegate: Promise<KubeCredentials> | undefined;

  /** Adds a kubeconfig file (the first added wins where two name the same entry). */
  loadFromFile(path: string): void {
    const text = readFileSync(path, "utf8");
    let doc: unknown;
    try {
      doc = parse(text);
    } catch (err) {
      throw new Error(`kubeconfig ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.add(doc, dirname(path));
    this.texts.push({ text, dir: dirname(path) });
  }

  /**
   * The credentials of a pod's service account (the API server from KUBERNETES_SERVICE_HOST/PORT,
   * CA and token from `dir`, where Kubernetes mounts them).
   */
  loadFromCluster(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT): void {
    const host = env.KUBERNETES_SERVICE_HOST ?? "";
    const port = env.KUBERNETES_SERVICE_PORT ?? "443";
    this.clusters.set("in-cluster", {
      name: "in-cluster",
      server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
      ca: readFileSync(join(dir, "ca.crt")),
      skipTLSVerify: false,
    });
    this.users.set("in-cluster", {
      name: "in-cluster",
      tokenFile: join(dir, "token"),
      delegated: false,
    });
    this.contexts.set("in-cluster", { name: "in-cluster", cluster: "in-cluster", user: "in-cluster" });
    this.currentContext = "in-cluster";
  }

  getCurrentContext(): string {
    return this.currentContext;
  }

  setCurrentContext(name: string): void {
    if (!this.contexts.has(name)) throw new Error(`kubeconfig has no context "${name}"`);
    this.currentContext = name;
    this.delegate = undefined;
  }

  getCurrentCluster(): NamedCluster | null {
    const context = this.contexts.get(this.currentContext);
    return (context && this.clusters.get(context.cluster)) ?? null;
  }

  async applyToHTTPSOptions(options: https.RequestOptions): Promise<void> {
    const context = this.contexts.get(this.currentContext);
    const cluster = this.getCurrentCluster();
    const user = context ? this.users.get(context.user) : undefined;
    if (!context || !cluster) throw new Error(`kubeconfig context "${this.currentContext}" names no cluster`);
    if (cluster.proxyUrl || user?.delegated) return (await this.delegated()).applyToHTTPSOptions(options);
    if (cluster.ca) options.ca = cluster.ca;
    if (cluster.skipTLSVerify) options.rejectUnauthorized = false;
    if (cluster.tlsServerName) options.servername = cluster.tlsServerName;
    if (!user) return;
    if (user.cert) options.cert = user.cert;
    if (user.key) options.key = user.key;
    const token = user.token ?? (user.tokenFile ? this.readToken(user.tokenFile) : undefined);
    const authorization = token
      ? `Bearer ${token}`
      : user.username !== undefined
        ? `Basic ${Buffer.from(`${user.username}:${user.password ?? ""}`).toString("base64")}`
        : undefined;
    if (authorization) options.headers = { ...options.headers, Authorization: authorization };
  }

  private readToken(file: string): string {
    const now = Date.now();
    if (this.tokenRead?.file !== file || now - this.tokenRead.at >= TOKEN_FILE_TTL_MS) {
      this.tokenRead = { file, token: readFileSync(file, "utf8").trim(), at: now };
    }
    return this.tokenRead.token;
  }

  /** client-node's KubeConfig over the same files and context, loaded the first time it is needed. */
  private delegated(): Promise<KubeCredentials> {
    this.delegate ??= import("@kubernetes/client-node").then(({ KubeConfig }) => {
      const [first, ...rest] = this.texts;
      const config = new KubeConfig();
      if (first) {
        config.loadFromString(first.text);
        config.makePathsAbsolute(first.dir);
      }
      for (const { text, dir } of rest) {
        const more = new KubeConfig();
        more.loadFromString(text);
        more.makePathsAbsolute(dir);
        config.mergeConfig(more, true);
      }
      config.setCurrentContext(this.currentContext);
      return config;
    });
    return this.delegate;
  }

  private add(doc: unknown, dir: string): void {
    const config = (doc ?? {}) as Record<string, unknown>;
    const path = (value: unknown) => {
      if (typeof value !== "string" || value === "") return undefined;
      return isAbsolute(value) ? value : join(dir, value);
    };
    const bytes = (data: unknown, file: unknown) => {
      if (typeof data === "string" && data !== "") return Buffer.from(data, "base64");
      const resolved = path(file);
      return resolved ? readFileSync(resolved) : undefined;
    };
    for (const { name, body } of entries(config.clusters, "cluster")) {
      if (this.clusters.has(name)) continue;
      this.clusters.set(name, {
        name,
        server: String(body.server ?? ""),
        ca: bytes(body["certificate-authority-data"], body["certificate-authority"]),
        skipTLSVerify: body["insecure-skip-tls-verify"] === true,
        ...(typeof body["tls-server-name"] === "string" ? { tlsServerName: body["tls-server-name"] } : {}),
        ...(typeof body["proxy-url"] === "string" ? { proxyUrl: body["proxy-url"] } : {}),
      });
    }
    for (const { name, body } of entries(config.users, "user")) {
      if (this.users.has(name)) continue;
      const delegated = body.exec !== undefined || body["auth-provider"] !== undefined;
      this.users.set(name, {
        name,
        delegated,
        ...(typeof body.token === "string" && body.token !== "" ? { token: body.token } : {}),
        ...(path(body.tokenFile) ? { tokenFile: path(body.tokenFile) } : {}),
        // Delegated users' files are client-node's to read (it may need none of them).
        ...(delegated ? {} : { cert: bytes(body["client-certificate-data"], body["client-certificate"]) }),
        ...(delegated ? {} : { key: bytes(body["client-key-data"], body["client-key"]) }),
        ...(typeof body.username === "string" ? { username: body.username } : {}),
        ...(typeof body.password === "string" ? { password: body.password } : {}),
      });
    }
    for (const { name, body } of entries(config.contexts, "context")) {
      if (this.contexts.has(name)) continue;
      this.contexts.set(name, { name, cluster: String(body.cluster ?? ""), user: String(body.user ?? "") });
    }
    const current = config["current-context"];
    if (!this.currentContext && typeof current === "string") this.currentContext = current;
  }
}

/** The named entries of a kubeconfig list (`clusters`, `users`, `contexts`). */
function entries(list: unknown, field: string): { name: string; body: Record<string, unknown> }[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry: Record<string, unknown>) =>
    typeof entry?.name === "string"
      ? [{ name: entry.name, body: (entry[field] ?? {}) as Record<string, unknown> }]
      : [],
  );
}
