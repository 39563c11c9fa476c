#!/usr/bin/env bash
# Debian's chromium for the browser tests: Playwright drives it by path (a browser download
# cannot work here). Installs it with apt-get when missing (CI runs as root on a fresh machine).
set -euo pipefail
CHROMIUM="${STRATA_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  echo "$CHROMIUM"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "installing Debian's chromium (apt-get)..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 </dev/null
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2 </dev/null
[ -x "$CHROMIUM" ] || { echo "chromium did not install at $CHROMIUM" >&2; exit 1; }
echo "$CHROMIUM"
