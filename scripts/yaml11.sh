#!/usr/bin/env bash
# kubectl's YAML reader as a program: builds tools/yaml11 (sigs.k8s.io/yaml over go-yaml v2) only when missing.
#
# Usage: scripts/yaml11.sh            (idempotent; a warm call returns at once)
# Env:   KUBETASKS_YAML11   cache root (default $HOME/.cache/kubetasks/yaml11); the binary lands in
#                           <root>/<sigs.k8s.io/yaml version>-<source hash>/yaml11, so editing the tool rebuilds it.
# It never lands in the repository. The last line of output is YAML11=<path>.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod_dir="$repo_root/tools/yaml11"
cache_root="${KUBETASKS_YAML11:-$HOME/.cache/kubetasks/yaml11}"

log() { printf 'yaml11: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

version="$(awk '$1 == "require" && $2 == "sigs.k8s.io/yaml" { print $3; exit }' "$mod_dir/go.mod")"
[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "cannot read the sigs.k8s.io/yaml version from $mod_dir/go.mod"

sources_hash="$(cd "$mod_dir" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -print0 |
  LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)"
bin_dir="$cache_root/$version-$sources_hash"
binary="$bin_dir/yaml11"
mkdir -p "$bin_dir"

# Two test runs starting at once must not build the same binary twice into the same place.
exec 9>"$cache_root/.lock"
flock 9

if [[ ! -x "$binary" ]]; then
  go_bin="$(command -v go || true)"
  [[ -n "$go_bin" ]] || go_bin=/usr/local/go/bin/go
  [[ -x "$go_bin" ]] || die "go not found (expected on PATH or at /usr/local/go/bin/go)"
  started=$SECONDS
  log "building sigs.k8s.io/yaml $version -> $binary"
  # Build next to the target and rename, so an interrupted build never leaves a half-written binary behind.
  (
    cd "$mod_dir"
    CGO_ENABLED=0 GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=readonly \
      nice -n 10 "$go_bin" build -trimpath -buildvcs=false -ldflags "-s -w" -o "$binary.tmp" .
  ) || die "go build failed (see above); the YAML 1.1 reader is required, not optional"
  mv -f "$binary.tmp" "$binary"
  log "built $binary in $((SECONDS - started)) s"
  # Binaries of earlier versions or sources are never used again.
  find "$cache_root" -mindepth 1 -maxdepth 1 -type d -name 'v*-*' ! -path "$bin_dir" -exec rm -rf {} +
fi

# A smoke test, so a broken binary fails here and not as a confusing test failure: `on: yes` is YAML 1.1's true.
answer="$(printf 'on: yes\n' | "$binary")" || die "$binary did not answer"
[[ "$answer" == '[{"true":true}]' ]] || die "$binary answered unexpectedly: $answer"
echo "YAML11=$binary"
