#!/usr/bin/env bash
# Headless Chromium for the runtime matrix and the playground test: Debian's package, installed only when missing.
#
# Usage: scripts/chromium.sh   (idempotent; a warm call returns at once). The last line of output is the path.
# No browser is downloaded by playwright-core: it drives this system browser through executablePath.
set -euo pipefail

log() { printf 'chromium: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

browser="${KUBETASKS_CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$browser" ]]; then
  command -v apt-get >/dev/null || die "apt-get not found; install Debian's chromium package by hand"
  # Two test runs starting at once must not run apt-get twice (dpkg's own lock would fail the second).
  exec 9>/tmp/kubetasks-chromium.lock
  flock 9
  if [[ ! -x "$browser" ]]; then
    started=$SECONDS
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    log "apt-get install chromium (cold installs take a minute or two)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2
    log "installed in $((SECONDS - started)) s"
  fi
fi
[[ -x "$browser" ]] || die "$browser is missing after the install"
"$browser" --version 2>/dev/null >&2 || die "$browser does not start"
echo "$browser"
