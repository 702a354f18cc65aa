#!/usr/bin/env bash
# kubectl's YAML reader as a program: builds tools/yaml11 (sigs.k8s.io/yaml over go-yaml v2) only when missing.
#
# Usage: scripts/yaml11.sh            (idempotent; a warm call returns at once)
# Env:   KUBETASKS_YAML11   cache root (default $HOME/.cache/kubetasks/yaml11); the binary lands in
#                           <root>/<sigs.k8s.io/yaml version>-<source hash>/yaml11, so editing the tool rebuilds it.
# It never lands in the repository. The last line of output is YAML11=<path>.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/go-build.sh
source "$repo_root/scripts/lib/go-build.sh" yaml11

go_tool "$repo_root/tools/yaml11" sigs.k8s.io/yaml yaml11 "${KUBETASKS_YAML11:-$HOME/.cache/kubetasks/yaml11}"

# A smoke test, so a broken binary fails here and not as a confusing test failure: `on: yes` is YAML 1.1's true.
answer="$(printf 'on: yes\n' | "$tool_binary")" || die "$tool_binary did not answer"
[[ "$answer" == '[{"true":true}]' ]] || die "$tool_binary answered unexpectedly: $answer"
echo "YAML11=$tool_binary"
