# shellcheck shell=bash
# Building the repository's Go tools (tools/*) into ~/.cache/kubetasks, once: sourced by the scripts that build them.
#
# Usage: source "$repo_root/scripts/lib/go-build.sh" NAME    (NAME prefixes every log line: `NAME: ...`)
# Gives: log, die, mod_version, lock_cache, go_build, go_build_once and go_tool (see each below).
# Every build is CGO-free, offline-safe (-mod=readonly, the local toolchain only) and niced, and lands next to its
# target first, so an interrupted build never leaves a half-written binary behind. A caller that wants Go's module
# and build caches elsewhere sets GOMODCACHE / GOCACHE on the call: `GOCACHE=... go_tool ...`; one that builds with
# another go.mod (a replace the repository must not carry) sets GO_BUILD_MODFILE the same way.

go_build_name="${1:?usage: source scripts/lib/go-build.sh NAME}"

log() { printf '%s: %s\n' "$go_build_name" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# mod_version MODULE MODULE_DIR: the version of MODULE that MODULE_DIR/go.mod requires (one-line or block form), so
# a pinned release lives in one place; empty when it requires none.
mod_version() {
  awk -v m="$1" '{ for (i = 1; i < NF; i++) if ($i == m && $(i + 1) ~ /^v[0-9]/) { print $(i + 1); exit } }' \
    "$2/go.mod"
}

# lock_cache CACHE_ROOT: creates CACHE_ROOT and holds its lock (fd 9) until the script exits, so two test runs
# starting at once never build the same binary twice into the same place; the second waits for the first.
lock_cache() {
  # Taking it again (a script that locks before go_tool does) must not reopen fd 9, which would drop the lock.
  [[ "${go_build_locked:-}" == "$1" ]] && return 0
  mkdir -p "$1"
  exec 9>"$1/.lock"
  flock 9
  go_build_locked="$1"
}

# The go command: on PATH, or where the official tarball installs it.
go_command() {
  if command -v go >/dev/null; then
    command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then
    echo /usr/local/go/bin/go
  else
    die "go not found (expected on PATH or at /usr/local/go/bin/go)"
  fi
}

# go_build OUT PKG LDFLAGS MODULE_DIR [LABEL]: builds PKG of the module in MODULE_DIR into OUT (always; see
# go_build_once); the log names it LABEL (default PKG).
go_build() {
  local out="$1" pkg="$2" ldflags="$3" dir="$4" label="${5:-$2}"
  local go started=$SECONDS
  # Command substitution runs in a subshell, whose `die` ends only itself.
  go="$(go_command)" || exit 1
  log "building $label -> $out (a cold build can take minutes; load average $(cut -d' ' -f1-3 /proc/loadavg))"
  (
    cd "$dir"
    CGO_ENABLED=0 GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=readonly \
      nice -n 10 "$go" build ${GO_BUILD_MODFILE:+-modfile="$GO_BUILD_MODFILE"} -trimpath -buildvcs=false -ldflags "$ldflags" -o "$out.tmp" "$pkg"
  ) || die "go build of $label failed (see above)"
  mv -f "$out.tmp" "$out"
  log "built $out in $((SECONDS - started)) s ($(du -h "$out" | cut -f1))"
}

# go_build_once OUT PKG LDFLAGS MODULE_DIR [LABEL]: go_build, only when OUT is missing.
go_build_once() {
  [[ -x "$1" ]] || go_build "$@"
}

# go_tool MODULE_DIR MODULE BINARY CACHE_ROOT: builds the main package of MODULE_DIR, once, into
# CACHE_ROOT/<version of MODULE>-<hash of the sources>/BINARY and sets tool_binary to that path. Keyed by both,
# editing the tool or bumping the pin rebuilds it and nothing stale is reused; builds for other keys are removed.
go_tool() {
  local dir="$1" module="$2" name="$3" root="$4"
  local version hash bin_dir
  version="$(mod_version "$module" "$dir")"
  [[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "cannot read the $module version from $dir/go.mod"
  hash="$(cd "$dir" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -print0 |
    LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)"
  bin_dir="$root/$version-$hash"
  tool_binary="$bin_dir/$name"
  lock_cache "$root"
  if [[ ! -x "$tool_binary" ]]; then
    mkdir -p "$bin_dir"
    go_build "$tool_binary" . "-s -w" "$dir" "$(basename "$dir") ($module $version)"
    find "$root" -mindepth 1 -maxdepth 1 -type d -name 'v*-*' ! -path "$bin_dir" -exec rm -rf {} +
  fi
}
