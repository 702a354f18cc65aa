#!/usr/bin/env bash
# Real-cluster test binaries: builds kube-apiserver from tools/testbin and provides etcd, each only when missing.
# With `e2e` it also builds the rest of the control plane the e2e suite runs: kube-controller-manager and
# kube-scheduler (tools/testbin, the same k8s.io/kubernetes release), KWOK's controller (tools/kwok) and the
# Kubeflow training operator (tools/training-operator), and copies the CRDs and KWOK's default stages out of
# those modules in the Go module cache.
#
# Usage: scripts/testbin.sh [e2e]      (idempotent; a warm call returns at once)
# Env:   KUBETASKS_TESTBIN   cache root (default $HOME/.cache/kubetasks/testbin); binaries land in <root>/<version>/
# etcd is built from Go modules too (the v3.6.x k8s.io/kubernetes pins): Debian's etcd 3.4 breaks plain watches
# against kube-apiserver 1.34 (see docs/testing-control-plane-notes.md).
# Output ends with NAME=<path> lines: KUBE_APISERVER and ETCD, then with `e2e` KUBE_CONTROLLER_MANAGER,
# KUBE_SCHEDULER, KWOK, KWOK_DIR (its crds/ and stages/), TRAINING_OPERATOR and TRAINING_OPERATOR_CRDS.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod_dir="$repo_root/tools/testbin"
mode="${1:-cluster}"
[[ "$mode" == cluster || "$mode" == e2e ]] || {
  printf 'usage: %s [e2e]\n' "$0" >&2
  exit 2
}
cache_root="${KUBETASKS_TESTBIN:-$HOME/.cache/kubetasks/testbin}"

# shellcheck source=lib/go-build.sh
source "$repo_root/scripts/lib/go-build.sh" testbin

kube_version="$(mod_version k8s.io/kubernetes "$mod_dir")"
[[ "$kube_version" =~ ^v1\.([0-9]+)\.[0-9]+$ ]] || die "cannot read the k8s.io/kubernetes version from $mod_dir/go.mod"
kube_minor="${BASH_REMATCH[1]}"
etcd_version="$(mod_version go.etcd.io/etcd/server/v3 "$mod_dir")"

bin_dir="$cache_root/$kube_version"
kube_apiserver="$bin_dir/kube-apiserver"
mkdir -p "$bin_dir"
lock_cache "$cache_root"

apt_updated=0
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found; install $* by hand"
  if [[ $apt_updated -eq 0 ]]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    apt_updated=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

command -v openssl >/dev/null || apt_install openssl

# Without these /version reports v0.0.0-master and clients see a nonsense server version.
kube_ldflags="-s -w"
kube_ldflags+=" -X k8s.io/component-base/version.gitVersion=$kube_version"
kube_ldflags+=" -X k8s.io/component-base/version.gitMajor=1"
kube_ldflags+=" -X k8s.io/component-base/version.gitMinor=$kube_minor"
kube_ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
kube_ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$kube_version"
kube_ldflags+=" -X k8s.io/client-go/pkg/version.gitMajor=1"
kube_ldflags+=" -X k8s.io/client-go/pkg/version.gitMinor=$kube_minor"
go_build_once "$kube_apiserver" k8s.io/kubernetes/cmd/kube-apiserver "$kube_ldflags" "$mod_dir"

# The etcd server version k8s.io/kubernetes itself pins: envtest's pairing for this minor, and it shares the
# module graph, so it costs seconds once kube-apiserver is built.
[[ -n "$etcd_version" ]] || die "go.etcd.io/etcd/server/v3 missing from $mod_dir/go.mod"
etcd="$bin_dir/etcd-$etcd_version"
go_build_once "$etcd" go.etcd.io/etcd/server/v3 "-s -w" "$mod_dir"

log "$("$kube_apiserver" --version)"
etcd_banner="$("$etcd" --version 2>&1)" || die "$etcd --version failed: $etcd_banner"
log "${etcd_banner%%$'\n'*}"
echo "KUBE_APISERVER=$kube_apiserver"
echo "ETCD=$etcd"

