// A TCP pass-through in front of the API server for the operator only: TLS stays end to end, and
// `cut()` drops every connection at once, which is how the campaign cuts the operator's watches
// (and any request in flight) without touching the API server itself.
import { connect, createServer, type Server, type Socket } from "node:net";

export interface CuttableProxy {
  /** `https://127.0.0.1:<port>`: give this to the operator instead of the API server's address. */
  server: string;
  /** Destroys every open connection; new ones are accepted as before. */
  cut(): number;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<CuttableProxy> {
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.once("close", () => open.delete(socket));
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.once("error", end).once("close", end);
    upstream.once("error", end).once("close", end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  if (!address || typeof address !== "object") throw new Error("the proxy has no port");
  return {
    server: `https://127.0.0.1:${address.port}`,
    cut() {
      const count = open.size;
      for (const socket of open) socket.destroy();
      return count;
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
