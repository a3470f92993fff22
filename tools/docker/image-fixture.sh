#!/usr/bin/env bash
# Makes a local stand-in for the Dockerfile's base image `node:24-bookworm-slim`, for machines
# where no container registry can be reached (ours: only package registries). The project's
# Dockerfile is then built unchanged: Docker finds the tag locally and pulls nothing.
#
# The stand-in is built the way the real image is: a Debian bookworm root filesystem, the Node 24
# binary in /usr/local/bin, npm in /usr/local/lib/node_modules/npm with npm/npx symlinks, and a
# `node` user (uid 1000). Its parts come from package registries only:
#   - Debian: AGO_DEBIAN_IMAGE, else the ago-debian-base:bookworm that tools/docker/setup.sh
#     imports, else our own `debootstrap --variant=minbase bookworm` imported the same way;
#   - Node: the binary of the npm `node` package in node_modules (the project's own Node 24);
#   - npm: the npm registry's tarball (`npm pack npm@11`).
# It also carries the host's CA bundle and points NODE_EXTRA_CA_CERTS at it, so `npm ci` inside
# `docker build` trusts what the host trusts (this machine's egress re-signs TLS).
#
#   tools/docker/image-fixture.sh            build the stand-in unless an up-to-date one exists
#   tools/docker/image-fixture.sh --rebuild  build it again
#
# Never touches a real (pulled) node:24-bookworm-slim: only an image carrying our label is replaced.
# Needs: a running Docker engine (tools/docker/setup.sh), debootstrap when no Debian image exists.
# Env: AGO_CACHE_DIR (default ~/.cache/azure-gallery-operator), AGO_DEBIAN_IMAGE, AGO_FIXTURE_NPM
# (default npm@11), AGO_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tag="node:24-bookworm-slim"
label="dev.azure-gallery-operator.fixture"
cache="${AGO_CACHE_DIR:-$HOME/.cache/azure-gallery-operator}/docker-fixture"
npm_spec="${AGO_FIXTURE_NPM:-npm@11}"
mirror="${AGO_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# The same debootstrapped Debian that tools/docker/setup.sh imports for the control-plane image;
# made here only when setup.sh has not run.
setup_debian="ago-debian-base:bookworm"
own_debian="ago-fixture/debian:bookworm-minbase"
say() { echo "image-fixture: $*"; }
fail() {
  echo "image-fixture: $*" >&2
  exit 1
}

docker info >/dev/null 2>&1 || fail "no Docker engine answers 'docker info' (start one: bash tools/docker/setup.sh)"

node_bin="$(readlink -f "$root/node_modules/node/bin/node" 2>/dev/null || true)"
[[ -x "$node_bin" ]] || fail "no Node binary at node_modules/node/bin/node (run npm ci in $root)"
node_version="$("$node_bin" --version)"
[[ "$node_version" == v24.* ]] || fail "node_modules/node is $node_version, the image needs Node 24"

# The label's value says what the stand-in was made from; a change of either part rebuilds it.
want="node-${node_version}_${npm_spec}"
have="$(docker image inspect -f "{{ index .Config.Labels \"$label\" }}" "$tag" 2>/dev/null || true)"
if docker image inspect "$tag" >/dev/null 2>&1 && [[ -z "$have" || "$have" == "<no value>" ]]; then
  say "$tag exists and is not ours (a real image): using it as is"
  exit 0
fi
if [[ "$have" == "$want" && "${1:-}" != "--rebuild" ]]; then
  say "$tag is up to date ($want)"
  exit 0
fi

mkdir -p "$cache"
work="$(mktemp -d "${TMPDIR:-/tmp}/ago-image-fixture.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# 1. Debian bookworm.
debian="${AGO_DEBIAN_IMAGE:-}"
if [[ -n "$debian" ]]; then
  docker image inspect "$debian" >/dev/null 2>&1 || fail "AGO_DEBIAN_IMAGE=$debian is not a local image"
elif docker image inspect "$setup_debian" >/dev/null 2>&1; then
  debian="$setup_debian"
elif docker image inspect "$own_debian" >/dev/null 2>&1; then
  debian="$own_debian"
else
  command -v debootstrap >/dev/null 2>&1 || fail "debootstrap is missing (apt-get install debootstrap)"
  say "debootstrap --variant=minbase bookworm (a few minutes) ..."
  rootfs="$work/rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    fail "debootstrap failed: $(tail -5 "$work/debootstrap.log")"
  # The package cache and lists are what a slim image leaves out too.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import --change 'CMD ["bash"]' - "$own_debian" >/dev/null
  rm -rf "$rootfs"
  debian="$own_debian"
fi
say "Debian base: $debian"

# 2. npm from the registry tarball, kept in the cache between runs.
tarball="$(find "$cache" -maxdepth 1 -name "${npm_spec%@*}-*.tgz" | sort -V | tail -1)"
if [[ -z "$tarball" ]]; then
  say "npm pack $npm_spec ..."
  name="$(cd "$cache" && npm pack --silent "$npm_spec" | tail -1)"
  tarball="$cache/$name"
fi
[[ -f "$tarball" ]] || fail "npm pack $npm_spec produced no tarball in $cache"

# 3. The stand-in image: Node + npm + the host's CA bundle on top of Debian.
ctx="$work/context"
mkdir -p "$ctx/npm"
cp "$node_bin" "$ctx/node"
tar -xzf "$tarball" -C "$ctx/npm" --strip-components=1
ca=/etc/ssl/certs/ca-certificates.crt
if [[ -f "$ca" ]]; then cp "$ca" "$ctx/ca-certificates.crt"; else : >"$ctx/ca-certificates.crt"; fi
cat >"$ctx/Dockerfile" <<EOF
FROM $debian
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /usr/local/share/ago-fixture/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node \\
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
ENV NODE_VERSION=${node_version#v} NODE_EXTRA_CA_CERTS=/usr/local/share/ago-fixture/ca-certificates.crt
LABEL $label="$want"
CMD ["node"]
EOF
say "building $tag from $debian + Node $node_version + $(basename "$tarball") ..."
docker build --network host -q -t "$tag" "$ctx" >/dev/null
say "$tag ready ($(docker image inspect -f '{{ .Size }}' "$tag" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
