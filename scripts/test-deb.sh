#!/usr/bin/env bash
# Install dist/hazardmap_*.deb with apt on THIS machine and use it as an office user would (CI runs this
# after scripts/build-deb.sh). Needs root (apt). Prints what it checks; any failure stops it.
#   install -> hazardmap / hazardmap-cli on PATH, desktop entry valid -> --version, points, selftest,
#   the window, export sheets (PDFs: font embedded, text right), a patrol record written -> apt remove:
#   program gone, ~/.local/share/hazardmap kept -> reinstall: the record is found -> apt remove again
#   (scripts/deb-checks.sh, shared with scripts/test-deb-clean.sh, which runs them on a clean Debian 12).
# The checks run as the unprivileged user "nobody" with HOME in a temp folder (an office user cannot write
# to /opt, so this also proves the app writes only to its data folder). The package is never left installed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-installers.sh

DEB=$(ls dist/hazardmap_*_*.deb 2>/dev/null | head -1 || true)
[ -n "$DEB" ] || { echo "[deb-test] no dist/hazardmap_*.deb: run bash scripts/build-deb.sh first" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "[deb-test] needs root (apt install)" >&2; exit 1; }
OS=$(. /etc/os-release && echo "$PRETTY_NAME")
echo "[deb-test] $DEB on $OS; this machine is a build machine (Python, Qt build libraries,"
echo "           fonts already installed), not a clean $OS: apt installs only what is missing here"

# the checks (scripts/deb-checks.sh) run here, as "nobody" with HOME in a temp folder, no display (offscreen)
DEB_TAG=deb-test TARGET="" TARGET_DEB="./$DEB" IN_TARGET=() WINDOW_ENV=(QT_QPA_PLATFORM=offscreen)
AS_USER=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
. scripts/deb-checks.sh
USER_HOME=$(mktemp -d /tmp/hazardmap-deb-home.XXXXXX)
OUT=$(mktemp -d /tmp/hazardmap-deb-out.XXXXXX)
USER_LOG=$(mktemp /tmp/hazardmap-deb-stderr.XXXXXX)
chown nobody "$USER_HOME" "$OUT"
cleanup() {
  if deb_installed; then deb_remove || true; fi
  rm -rf "$USER_HOME" "$OUT" "$USER_LOG"
}
trap cleanup EXIT
if deb_installed; then
  echo "[deb-test] hazardmap was installed before the test: removing it first"
  deb_remove
fi
deb_checks_run
echo "[deb-test] all checks passed"
