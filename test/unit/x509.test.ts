import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile } from "node:fs/promises";
import { createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensurePki } from "../../tools/control-plane/pki.js";

// The control plane's PKI comes from node:crypto alone (no openssl CLI): these are the properties
// kube-apiserver and kubectl rely on, checked with Node's own X.509 parser and a real TLS handshake.
describe("control-plane PKI without openssl", () => {
  it("issues a CA, a serving certificate for the API server's names and an admin client certificate", async () => {
    const pki = await ensurePki(await mkdtemp(join(tmpdir(), "ago-pki-")));
    const ca = new X509Certificate(await readFile(pki.caCert));
    const server = new X509Certificate(await readFile(pki.serverCert));
    const admin = new X509Certificate(await readFile(pki.adminCert));

    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(admin.verify(ca.publicKey)).toBe(true);
    expect(server.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(server.checkHost("kubernetes.default.svc")).toBe("kubernetes.default.svc");
    expect(admin.subject).toContain("O=system:masters");
    expect(admin.subject).toContain("CN=admin");
    expect(admin.keyUsage).toContain("1.3.6.1.5.5.7.3.2");
    expect(server.keyUsage).toContain("1.3.6.1.5.5.7.3.1");
  });

  it("completes a mutual-TLS handshake with the issued certificates", async () => {
    const pki = await ensurePki(await mkdtemp(join(tmpdir(), "ago-pki-")));
    const [caPem, serverCert, serverKey, adminCert, adminKey] = await Promise.all(
      [pki.caCert, pki.serverCert, pki.serverKey, pki.adminCert, pki.adminKey].map((p) => readFile(p)),
    );
    const server = createServer(
      { cert: serverCert, key: serverKey, ca: caPem, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const peer = (req.socket as import("node:tls").TLSSocket).getPeerCertificate();
        res.end(peer.subject.CN);
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(
          { host: "127.0.0.1", port, ca: caPem, cert: adminCert, key: adminKey, servername: "kubernetes" },
          (res) => {
            let text = "";
            res.on("data", (chunk) => {
              text += chunk;
            });
            res.on("end", () => resolve(text));
          },
        );
        req.on("error", reject);
        req.end();
      });
      expect(body).toBe("admin");
    } finally {
      server.close();
    }
  });

  it("keeps an issued set on a second call (a restarted control plane keeps its identity)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ago-pki-"));
    const first = await readFile((await ensurePki(dir)).caCert, "utf8");
    const second = await readFile((await ensurePki(dir)).caCert, "utf8");
    expect(second).toBe(first);
  });
});
