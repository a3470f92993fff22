// Where the control plane keeps things outside any one data directory. Shared with
// tools/control-plane/build.sh, which honours the same AGO_CACHE_DIR.
import { homedir } from "node:os";
import { join } from "node:path";

/** `$AGO_CACHE_DIR`, else `~/.cache/azure-gallery-operator`. */
export function cacheRoot(): string {
  return process.env.AGO_CACHE_DIR || join(homedir(), ".cache", "azure-gallery-operator");
}

/** Records of running control planes, read by the next start to reap what a crash left behind. */
export function runtimeDir(): string {
  return join(cacheRoot(), "run");
}
