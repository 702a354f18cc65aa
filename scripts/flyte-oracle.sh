#!/usr/bin/env bash
# The Flyte differential oracle: builds tools/flyte-oracle (Flyte's pod and Kubeflow phase functions) only when missing.
#
# Usage: scripts/flyte-oracle.sh            (idempotent; a warm call returns at once)
# Env:   KUBETASKS_FLYTE_ORACLE   cache root (default $HOME/.cache/kubetasks/flyte-oracle); the binary lands in
#                                 <root>/<flyteplugins version>-<source hash>/flyte-oracle, Go's module and build
#                                 caches in <root>/gomod and <root>/gocache.
# The binary is keyed by the pinned flyteplugins version and a hash of the module's sources, so editing the oracle
# rebuilds it and nothing stale is ever reused. It never lands in the repository.
# The last line of output is FLYTE_ORACLE=<path>.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod_dir="$repo_root/tools/flyte-oracle"
cache_root="${KUBETASKS_FLYTE_ORACLE:-$HOME/.cache/kubetasks/flyte-oracle}"

log() { printf 'flyte-oracle: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# The pinned release is whatever tools/flyte-oracle/go.mod requires, so the version lives in one place.
version="$(awk '$1 == "require" && $2 == "github.com/flyteorg/flyte/flyteplugins" { print $3; exit }
  $1 == "github.com/flyteorg/flyte/flyteplugins" && $2 ~ /^v[0-9]/ { print $2; exit }' "$mod_dir/go.mod")"
[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "cannot read the flyteplugins version from $mod_dir/go.mod"

sources_hash="$(cd "$mod_dir" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -print0 |
  LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)"
bin_dir="$cache_root/$version-$sources_hash"
binary="$bin_dir/flyte-oracle"
mkdir -p "$bin_dir"

# Two test runs starting at once must not build the same binary twice into the same place.
exec 9>"$cache_root/.lock"
flock 9

if [[ ! -x "$binary" ]]; then
  go_bin="$(command -v go || true)"
  [[ -n "$go_bin" ]] || go_bin=/usr/local/go/bin/go
  [[ -x "$go_bin" ]] || die "go not found (expected on PATH or at /usr/local/go/bin/go)"
  started=$SECONDS
  log "building flyteplugins $version -> $binary (a cold build downloads ~100 modules and takes minutes)"
  # Build next to the target and rename, so an interrupted build never leaves a half-written binary behind.
  (
    cd "$mod_dir"
    GOMODCACHE="$cache_root/gomod" GOCACHE="$cache_root/gocache" \
      CGO_ENABLED=0 GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=readonly \
      nice -n 10 "$go_bin" build -trimpath -buildvcs=false -ldflags "-s -w" -o "$binary.tmp" .
  ) || die "go build failed (see above); the oracle is required, not optional"
  mv -f "$binary.tmp" "$binary"
  log "built $binary in $((SECONDS - started)) s ($(du -h "$binary" | cut -f1))"
  # Binaries of earlier versions or sources are never used again.
  find "$cache_root" -mindepth 1 -maxdepth 1 -type d -name 'v*-*' ! -path "$bin_dir" -exec rm -rf {} +
fi

# A smoke test, so a broken binary fails here and not as a confusing test failure.
probe='{"id":0,"now":0,"pod":{"status":{"phase":"Unknown"}}}'
answer="$(printf '%s\n' "$probe" | "$binary")" || die "$binary did not answer"
[[ "$answer" == *'"phase":"Undefined"'* ]] || die "$binary answered unexpectedly: $answer"
echo "FLYTE_ORACLE=$binary"
