// The ARM agent trusts Node's public roots plus one extra CA (the simulator's, a private cloud's).
// It must do so without naming its connection pool by every PEM it trusts: Node rebuilds that
// name on each request and each freed socket (docs/benchmarks.md, "the ARM agent's TLS context").
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer, get } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CaFileError, createTrustingAgent } from "../../../src/azure/tls.js";
import { ensurePki } from "../../../tools/control-plane/pki.js";

describe("createTrustingAgent", () => {
  let caPem: string;
  let port: number;
  let close: () => void;

  beforeAll(async () => {
    const pki = await ensurePki(await mkdtemp(join(tmpdir(), "ago-tls-")));
    const [ca, cert, key] = await Promise.all([
      readFile(pki.caCert),
      readFile(pki.serverCert),
      readFile(pki.serverKey),
    ]);
    caPem = ca.toString("utf8");
    const server = createServer({ cert, key }, (_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
    close = () => server.close();
  });
  afterAll(() => close());

  const fetchWith = (agent: import("node:https").Agent | undefined) =>
    new Promise<string>((resolve, reject) => {
      get({ host: "127.0.0.1", port, path: "/", agent }, (res) => {
        let body = "";
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => resolve(body));
      }).on("error", reject);
    });

  it("trusts the extra CA, over one kept-alive connection pool with a short name", async () => {
    const agent = createTrustingAgent({ caPem });
    expect(agent).toBeDefined();
    expect(await fetchWith(agent)).toBe("ok");
    expect(await fetchWith(agent)).toBe("ok");
    // The connection goes back to the pool under the name Node gives it: host, port and TLS
    // options (the agent's own among them), not the public roots the agent also trusts.
    expect(rootCertificates.length).toBeGreaterThan(50);
    await vi.waitFor(() => expect(Object.keys(agent?.freeSockets ?? {})).toHaveLength(1));
    const [pool] = Object.keys(agent?.freeSockets ?? {});
    expect(pool?.length).toBeLessThan(200);
    agent?.destroy();
  });

  it("still checks the server against what it trusts", async () => {
    const other = await ensurePki(await mkdtemp(join(tmpdir(), "ago-tls-other-")));
    const agent = createTrustingAgent({ caPem: await readFile(other.caCert, "utf8") });
    await expect(fetchWith(agent)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    agent?.destroy();
  });

  it("uses the SDK's default agent without an extra CA, and refuses a file with no certificate", async () => {
    expect(createTrustingAgent({})).toBeUndefined();
    const file = join(await mkdtemp(join(tmpdir(), "ago-tls-bad-")), "ca.pem");
    await writeFile(file, "not a certificate");
    expect(() => createTrustingAgent({ caFile: file })).toThrow(CaFileError);
  });
});
