#!/usr/bin/env bash
# Prepares a local Docker engine and the control-plane image for TEST_CLUSTER=containers, without
# pulling anything from a registry. Idempotent: every step checks first and is skipped when done.
#
#   1. apt-get install docker.io debootstrap           (when dockerd / debootstrap are missing)
#   2. dockerd --iptables=false --bridge=none          (when no engine answers; log in $state_dir)
#   3. ago-debian-base:bookworm                         (debootstrap minbase -> docker import)
#   4. ago-control-plane:<versions key>                 (FROM the base + etcd and kube-apiserver)
#
# The engine never touches the host's network configuration (no iptables rules, no bridge, no
# addresses): containers run with --network host and listen on 127.0.0.1 only.
#
# Env: AGO_CACHE_DIR (default ~/.cache/azure-gallery-operator), DEBIAN_MIRROR (default: the first
# mirror apt uses).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
state_dir="${AGO_CACHE_DIR:-$HOME/.cache/azure-gallery-operator}/docker"
base_image="ago-debian-base:bookworm"
say() { echo "docker-setup: $*"; }

if [[ $(id -u) != 0 ]]; then
  echo "docker-setup: run as root (it installs packages and starts dockerd)" >&2
  exit 1
fi
mkdir -p "$state_dir"

# --- 1. packages -------------------------------------------------------------------------------
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if ((${#missing[@]})); then
  say "installing ${missing[*]} ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "dockerd and debootstrap: installed"
fi

# --- 2. engine ---------------------------------------------------------------------------------
if docker info >/dev/null 2>&1; then
  say "engine: running"
else
  say "engine: starting dockerd (log: $state_dir/dockerd.log) ..."
  # setsid: the daemon must outlive this script and the shell that ran it.
  setsid dockerd --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
    >>"$state_dir/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! docker info >/dev/null 2>&1; then
    echo "docker-setup: dockerd did not come up in 30 s; last lines of its log:" >&2
    tail -n 20 "$state_dir/dockerd.log" >&2
    exit 1
  fi
  say "engine: running ($(docker info --format '{{.ServerVersion}}, storage {{.Driver}}'))"
fi

# --- 3. base image -----------------------------------------------------------------------------
apt_mirror() {
  local uri
  uri="$(grep -hs -m1 '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | head -n1)"
  [[ -n $uri ]] || uri="$(grep -hs -m1 '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}' | head -n1)"
  echo "${uri:-http://deb.debian.org/debian}"
}
if docker image inspect "$base_image" >/dev/null 2>&1; then
  say "$base_image: present"
else
  mirror="${DEBIAN_MIRROR:-$(apt_mirror)}"
  rootfs="$(mktemp -d "$state_dir/rootfs.XXXXXX")"
  trap 'rm -rf "$rootfs"' EXIT
  say "$base_image: debootstrap --variant=minbase bookworm from $mirror (a minute or two) ..."
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$state_dir/debootstrap.log" 2>&1 || {
    echo "docker-setup: debootstrap failed; see $state_dir/debootstrap.log" >&2
    exit 1
  }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import - "$base_image" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  say "$base_image: imported"
fi

# --- 4. control-plane image --------------------------------------------------------------------
# Tagged with the binaries' cache key (kubernetes, etcd and helm versions): new pins, new image.
if ! bin_dir="$(bash "$repo/tools/control-plane/build.sh" --print-dir 2>"$state_dir/binaries.log")"; then
  cat "$state_dir/binaries.log" >&2
  exit 1
fi
image="ago-control-plane:$(basename "$(dirname "$bin_dir")")"
if docker image inspect "$image" >/dev/null 2>&1; then
  say "$image: present"
else
  context="$(mktemp -d)"
  trap 'rm -rf "$context"' EXIT
  cp "$here/control-plane.Dockerfile" "$context/Dockerfile"
  cp "$bin_dir/etcd" "$bin_dir/kube-apiserver" "$context/"
  # The classic builder: COPY needs no container and no network; BuildKit may not be installed.
  if ! DOCKER_BUILDKIT=0 docker build --quiet --build-arg "BASE=$base_image" -t "$image" "$context" \
    >"$state_dir/build.log" 2>&1; then
    cat "$state_dir/build.log" >&2
    exit 1
  fi
  say "$image: built"
fi
say "ready: TEST_CLUSTER=containers npx vitest run"
