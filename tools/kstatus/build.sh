#!/usr/bin/env bash
# Builds tools/kstatus (a tiny program around sigs.k8s.io/cli-utils' kstatus library, the status
# logic Flux and kpt use) from the Go module proxy into the cache the control plane uses, keyed by
# the cli-utils version. Idempotent; about 20 s cold on two cores, nothing afterwards.
#
#   tools/kstatus/build.sh   build if missing, then print the binary's path (progress on stderr)
#
# Env: AGO_CACHE_DIR (default ~/.cache/azure-gallery-operator), GOMODCACHE/GOCACHE as usual.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v go >/dev/null 2>&1; then
  echo "kstatus: Go is required to build the kstatus checker (https://go.dev/dl, or apt-get install golang-go >= 1.26)." >&2
  exit 1
fi
version="$(awk '$1 == "sigs.k8s.io/cli-utils" { print $2; exit } $1 == "require" && $2 == "sigs.k8s.io/cli-utils" { print $3; exit }' "$here/go.mod")"
bin="${AGO_CACHE_DIR:-$HOME/.cache/azure-gallery-operator}/kstatus/cli-utils-$version/kstatus"
if [[ ! -x "$bin" ]]; then
  echo "kstatus: building against sigs.k8s.io/cli-utils $version ..." >&2
  mkdir -p "$(dirname "$bin")"
  (cd "$here" && CGO_ENABLED=0 GOFLAGS="-buildvcs=false -mod=mod" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" \
    go build -trimpath -ldflags "-s -w" -o "$bin.tmp" .) >&2
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
