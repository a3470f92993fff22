import { createServer, type Server } from "node:net";

/**
 * Returns `count` distinct TCP ports that are free on 127.0.0.1: `preferred` when every one of them
 * is free (a restarted control plane keeps its address), otherwise ports the kernel picks.
 *
 * Guarantees: the ports are distinct (all listeners are held open until every port is known).
 *
 * Caveats: another process may take a port between this call and the caller's bind; the window is
 * milliseconds, and a control plane that fails to bind fails its start with the log saying so.
 */
export async function freeLoopbackPorts(count: number, preferred: number[] = []): Promise<number[]> {
  if (preferred.length === count) {
    const reused = await holdPorts(preferred).catch(() => undefined);
    if (reused) return reused;
  }
  return holdPorts(Array.from({ length: count }, () => 0));
}

/** Whether every one of `ports` can be listened on right now on 127.0.0.1 (they are released again). */
export function loopbackPortsFree(ports: number[]): Promise<boolean> {
  return holdPorts(ports).then(
    () => true,
    () => false,
  );
}

// Listens on each port (0: any) at once, then releases them all.
async function holdPorts(ports: number[]): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const bound: number[] = [];
    for (const port of ports) {
      const server = createServer();
      servers.push(server);
      bound.push(await listen(server, port));
    }
    return bound;
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      if (address && typeof address === "object") resolve(address.port);
      else reject(new Error("listening socket has no port"));
    });
  });
}