[[ "$mode" == e2e ]] || exit 0

# The rest of the control plane, from the same module graph as kube-apiserver: most packages are already in the
# build cache once kube-apiserver is built.
for component in kube-controller-manager kube-scheduler; do
  go_build_once "$bin_dir/$component" "k8s.io/kubernetes/cmd/$component" "$kube_ldflags" "$mod_dir"
done

# module_dir MODULE TOOL_DIR: where the Go module cache keeps MODULE at the version TOOL_DIR's go.mod pins
# (downloaded through the module proxy, the same as a build).
module_dir() {
  local go
  go="$(go_command)" || exit 1
  (cd "$2" && GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=readonly "$go" list -m -f '{{.Dir}}' "$1")
}

# KWOK: the controller, its CRDs and default stages, all from the module the binary is built from.
kwok_mod="$repo_root/tools/kwok"
kwok_version="$(mod_version sigs.k8s.io/kwok "$kwok_mod")"
[[ -n "$kwok_version" ]] || die "sigs.k8s.io/kwok missing from $kwok_mod/go.mod"
kwok_dir="$cache_root/kwok-$kwok_version"
mkdir -p "$kwok_dir"
go_build_once "$kwok_dir/kwok" sigs.k8s.io/kwok/cmd/kwok "-s -w" "$kwok_mod"
if [[ ! -f "$kwok_dir/stages/.complete" ]]; then
  src="$(module_dir sigs.k8s.io/kwok "$kwok_mod")"
  rm -rf "$kwok_dir/crds" "$kwok_dir/stages"
  mkdir -p "$kwok_dir/crds" "$kwok_dir/stages"
  cp "$src"/kustomize/crd/bases/*.yaml "$kwok_dir/crds/"
  # The default node and pod lifecycles (kustomize/stage/{node,pod}/fast, files named node-*.yaml and pod-*.yaml):
  # what `kwokctl create cluster` applies. The e2e harness takes the node stages; the pod ones are replaced by the
  # repository's scenario stages (test/e2e/stages).
  for f in "$src"/kustomize/stage/{node,pod}/fast/*.yaml; do
    [[ "$(basename "$f")" == kustomization.yaml ]] || cp "$f" "$kwok_dir/stages/"
  done
  chmod -R u+w "$kwok_dir/crds" "$kwok_dir/stages"
  touch "$kwok_dir/stages/.complete"
fi

# The Kubeflow training operator and its CRDs (manifests/base/crds of the same module).
to_mod="$repo_root/tools/training-operator"
to_version="$(mod_version github.com/kubeflow/training-operator "$to_mod")"
[[ -n "$to_version" ]] || die "github.com/kubeflow/training-operator missing from $to_mod/go.mod"
to_dir="$cache_root/training-operator-$to_version"
mkdir -p "$to_dir"
go_build_once "$to_dir/training-operator" github.com/kubeflow/training-operator/cmd/training-operator.v1 "-s -w" \
  "$to_mod"
if [[ ! -f "$to_dir/crds/.complete" ]]; then
  src="$(module_dir github.com/kubeflow/training-operator "$to_mod")"
  rm -rf "$to_dir/crds"
  mkdir -p "$to_dir/crds"
  for f in "$src"/manifests/base/crds/kubeflow.org_*.yaml; do cp "$f" "$to_dir/crds/"; done
  chmod -R u+w "$to_dir/crds"
  touch "$to_dir/crds/.complete"
fi

echo "KUBE_CONTROLLER_MANAGER=$bin_dir/kube-controller-manager"
echo "KUBE_SCHEDULER=$bin_dir/kube-scheduler"
echo "KWOK=$kwok_dir/kwok"
echo "KWOK_DIR=$kwok_dir"
echo "TRAINING_OPERATOR=$to_dir/training-operator"
echo "TRAINING_OPERATOR_CRDS=$to_dir/crds"
