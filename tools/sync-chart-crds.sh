#!/usr/bin/env bash
# Copies the CRDs (crds/*.yaml, the one source of truth) into the Helm chart's crds/ folder, byte
# for byte, and removes chart copies whose source is gone. Helm installs a chart's crds/ as is
# (never templated), so a copy is the only way to ship them in the chart; test/packaging checks
# that the two folders are identical, so run this after changing a CRD.
#
#   tools/sync-chart-crds.sh          copy
#   tools/sync-chart-crds.sh --check  change nothing; exit 1 and name the files that differ
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/crds"
dst="$root/helm/azure-gallery-operator/crds"
check=0
[[ "${1:-}" == "--check" ]] && check=1

mkdir -p "$dst"
shopt -s nullglob
stale=()
for f in "$src"/*.yaml; do
  name="$(basename "$f")"
  if ! cmp -s "$f" "$dst/$name"; then
    stale+=("$name")
    [[ $check == 1 ]] || cp "$f" "$dst/$name"
  fi
done
for f in "$dst"/*.yaml; do
  name="$(basename "$f")"
  if [[ ! -e "$src/$name" ]]; then
    stale+=("$name (not in crds/)")
    [[ $check == 1 ]] || rm "$f"
  fi
done

if [[ ${#stale[@]} == 0 ]]; then
  echo "sync-chart-crds: chart crds/ already matches crds/"
elif [[ $check == 1 ]]; then
  printf 'sync-chart-crds: out of date in helm/azure-gallery-operator/crds: %s\n' "${stale[@]}" >&2
  echo "sync-chart-crds: run tools/sync-chart-crds.sh" >&2
  exit 1
else
  printf 'sync-chart-crds: updated %s\n' "${stale[@]}"
fi
