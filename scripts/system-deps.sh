#!/usr/bin/env bash
# Install the Debian packages the harness needs, only when missing.
# Usage: scripts/system-deps.sh [python3-venv] [xmlsec1] [chromium] [chromium-headless-shell] [curl] [jq]
#        [postgresql] [wrk]
#   python3-venv  `make setup` creates .venv with it
#   xmlsec1       the SP's signature checks (pysaml2) and the tests' independent verifier
#   chromium      the e2e tests (Debian's, by path)
#   chromium-headless-shell  the same Chromium without the desktop browser: the e2e tests use it
#                 headless when installed (about half the CPU)
#   curl, jq      the documented automation pipeline, which a test runs
#   postgresql    the server the SP's database tests start for themselves (initdb + pg_ctl)
#   wrk           the HTTP load generator `make bench` uses for the IdP's responses per second
# As root with apt-get, missing packages are installed; otherwise it names what to install.
set -euo pipefail
missing=()
for pkg in "$@"; do
  case "$pkg" in
    chromium) command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium) ;;
    postgresql) compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1 || missing+=(postgresql) ;;
    # Debian splits venv's pip bootstrap (ensurepip) into python3-venv.
    python3-venv) python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv) ;;
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
