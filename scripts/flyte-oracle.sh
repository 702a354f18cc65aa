#!/usr/bin/env bash
# The Flyte differential oracle: builds tools/flyte-oracle (Flyte's pod and Kubeflow phase functions) only when missing.
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
# Go's caches for Flyte's large module graph stay under the oracle's root, so removing the root removes all of it.
GOMODCACHE="$cache_root/gomod" GOCACHE="$cache_root/gocache" \
  go_tool "$repo_root/tools/flyte-oracle" github.com/flyteorg/flyte/flyteplugins flyte-oracle "$cache_root"

# A smoke test, so a broken binary fails here and not as a confusing test failure.
probe='{"id":0,"now":0,"pod":{"status":{"phase":"Unknown"}}}'
answer="$(printf '%s\n' "$probe" | "$tool_binary")" || die "$tool_binary did not answer"
[[ "$answer" == *'"phase":"Undefined"'* ]] || die "$tool_binary answered unexpectedly: $answer"
echo "FLYTE_ORACLE=$tool_binary"
