// How many simple GETs per second the ARM simulator answers, so it is never the bottleneck of a
// benchmark. The simulator runs in a child process (as it does when started with `sim`); this
// process is the load generator: C concurrent keep-alive HTTPS connections, each sending
// `GET gallery` back to back for D seconds. Rate limits are off so every answer is a 200.
//
//   npm run build && node dist/bench/sim-throughput.js [--seconds 10] [--concurrency 32]
import { fork } from "node:child_process";
import { Agent, request } from "node:https";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { mintToken, startSimulator } from "../tools/sim/index.js";

const SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const GALLERY = `/subscriptions/${SUBSCRIPTION}/resourceGroups/bench-rg/providers/Microsoft.Compute/galleries/bench_gallery`;

interface Ready {
  endpoint: string;
  caPem: string;
}

/** Child side: start a simulator and report where it listens. */
async function serve(): Promise<void> {
  const sim = await startSimulator({ limits: { enabled: false }, requestLogLimit: 1_000 });
  sim.seed({ resourceGroups: [{ subscriptionId: SUBSCRIPTION, name: "bench-rg", location: "westus" }] });
  process.send?.({ endpoint: sim.endpoint, caPem: sim.caPem } satisfies Ready);
  process.once("disconnect", () => void sim.close().then(() => process.exit(0)));
}

function call(
  agent: Agent,
  endpoint: string,
  method: string,
  path: string,
  token: string,
  body?: string,
): Promise<number> {
  const url = new URL(path, endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        method,
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

/** Parent side: create one gallery, then hammer `GET gallery` and print the rate. */
async function measure(seconds: number, concurrency: number): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ["--serve"], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await new Promise<Ready>((resolve) =>
    child.once("message", (message) => resolve(message as Ready)),
  );
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: ready.caPem });
  const token = mintToken({ tid: TENANT, oid: "00000000-0000-4000-8000-00000000bench" });
  await call(
    agent,
    ready.endpoint,
    "PUT",
    `${GALLERY}?api-version=2021-10-01`,
    token,
    JSON.stringify({ location: "westus" }),
  );
  const path = `${GALLERY}?api-version=2021-10-01`;

  // Warm up connections and JIT before measuring.
  const warmUntil = Date.now() + 1_000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < warmUntil) await call(agent, ready.endpoint, "GET", path, token);
    }),
  );

  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const stopAt = started + seconds * 1_000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < stopAt) {
        const t0 = performance.now();
        const status = await call(agent, ready.endpoint, "GET", path, token);
        latencies.push(performance.now() - t0);
        if (status !== 200) failures++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1_000;
  latencies.sort((a, b) => a - b);
  const result = {
    requests: latencies.length,
    seconds: Number(elapsed.toFixed(2)),
    getsPerSecond: Math.round(latencies.length / elapsed),
    concurrency,
    p50Ms: Number(percentile(latencies, 50).toFixed(2)),
    p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    non200: failures,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  agent.destroy();
  child.disconnect();
}

const { values } = parseArgs({
  options: {
    serve: { type: "boolean" },
    seconds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "32" },
  },
});
if (values.serve) await serve();
else await measure(Number(values.seconds), Number(values.concurrency));
