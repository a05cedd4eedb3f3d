#!/usr/bin/env bash
# Install the Debian packages the harness needs, only when missing.
# Usage: scripts/system-deps.sh xmlsec1 [chromium] [postgresql] [wrk]
# postgresql: the server the SP's database tests start for themselves (initdb + pg_ctl).
# wrk: the HTTP load generator `make bench` uses for the IdP's responses per second.
set -euo pipefail
missing=()
for pkg in "$@"; do
  case "$pkg" in
    chromium) command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium) ;;
    postgresql) compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1 || missing+=(postgresql) ;;
    *) command -v "$pkg" >/dev/null 2>&1 || missing+=("$pkg") ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${missing[*]}, and no apt-get here: install them with your package manager." >&2
  exit 1
fi
echo "Installing ${missing[*]} with apt-get…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
