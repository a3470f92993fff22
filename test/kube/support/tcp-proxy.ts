// A TCP proxy in front of the API server that a test can break on purpose: cut every connection, or
// freeze them (bytes stop flowing, sockets stay open: the silent watch that only an idle timeout
// catches), or point at a new upstream (an API server restarted on another port).
import net from "node:net";

export interface TcpProxy {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** Destroys every open connection (new ones still work). */
  cutAll(): void;
  /** Stops forwarding on the connections open now, without closing them. New ones work. */
  freezeAll(): void;
  /** Where new connections go from now on. */
  setUpstream(host: string, port: number): void;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startTcpProxy(upstreamHost: string, upstreamPort: number): Promise<TcpProxy> {
  let upstream = { host: upstreamHost, port: upstreamPort };
  const live = new Set<{ client: net.Socket; server: net.Socket }>();
  const frozen = new Set<{ client: net.Socket; server: net.Socket }>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted++;
    const upstreamSocket = net.connect(upstream.port, upstream.host);
    const pair = { client, server: upstreamSocket };
    live.add(pair);
    client.pipe(upstreamSocket);
    upstreamSocket.pipe(client);
    const end = () => {
      live.delete(pair);
      client.destroy();
      upstreamSocket.destroy();
    };
    client.on("error", end);
    upstreamSocket.on("error", end);
    client.on("close", end);
    upstreamSocket.on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `https://127.0.0.1:${address.port}`,
    get accepted() {
      return accepted;
    },
    cutAll() {
      for (const pair of live) {
        pair.client.destroy();
        pair.server.destroy();
      }
      live.clear();
    },
    freezeAll() {
      for (const pair of live) {
        pair.client.unpipe(pair.server);
        pair.server.unpipe(pair.client);
        pair.client.pause();
        pair.server.pause();
        frozen.add(pair);
      }
      live.clear();
    },
    setUpstream(host, port) {
      upstream = { host, port };
    },
    close() {
      for (const pair of [...live, ...frozen]) {
        pair.client.destroy();
        pair.server.destroy();
      }
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
