#!/usr/bin/env bash
# Builds the local control plane (kube-apiserver, kube-controller-manager, kubectl, etcd, helm)
# from the Go module proxy into a cache outside the repository, keyed by the pinned versions.
# Idempotent: a binary already in the cache is not rebuilt.
#
#   tools/control-plane/build.sh            build what is missing, print progress
#   tools/control-plane/build.sh --print-dir   print only the bin directory (after building)
#   tools/control-plane/build.sh --check       build nothing: say what is missing (exit 1) or
#                                              "nothing to build" (exit 0), then the bin directory
#
# With AGO_CONTROL_PLANE_BIN_DIR set, it only checks that directory holds the five binaries (no Go).
#
# Env: AGO_CACHE_DIR (default ~/.cache/azure-gallery-operator), GOMODCACHE/GOCACHE as usual.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
quiet=0
check=0
[[ "${1:-}" == "--print-dir" ]] && quiet=1
[[ "${1:-}" == "--check" ]] && check=1
say() { if [[ $quiet == 0 ]]; then echo "control-plane: $*"; else echo "control-plane: $*" >&2; fi; }

# Binaries obtained some other way: use them as they are, and never ask for Go.
if [[ -n "${AGO_CONTROL_PLANE_BIN_DIR:-}" ]]; then
  missing=()
  for name in etcd kube-apiserver kube-controller-manager kubectl helm; do
    [[ -x "$AGO_CONTROL_PLANE_BIN_DIR/$name" ]] || missing+=("$name")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "control-plane: AGO_CONTROL_PLANE_BIN_DIR=$AGO_CONTROL_PLANE_BIN_DIR lacks executable ${missing[*]}; put them there or unset it to build them with Go." >&2
    exit 1
  fi
  say "using the binaries in AGO_CONTROL_PLANE_BIN_DIR ($AGO_CONTROL_PLANE_BIN_DIR); nothing to build"
  if [[ $quiet == 1 ]]; then echo "$AGO_CONTROL_PLANE_BIN_DIR"; fi
  exit 0
fi

mod_version() { # module path, go.mod file
  awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$2"
}
k8s_version="$(mod_version k8s.io/kubernetes "$here/kubernetes/go.mod")"
etcd_version="$(mod_version go.etcd.io/etcd/server/v3 "$here/etcd/go.mod")"
helm_version="$(mod_version helm.sh/helm/v3 "$here/helm/go.mod")"
key="k8s-${k8s_version}_etcd-${etcd_version}_helm-${helm_version}"
bin_dir="${AGO_CACHE_DIR:-$HOME/.cache/azure-gallery-operator}/control-plane/$key/bin"
mkdir -p "$bin_dir"

export CGO_ENABLED="${CGO_ENABLED:-0}" GOFLAGS="${GOFLAGS:--buildvcs=false} -mod=mod" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
k8s_minor="$(echo "$k8s_version" | cut -d. -f2)"
k8s_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$k8s_minor"
  k8s_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

built=0
missing=()
build() { # name, module dir, package, ldflags
  local name="$1" dir="$2" pkg="$3" ldflags="$4"
  if [[ -x "$bin_dir/$name" ]]; then
    say "$name: cached ($bin_dir/$name)"
    return
  fi
  if [[ $check == 1 ]]; then
    missing+=("$name")
    return
  fi
  # Go is needed only when something must be built: a complete cache works without it.
  if ! command -v go >/dev/null 2>&1; then
    echo "control-plane: Go is required to build kube-apiserver, etcd, kubectl and helm (https://go.dev/dl, or apt-get install golang-go >= 1.26)." >&2
    exit 1
  fi
  say "$name: building $pkg (first build takes minutes on 2 cores) ..."
  local start=$SECONDS
  if ! (cd "$here/$dir" && go build -trimpath -ldflags "$ldflags" -o "$bin_dir/.$name.tmp" "$pkg") >&2; then
    echo "control-plane: building $name from $pkg failed (see the Go output above)." >&2
    exit 1
  fi
  mv "$bin_dir/.$name.tmp" "$bin_dir/$name"
  built=$((built + 1))
  say "$name: built in $((SECONDS - start))s"
}

build etcd etcd go.etcd.io/etcd/server/v3 "-s -w"
build kube-apiserver kubernetes k8s.io/kubernetes/cmd/kube-apiserver "$k8s_ldflags"
build kubectl kubernetes k8s.io/kubernetes/cmd/kubectl "$k8s_ldflags"
build kube-controller-manager kubernetes k8s.io/kubernetes/cmd/kube-controller-manager "$k8s_ldflags"
build helm helm helm.sh/helm/v3/cmd/helm "-s -w -X helm.sh/helm/v3/internal/version.version=$helm_version"

if [[ ${#missing[@]} -gt 0 ]]; then
  say "would build: ${missing[*]} (into $bin_dir)"
  exit 1
fi
if [[ $built == 0 ]]; then say "nothing to build: all binaries cached in $bin_dir"; else say "built $built binaries into $bin_dir"; fi
if [[ $quiet == 1 ]]; then echo "$bin_dir"; fi
