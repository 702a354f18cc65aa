#!/usr/bin/env bash
# The Flyte differential oracle: builds tools/flyte-oracle (Flyte's pod, Kubeflow, Spark, Ray and Dask plugins) only when missing.
#
# Usage: scripts/flyte-oracle.sh            (idempotent; a warm call returns at once)
# Env:   KUBETASKS_FLYTE_ORACLE   cache root (default $HOME/.cache/kubetasks/flyte-oracle); the binary lands in
#                                 <root>/<flyteplugins version>-<source hash>/flyte-oracle, Go's module and build
#                                 caches in <root>/gomod and <root>/gocache.
# The binary is keyed by the pinned flyteplugins version and a hash of the module's sources, so editing the oracle
# rebuilds it and nothing stale is ever reused. It never lands in the repository. A cold build downloads ~100
# modules and takes minutes.
# The last line of output is FLYTE_ORACLE=<path>.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/go-build.sh
source "$repo_root/scripts/lib/go-build.sh" flyte-oracle

cache_root="${KUBETASKS_FLYTE_ORACLE:-$HOME/.cache/kubetasks/flyte-oracle}"
mod_dir="$repo_root/tools/flyte-oracle"
# Go's caches for Flyte's large module graph stay under the oracle's root, so removing the root removes all of it.
export GOMODCACHE="$cache_root/gomod" GOCACHE="$cache_root/gocache"
lock_cache "$cache_root"

# The plugin registry, which every plugin package registers with, calls a flytestdlib cache constructor whose
# parameters became unsigned after the only served flytestdlib (tools/flyte-oracle/README.md). The build uses a copy
# of the flyteplugins module with those two conversions changed; no line on any phase path differs from the release.
version="$(mod_version github.com/flyteorg/flyte/flyteplugins "$mod_dir")"
patched="$cache_root/flyteplugins-$version-patched"
if [[ ! -f "$patched/.patched" ]]; then
  go="$(go_command)" || exit 1
  pristine="$(cd "$mod_dir" && GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=readonly \
    "$go" mod download -json "github.com/flyteorg/flyte/flyteplugins@$version" |
    sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$pristine" ]] || die "go mod download of flyteplugins $version gave no directory"
  rm -rf "$patched" "$patched.tmp"
  cp -r "$pristine" "$patched.tmp" && chmod -R u+w "$patched.tmp"
  cache_go="$patched.tmp/go/tasks/pluginmachinery/internal/webapi/cache.go"
  sed -i 's/uint(cfg\.Workers), uint(cfg\.Size)/int(cfg.Workers), int(cfg.Size)/' "$cache_go"
  grep -q 'int(cfg.Workers), int(cfg.Size)' "$cache_go" || die "the webapi cache patch no longer applies to $version"
  touch "$patched.tmp/.patched" && mv "$patched.tmp" "$patched"
fi
# The build's go.mod is the tool's plus the replace; -modfile reads the go.sum beside it.
{ cat "$mod_dir/go.mod"; printf '\nreplace github.com/flyteorg/flyte/flyteplugins => %s\n' "$patched"; } \
  >"$cache_root/build.mod"
cp "$mod_dir/go.sum" "$cache_root/build.sum"

GO_BUILD_MODFILE="$cache_root/build.mod" \
  go_tool "$mod_dir" github.com/flyteorg/flyte/flyteplugins flyte-oracle "$cache_root"

# A smoke test, so a broken binary fails here and not as a confusing test failure.
probe='{"id":0,"now":0,"pod":{"status":{"phase":"Unknown"}}}'
answer="$(printf '%s\n' "$probe" | "$tool_binary")" || die "$tool_binary did not answer"
[[ "$answer" == *'"phase":"Undefined"'* ]] || die "$tool_binary answered unexpectedly: $answer"
echo "FLYTE_ORACLE=$tool_binary"
