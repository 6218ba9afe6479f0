#!/usr/bin/env bash
# Exercises the Windows installer under Wine in a fresh prefix (a clean "PC"), as an office user would
# meet it: silent install, the CLI (--version, points, export sheets, selftest), an upgrade by a newer
# build over it with user data written by the first, and a silent uninstall.
# Usage: bash scripts/windows/test-wine.sh   (after scripts/windows/build-wine.sh)
# Exit 0 only when every check passed; each check prints one line, PASS or FAIL. The exported PDFs
# are read back on Linux (pdffonts, pdftotext) and compared with the same export made on Linux.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
W=$ROOT/build/wine
VERSION=$(python3 -c 'import tomllib;print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
SETUP=${SETUP:-$ROOT/dist-win/hazardmap-$VERSION-setup.exe}   # the installer under test
APPDIR=${APPDIR:-dist-win/hazardmap}                             # its app folder (for the upgrade build)
test -f "$SETUP" || { echo "[test-wine] no $SETUP: run scripts/windows/build-wine.sh first" >&2; exit 1; }
# shellcheck source=scripts/windows/wine-env.sh
source scripts/windows/wine-env.sh "$W/test-prefix"

GUID="{6E0C4B8A-3F7D-4B51-9A2E-7C1D5F0B8E42}"
UNINST_KEY="HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\$GUID"
NAME="衡南县地质灾害隐患点监测"
C=$WINEPREFIX/drive_c
APP="$C/Program Files/hazardmap"
APP_WIN='C:\Program Files\hazardmap'
SHORTCUT="$C/ProgramData/Microsoft/Windows/Start Menu/Programs/$NAME.lnk"
DATA="$C/users/$(id -un)/AppData/Local/hazardmap"   # %LOCALAPPDATA%\hazardmap of Wine's user
OUT=$W/test-out
FAILED=0
LINUX_PY=${LINUX_PYTHON:-$ROOT/.venv/bin/python}  # hazardmap on Linux (scripts/setup.sh), for comparisons
[ -x "$LINUX_PY" ] || bash scripts/setup.sh
MONTH=$(date +%Y-%m)
T0=$(date +%s)

pass() { echo "[test-wine] PASS $*"; }
fail() { echo "[test-wine] FAIL $*"; FAILED=$((FAILED + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
stamp() { echo "[test-wine] --- $1 (t=$(( $(date +%s) - T0 )) s)"; }
cli() { wine_console "$APP_WIN\\hazardmap-cli.exe" "$@"; }
reg_value() {  # reg_value NAME: the value under our uninstall key, or nothing
  wine_console reg query "$UNINST_KEY" /v "$1" 2>/dev/null | awk -v n="$1" '$1 == n {$1=$2=""; sub(/^  */, ""); print}'
}
install() { wine "$1" /S; wineserver -w; }  # the installer returns at once; wait for all of Wine

stamp "fresh Wine prefix"
wineserver -k 2>/dev/null || true
rm -rf "$WINEPREFIX" "$OUT"
mkdir -p "$OUT"
wine_init
# Test-only: the icuuc.dll stand-in Wine 8.0 needs for Qt6Core (scripts/windows/icuuc-stub.sh).
# Never part of the installer; Windows 10/11 have their own.
cp "$W/icuuc.dll" "$C/windows/system32/icuuc.dll"

stamp "silent install: $(basename "$SETUP") ($(du -m "$SETUP" | cut -f1) MB)"
install "$SETUP"
check "program in C:\\Program Files\\hazardmap (hazardmap.exe, hazardmap-cli.exe)" \
  test -f "$APP/hazardmap.exe" -a -f "$APP/hazardmap-cli.exe" -a -f "$APP/uninstall.exe"
check "Start-menu shortcut named $NAME" test -f "$SHORTCUT"
check "Add/Remove Programs entry under the fixed key $GUID: $(reg_value DisplayName) $(reg_value DisplayVersion)" \
  test "$(reg_value DisplayName)" = "$NAME" -a "$(reg_value DisplayVersion)" = "$VERSION.0"
check "hazardmap.exe is a windowed (GUI subsystem) program, hazardmap-cli.exe a console one" \
  bash -c 'x86_64-w64-mingw32-objdump -p "$1" | grep -q "Subsystem.*(Windows GUI)" && x86_64-w64-mingw32-objdump -p "$2" | grep -q "Subsystem.*(Windows CUI)"' _ "$APP/hazardmap.exe" "$APP/hazardmap-cli.exe"
check "no user data written by the installer" test ! -e "$DATA"

stamp "CLI"
out=$(cli --version)
echo "$out"
check "hazardmap-cli.exe --version says $VERSION" test "$out" = "hazardmap $VERSION"
cli points > "$OUT/points-win.txt"
head -4 "$OUT/points-win.txt"
# The same command on Linux from the source tree (a throwaway data folder) must print the same table.
HAZARDMAP_HOME=$OUT/linux-home PYTHONPATH=$ROOT "$LINUX_PY" -m hazardmap points > "$OUT/points-linux.txt"
check "points: the 16 points, the same table as on Linux ($(wc -l < "$OUT/points-win.txt") lines)" \
  diff -u "$OUT/points-linux.txt" "$OUT/points-win.txt"
check "the database is in %LOCALAPPDATA%\\hazardmap" test -f "$DATA/hazardmap.sqlite3"

cli export sheets --out 'C:\sheets' --point 5 --kind all --month "$MONTH"
HAZARDMAP_HOME=$OUT/linux-home PYTHONPATH=$ROOT "$LINUX_PY" -m hazardmap export sheets \
  --out "$OUT/sheets-linux" --point 5 --kind all --month "$MONTH" >/dev/null
mapfile -t PDFS < <(cd "$C/sheets" && ls -- *.pdf)
check "export sheets wrote ${#PDFS[@]} PDFs under C:\\sheets" test "${#PDFS[@]}" -ge 3
for pdf in "${PDFS[@]}"; do
  fonts=$(pdffonts "$C/sheets/$pdf" | tail -n +3)
  echo "$pdf:"; echo "$fonts" | sed 's/^/    /'
  check "$pdf: every font embedded" bash -c '[ -n "$1" ] && ! awk "{print \$(NF-4)}" <<<"$1" | grep -qv yes' _ "$fonts"
  pdftotext -layout "$C/sheets/$pdf" "$OUT/$pdf.win.txt"
  pdftotext -layout "$OUT/sheets-linux/$pdf" "$OUT/$pdf.linux.txt"
  check "$pdf: text as on Linux ($(grep -o '[^ ].*' "$OUT/$pdf.win.txt" | head -1))" \
    diff -q "$OUT/$pdf.linux.txt" "$OUT/$pdf.win.txt"
done

stamp "selftest"
set +e
QT_QPA_PLATFORM=offscreen cli selftest > "$OUT/selftest-full.txt" 2>&1
full_rc=$?
set -e
echo "selftest (all checks), exit $full_rc (a crash dump is cut after its first line; whole in $OUT/selftest-full.txt):"
awk '{print} /starting debugger/ {if ((getline line) > 0) print line; exit}' "$OUT/selftest-full.txt" | sed 's/^/    /' 
# QtWebEngine does not load under Wine 8.0 and QtPdf's pdfium stops on a breakpoint (the full run above
# shows both): those two checks are skipped by name and reported as 跳过; the rest must pass.
set +e
QT_QPA_PLATFORM=offscreen cli selftest --skip-map --skip-pdf-view > "$OUT/selftest.txt" 2>&1
rc=$?
set -e
echo "selftest --skip-map --skip-pdf-view, exit $rc:"; sed 's/^/    /' "$OUT/selftest.txt"
check "selftest: database, bundled layers, card export and GIS files (GDAL) passed; map and QtPdf read-back reported as skipped" \
  bash -c '[ "$1" = 0 ] && grep -q "^\[跳过\] 离线地图" "$2" && grep -q "^\[跳过\] 明白卡回读" "$2" \
           && grep -q "^\[通过\] GIS 文件" "$2" \
           && [ "$(grep -c "^\[通过\]" "$2")" = 4 ] && ! grep -q "^\[失败\]" "$2"' _ "$rc" "$OUT/selftest.txt"
for name in 离线地图 明白卡回读; do
  if grep -q "^\[通过\] $name" "$OUT/selftest-full.txt"; then
    pass "selftest check $name ran under Wine"
  else
    echo "[test-wine] NOT RUNNABLE UNDER WINE: selftest check $name (see the full run above)"
  fi
done

stamp "user data, then an upgrade by a newer build"
marker="test-wine 升级前写入 $(date +%s)"
cli patrol add --point 5 --at "2026-05-03 08:30" --judgement 正常 --note "$marker"
before=$(cli patrol list --point 5)
check "a patrol record written by the first install" grep -q "$marker" <<<"$before"
echo "left by the old build" > "$APP/_internal/stale-from-old-build.txt"
NEWER=$W/upgrade/hazardmap-$VERSION.1-setup.exe
UNCOMPRESSED=1 bash scripts/windows/make-installer.sh "$VERSION" 1 "$NEWER" "$APPDIR"  # same app, build 1
install "$NEWER"
check "upgrade: Add/Remove Programs shows the newer build ($(reg_value DisplayVersion))" \
  test "$(reg_value DisplayVersion)" = "$VERSION.1"
entries=$(wine_console reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' /s | grep -c "DisplayName.*$NAME" || true)
check "upgrade: one Add/Remove Programs entry for the product ($entries)" test "$entries" = 1
check "upgrade: old build's files replaced (a stale file in _internal is gone)" \
  test ! -e "$APP/_internal/stale-from-old-build.txt"
after=$(cli patrol list --point 5)
check "upgrade: the patrol record written before is still there" grep -q "$marker" <<<"$after"
check "upgrade: hazardmap-cli.exe --version still runs" test "$(cli --version)" = "hazardmap $VERSION"

stamp "silent uninstall"
install "$APP/uninstall.exe"
check "uninstall: program folder gone" test ! -e "$APP"
check "uninstall: Start-menu shortcut gone" test ! -e "$SHORTCUT"
check "uninstall: Add/Remove Programs entry gone" test -z "$(reg_value DisplayName)"
check "uninstall: %LOCALAPPDATA%\\hazardmap kept ($(ls "$DATA" 2>/dev/null | tr '\n' ' '))" \
  test -f "$DATA/hazardmap.sqlite3"
# Read the kept database with the Linux build of hazardmap: the record is there and readable.
check "uninstall: the patrol record is still in the kept database" \
  bash -c 'HAZARDMAP_HOME="$1" PYTHONPATH="$2" "$3" -m hazardmap patrol list --point 5 | grep -q "$4"' _ \
  "$DATA" "$ROOT" "$LINUX_PY" "$marker"

stamp "done"
wineserver -k 2>/dev/null || true
if [ "$FAILED" -gt 0 ]; then
  echo "[test-wine] $FAILED check(s) FAILED"
  exit 1
fi
echo "[test-wine] all checks passed in $(( $(date +%s) - T0 )) s"
