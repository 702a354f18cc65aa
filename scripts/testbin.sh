#!/usr/bin/env bash
# Real-cluster test binaries: builds kube-apiserver from tools/testbin and provides etcd, each only when missing.
#
# Usage: scripts/testbin.sh            (idempotent; a warm call returns at once)
# Env:   KUBETASKS_TESTBIN   cache root (default $HOME/.cache/kubetasks/testbin); binaries land in <root>/<version>/
# etcd is built from Go modules too (the v3.6.x k8s.io/kubernetes pins): Debian's etcd 3.4 breaks plain watches
# against kube-apiserver 1.34 (see docs/testing-control-plane-notes.md).
# The last two lines of output are KUBE_APISERVER=<path> and ETCD=<path>.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod_dir="$repo_root/tools/testbin"
cache_root="${KUBETASKS_TESTBIN:-$HOME/.cache/kubetasks/testbin}"

log() { printf 'testbin: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# The pinned release is whatever tools/testbin/go.mod requires, so the version lives in one place.
mod_version() { awk -v m="$1" '{ for (i = 1; i < NF; i++) if ($i == m && $(i + 1) ~ /^v[0-9]/) { print $(i + 1); exit } }' "$mod_dir/go.mod"; }
kube_version="$(mod_version k8s.io/kubernetes)"
[[ "$kube_version" =~ ^v1\.([0-9]+)\.[0-9]+$ ]] || die "cannot read the k8s.io/kubernetes version from $mod_dir/go.mod"
kube_minor="${BASH_REMATCH[1]}"
etcd_version="$(mod_version go.etcd.io/etcd/server/v3)"

bin_dir="$cache_root/$kube_version"
kube_apiserver="$bin_dir/kube-apiserver"
mkdir -p "$bin_dir"

# Two test runs starting at once must not build the same binary twice into the same place.
exec 9>"$cache_root/.lock"
flock 9

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

go_build() {
  local out="$1" pkg="$2" ldflags="$3"
  command -v go >/dev/null || [[ -x /usr/local/go/bin/go ]] || die "go not found (expected /usr/local/go/bin/go)"
  local go_bin
  go_bin="$(command -v go || echo /usr/local/go/bin/go)"
  local started=$SECONDS
  log "building $pkg -> $out (cold builds take minutes)"
  # Build next to the target and rename, so an interrupted build never leaves a half-written binary behind.
  (
    cd "$mod_dir"
    CGO_ENABLED=0 GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=readonly \
      nice -n 10 "$go_bin" build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$out.tmp" "$pkg"
  )
  mv -f "$out.tmp" "$out"
  log "built $out in $((SECONDS - started)) s ($(du -h "$out" | cut -f1))"
}

if [[ ! -x "$kube_apiserver" ]]; then
  # Without these /version reports v0.0.0-master and clients see a nonsense server version.
  ldflags="-s -w"
  ldflags+=" -X k8s.io/component-base/version.gitVersion=$kube_version"
  ldflags+=" -X k8s.io/component-base/version.gitMajor=1"
  ldflags+=" -X k8s.io/component-base/version.gitMinor=$kube_minor"
  ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$kube_version"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitMajor=1"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitMinor=$kube_minor"
  go_build "$kube_apiserver" k8s.io/kubernetes/cmd/kube-apiserver "$ldflags"
fi

# The etcd server version k8s.io/kubernetes itself pins: envtest's pairing for this minor, and it shares the
# module graph, so it costs seconds once kube-apiserver is built.
[[ -n "$etcd_version" ]] || die "go.etcd.io/etcd/server/v3 missing from $mod_dir/go.mod"
etcd="$bin_dir/etcd-$etcd_version"
if [[ ! -x "$etcd" ]]; then
  go_build "$etcd" go.etcd.io/etcd/server/v3 "-s -w"
fi

log "$("$kube_apiserver" --version)"
etcd_banner="$("$etcd" --version 2>&1)" || die "$etcd --version failed: $etcd_banner"
log "${etcd_banner%%$'\n'*}"
echo "KUBE_APISERVER=$kube_apiserver"
echo "ETCD=$etcd"
