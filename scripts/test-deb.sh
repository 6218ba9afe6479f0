#!/usr/bin/env bash
# Install dist/hazardmap_*.deb with apt on THIS machine and use it as an office user would (CI runs this
# after scripts/build-deb.sh). Needs root (apt). Prints what it checks; any failure stops it.
#   install -> hazardmap / hazardmap-cli on PATH, desktop entry valid -> --version, points, selftest,
#   export sheets (PDFs with the font embedded), a patrol record written -> apt remove: program gone,
#   ~/.local/share/hazardmap kept -> reinstall: the record is found -> apt remove again.
# The checks run as the unprivileged user "nobody" with HOME in a temp folder (an office user cannot write
# to /opt, so this also proves the app writes only to its data folder). The package is never left installed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-installers.sh

DEB=$(ls dist/hazardmap_*_*.deb 2>/dev/null | head -1 || true)
[ -n "$DEB" ] || { echo "[deb-test] no dist/hazardmap_*.deb: run bash scripts/build-deb.sh first" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "[deb-test] needs root (apt install)" >&2; exit 1; }
PKG_VERSION=$(dpkg-deb -f "$DEB" Version)
OS=$(. /etc/os-release && echo "$PRETTY_NAME")
echo "[deb-test] $DEB on $OS; this machine is a build machine (Python, Qt build libraries,"
echo "           fonts already installed), not a clean $OS: apt installs only what is missing here"

APT=(apt-get -o DPkg::Lock::Timeout=900 -y -qq)
USER_HOME=$(mktemp -d /tmp/hazardmap-deb-home.XXXXXX)
OUT=$(mktemp -d /tmp/hazardmap-deb-out.XXXXXX)
chown nobody "$USER_HOME" "$OUT"
remove() { DEBIAN_FRONTEND=noninteractive "${APT[@]}" remove hazardmap >/dev/null; }
# here-strings, not pipes into grep -q: grep stopping early would fail the pipe under pipefail
installed() { [[ "$(dpkg-query -W -f='${Status}' hazardmap 2>/dev/null || true)" == "install ok installed" ]]; }
cleanup() {
  if installed; then remove || true; fi
  rm -rf "$USER_HOME" "$OUT"
}
trap cleanup EXIT
if installed; then
  echo "[deb-test] hazardmap was installed before the test: removing it first"
  remove
fi

install_deb() {
  local t0=$SECONDS
  DEBIAN_FRONTEND=noninteractive "${APT[@]}" install "./$DEB" >/dev/null
  echo "[deb-test] apt install ./$DEB: $((SECONDS - t0)) s"
}
# as an office user: nobody, HOME in a temp folder, no display (offscreen)
as_user() {
  setpriv --reuid=nobody --regid=nogroup --clear-groups \
    env -i PATH=/usr/bin:/bin HOME="$USER_HOME" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen "$@"
}
check() { echo "[deb-test] ok: $*"; }
fail() { echo "[deb-test] FAILED: $*" >&2; exit 1; }

install_deb
[ "$(command -v hazardmap)" = /usr/bin/hazardmap ] && [ "$(command -v hazardmap-cli)" = /usr/bin/hazardmap-cli ] \
  || fail "hazardmap / hazardmap-cli not on PATH"
[ -x /opt/hazardmap/hazardmap-cli ] || fail "/opt/hazardmap/hazardmap-cli missing"
check "installed under /opt/hazardmap ($(du -sh /opt/hazardmap | cut -f1)); /usr/bin/hazardmap and hazardmap-cli on PATH"
desktop-file-validate /usr/share/applications/hazardmap.desktop || fail "desktop-file-validate"
grep -q "^Name=衡南县地质灾害隐患点监测$" /usr/share/applications/hazardmap.desktop || fail "desktop entry name"
[ -f /usr/share/icons/hicolor/256x256/apps/hazardmap.png ] || fail "icon"
check "desktop entry valid (desktop-file-validate), Chinese name, icon in hicolor"

version=$(as_user hazardmap-cli --version)
[[ "$version" == *"$PKG_VERSION"* ]] || fail "--version printed '$version', package is $PKG_VERSION"
check "hazardmap-cli --version: $version"
n=$(as_user hazardmap-cli points | grep -c . || true)
[ "$n" -ge 16 ] || fail "hazardmap-cli points printed $n lines"
check "hazardmap-cli points: $n lines"
as_user hazardmap-cli selftest | sed 's/^/    /'
check "hazardmap-cli selftest (offscreen)"
as_user hazardmap-cli export sheets --out "$OUT/sheets" --point 1 >/dev/null
pdfs=$(find "$OUT/sheets" -name '*.pdf' | wc -l)
[ "$pdfs" -ge 1 ] || fail "export sheets wrote no PDF"
if command -v pdffonts >/dev/null; then
  for pdf in "$OUT"/sheets/*.pdf; do
    pdffonts "$pdf" | awk 'NR > 2 && $(NF-4) != "yes" {bad = 1} END {exit bad}' || fail "font not embedded in $pdf"
  done
  check "export sheets --point 1: $pdfs PDFs, every font embedded (pdffonts)"
else
  check "export sheets --point 1: $pdfs PDFs"
fi
record=$(as_user hazardmap-cli patrol add --point 1 --at "2026-05-03 08:30" --judgement 正常 --note "deb 安装测试")
check "patrol add: $record"
DATA="$USER_HOME/.local/share/hazardmap"
[ -d "$DATA" ] || fail "no data folder $DATA"

remove
[ ! -e /opt/hazardmap ] && [ ! -e /usr/bin/hazardmap-cli ] || fail "apt remove left the program behind"
[ -d "$DATA" ] && [ -n "$(ls -A "$DATA")" ] || fail "apt remove took the data folder"
check "apt remove: /opt/hazardmap and /usr/bin/hazardmap-cli gone; $DATA kept ($(ls "$DATA" | tr '\n' ' '))"

install_deb
grep -q "deb 安装测试" <<<"$(as_user hazardmap-cli patrol list)" || fail "reinstalled app does not find the patrol record"
check "reinstall: the patrol record written before removal is listed"
remove
if installed; then fail "still installed"; fi
check "removed again; nothing of hazardmap left installed"
echo "[deb-test] all checks passed"
