#!/usr/bin/env bash
# Finds a Chromium for the console's browser test (infra/runtime ConsoleInBrowserTest) and prints its path; installs
# Debian's `chromium` package when there is none, as infra/bin/venv.sh makes the virtualenv. Idempotent.
#   $CHROMIUM            an explicit browser binary (Chromium or Chrome), used as is
#   else chromium, chromium-browser, google-chrome(-stable) on the PATH
#   else `apt-get install -y chromium` (as root, or through sudo when it needs no password)
# Exit 1 with one line on stderr when none can be found or installed.
set -euo pipefail
find_browser() {
  if [ -n "${CHROMIUM:-}" ]; then
    [ -x "$CHROMIUM" ] && { echo "$CHROMIUM"; return 0; }
    echo "CHROMIUM=$CHROMIUM is not an executable file" >&2; return 2
  fi
  local name
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  done
  return 1
}
if path=$(find_browser); then echo "$path"; exit 0; elif [ $? -eq 2 ]; then exit 1; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "no Chromium found and no apt-get to install it: install Chromium or Chrome, or set CHROMIUM=<path>" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then as_root=(); elif sudo -n true 2>/dev/null; then as_root=(sudo -n); else
  echo "no Chromium found: run 'apt-get install -y chromium' as root, or set CHROMIUM=<path>" >&2
  exit 1
fi
echo "Installing Chromium (apt-get install -y chromium) for the console's browser test" >&2
export DEBIAN_FRONTEND=noninteractive
apt_get=("${as_root[@]}" apt-get -o DPkg::Lock::Timeout=300 -q)
if ! "${apt_get[@]}" install -y --no-install-recommends chromium >/dev/null 2>&1; then
  # the package lists may be missing or stale (a fresh container): refresh them once
  "${apt_get[@]}" update >/dev/null 2>&1 || true
  "${apt_get[@]}" install -y --no-install-recommends chromium >&2 \
    || { echo "apt-get install chromium failed: install Chromium or Chrome, or set CHROMIUM=<path>" >&2; exit 1; }
fi
find_browser || { echo "chromium was installed but is not on the PATH: set CHROMIUM=<path>" >&2; exit 1; }
