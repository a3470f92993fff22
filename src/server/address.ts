// Turns the `--http-address` value into what node:http's listen() takes.

export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Parses `host:port`, `:port` or `[ipv6]:port`.
 *
 * Guarantees: an empty host (`:8080`) means every IPv4 interface, `0.0.0.0`, as Go's `:8080` does in
 * a pod; port 0 is kept (the OS picks one, for tests).
 * Errors: throws when there is no `:port` or the port is not an integer in 0–65535.
 */
export function parseListenAddress(address: string): ListenAddress {
  const colon = address.lastIndexOf(":");
  const portText = address.slice(colon + 1);
  const port = Number(portText);
  if (colon < 0 || !/^\d{1,5}$/.test(portText) || port > 65_535) {
    throw new Error(`HTTP address "${address}" must be HOST:PORT or :PORT with a port in 0-65535`);
  }
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return { host: host === "" ? "0.0.0.0" : host, port };
}
