import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { parseListenAddress } from "../../src/server/address.js";
import { startOperatorServer } from "../../src/server/http.js";
import { OperatorMetrics } from "../../src/server/metrics.js";
import { ReadinessState } from "../../src/server/readiness.js";
import { serve } from "./scrape.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanups.splice(0)) await close();
});

async function started(...args: Parameters<typeof serve>) {
  const server = await serve(...args);
  cleanups.push(() => server.close());
  return server;
}

describe("startOperatorServer", () => {
  it("answers /healthz with 200 ok", async () => {
    const server = await started(new OperatorMetrics(), () => ({ ready: false, detail: "x" }));
    const res = await server.get("/healthz");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await res.text()).toBe("ok");
  });

  it("answers /readyz 503 until the caches synced, then 200", async () => {
    const readiness = new ReadinessState();
    readiness.expectControllers(["Gallery", "ImageDefinition"]);
    const server = await started(new OperatorMetrics(), () => readiness.check());

    let res = await server.get("/readyz");
    expect(res.status).toBe(503);
    expect(await res.text()).toBe("leader election has not answered yet");

    readiness.leadership("leader");
    readiness.cachesSynced("Gallery");
    res = await server.get("/readyz");
    expect(res.status).toBe(503);
    expect(await res.text()).toBe("leader: caches not synced: ImageDefinition");

    readiness.cachesSynced("ImageDefinition");
    res = await server.get("/readyz");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("leader: caches synced (2 controllers)");
  });

  it("answers /readyz 200 for a standby", async () => {
    const readiness = new ReadinessState();
    readiness.expectControllers(["Gallery"]);
    readiness.leadership("standby");
    const server = await started(new OperatorMetrics(), () => readiness.check());
    expect((await server.get("/readyz")).status).toBe(200);
  });

  it("serves /metrics in the registry's content type, default process metrics included", async () => {
    const metrics = new OperatorMetrics();
    const server = await started(metrics);
    const res = await server.get("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(metrics.registry.contentType);
    const body = await res.text();
    expect(body).toContain("# TYPE process_cpu_user_seconds_total counter");
    expect(body).toContain("# TYPE nodejs_eventloop_lag_seconds gauge");
  });

  it("ignores query strings, 404s unknown paths and 405s other methods", async () => {
    const server = await started(new OperatorMetrics());
    expect((await server.get("/healthz?verbose=1")).status).toBe(200);
    expect((await server.get("/")).status).toBe(404);
    expect((await server.get("/metrics/extra")).status).toBe(404);
    const post = await server.get("/metrics", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const head = await server.get("/readyz", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("answers 500 when a route fails, and keeps serving", async () => {
    const metrics = new OperatorMetrics();
    metrics.watchThrottleRemaining(() => {
      throw new Error("tracker broke");
    });
    const server = await started(metrics, () => {
      throw new Error("readiness broke");
    });
    const res = await server.get("/metrics");
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("/metrics failed");
    expect((await server.get("/readyz")).status).toBe(500);
    expect((await server.get("/healthz")).status).toBe(200);
  });

  it("binds :port to every IPv4 interface and reports the port it got", async () => {
    const server = await startOperatorServer({
      address: ":0",
      metrics: new OperatorMetrics(),
      readiness: () => ({ ready: true, detail: "" }),
      logger: pino({ level: "silent" }),
    });
    cleanups.push(() => server.close());
    expect(server.port).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
  });

  it("rejects when the port is taken, and closes idempotently", async () => {
    const first = await serve(new OperatorMetrics());
    await expect(
      startOperatorServer({
        address: `127.0.0.1:${first.port}`,
        metrics: new OperatorMetrics(),
        readiness: () => ({ ready: true, detail: "" }),
        logger: pino({ level: "silent" }),
      }),
    ).rejects.toThrow(/EADDRINUSE/);
    await first.get("/healthz"); // leaves a keep-alive connection open, which close() must not wait on
    await Promise.all([first.close(), first.close()]);
    await expect(first.get("/healthz")).rejects.toThrow();
  });
});

describe("parseListenAddress", () => {
  it("reads host:port, :port and [ipv6]:port", () => {
    expect(parseListenAddress(":8080")).toEqual({ host: "0.0.0.0", port: 8080 });
    expect(parseListenAddress("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseListenAddress("localhost:9090")).toEqual({ host: "localhost", port: 9090 });
    expect(parseListenAddress("[::1]:8443")).toEqual({ host: "::1", port: 8443 });
  });

  it("refuses addresses without a valid port", () => {
    for (const bad of ["8080", "host:", ":http", ":65536", ":-1", ":123456"]) {
      expect(() => parseListenAddress(bad), bad).toThrow(/must be HOST:PORT/);
    }
  });
});
