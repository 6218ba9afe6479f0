# Sourced by scripts/test-deb.sh (this machine) and scripts/test-deb-clean.sh (a clean Debian 12 chroot):
# the checks of an installed hazardmap .deb as an office user would use it, written once for both.
# The caller sets
#   DEB_TAG       prefix of every line (e.g. deb-test)
#   TARGET        where the target system's files are seen from here: "" for this machine, else the chroot
#   TARGET_DEB    the .deb as apt in the target sees it (./relative or absolute)
#   IN_TARGET     command prefix running a command as root in the target (empty array for this machine)
#   AS_USER       command prefix running a command as the office user in the target
#   USER_HOME     the user's HOME inside the target; OUT a folder the user may write, inside the target
#   USER_LOG      a file here collecting the user's stderr (Qt and Chromium warnings would bury the lines)
#   WINDOW_ENV    env assignments for the window check, e.g. (QT_QPA_PLATFORM=offscreen)
# and then calls deb_checks_run. The tools reading the results (desktop-file-validate, pdffonts, pdftotext)
# run here on the target's files, so the target needs nothing beyond the package's Depends.

check() { echo "[$DEB_TAG] ok: $*"; }
fail() {
  echo "[$DEB_TAG] FAILED: $*" >&2
  if [ -s "${USER_LOG:-}" ]; then
    echo "[$DEB_TAG] last lines the program wrote to stderr:" >&2
    tail -n 15 "$USER_LOG" | sed 's/^/    /' >&2
  fi
  exit 1
}
in_target() { "${IN_TARGET[@]}" "$@"; }
# the office user: a clean environment, no display unless the caller gives one
as_user() {
  "${AS_USER[@]}" env -i PATH=/usr/bin:/bin HOME="$USER_HOME" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen "$@" \
    2>>"$USER_LOG"
}
# here-strings, not pipes into grep -q: grep stopping early would fail the pipe under pipefail
deb_installed() {
  [[ "$(in_target dpkg-query -W -f='${Status}' hazardmap 2>/dev/null || true)" == "install ok installed" ]]
}
deb_apt() { in_target env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -y "$@"; }
deb_remove() { deb_apt -qq remove hazardmap >/dev/null; }
deb_install() {
  # --no-install-recommends: only the Depends may be needed (a user's apt also brings Recommends)
  local t0=$SECONDS log
  log=$(deb_apt -q --no-install-recommends install "$TARGET_DEB" 2>&1) || { echo "$log" >&2; fail "apt-get install $TARGET_DEB"; }
  echo "[$DEB_TAG] apt-get install $TARGET_DEB: $((SECONDS - t0)) s"
  grep -E "newly installed|^Need to get" <<<"$log" | sed 's/^/    /' || true
}

# Each PDF's text (pdftotext) holds the place and the sheet named in its file name, e.g.
# 01_宝盖镇高山村20组_防灾工作明白卡.pdf, and the place is point 1's town and village from `points`.
check_pdfs() {
  local dir=$1 place=$2 pdf name text n=0
  for pdf in "$dir"/*.pdf; do
    pdffonts "$pdf" | awk 'NR > 2 && $(NF-4) != "yes" {bad = 1} END {exit bad}' || fail "font not embedded in $pdf"
    name=$(basename "$pdf" .pdf)
    text=$(pdftotext -enc UTF-8 "$pdf" - | tr -d ' \n')
    [[ "${name#*_}" == "${place}_"* ]] || fail "$name: not the sheet of $place"
    [[ "$text" == *"$place"* && "$text" == *"${name##*_}"* ]] || fail "$name: pdftotext lacks '$place' or '${name##*_}'"
    n=$((n + 1))
  done
  [ "$n" -ge 1 ] || fail "export sheets wrote no PDF"
  check "export sheets --point 1: $n PDFs, every font embedded (pdffonts), text has 「$place」 and the sheet name (pdftotext)"
}

deb_checks_run() {
  local version n place record png DATA="$USER_HOME/.local/share/hazardmap"
  local pkg_version
  pkg_version=$(dpkg-deb -f "$DEB" Version)
  : >"$USER_LOG"
  deb_install
  [ "$(in_target sh -c 'command -v hazardmap')" = /usr/bin/hazardmap ] \
    && [ "$(in_target sh -c 'command -v hazardmap-cli')" = /usr/bin/hazardmap-cli ] \
    || fail "hazardmap / hazardmap-cli not on PATH"
  in_target test -x /opt/hazardmap/hazardmap-cli || fail "/opt/hazardmap/hazardmap-cli missing"
  check "installed under /opt/hazardmap ($(du -sh "$TARGET/opt/hazardmap" | cut -f1)); /usr/bin/hazardmap and hazardmap-cli on PATH"
  desktop-file-validate "$TARGET/usr/share/applications/hazardmap.desktop" || fail "desktop-file-validate"
  grep -q "^Name=衡南县地质灾害隐患点监测$" "$TARGET/usr/share/applications/hazardmap.desktop" || fail "desktop entry name"
  [ -f "$TARGET/usr/share/icons/hicolor/256x256/apps/hazardmap.png" ] || fail "icon"
  check "desktop entry valid (desktop-file-validate), Chinese name, icon in hicolor"

  version=$(as_user hazardmap-cli --version) || fail "hazardmap-cli --version"
  [[ "$version" == *"$pkg_version"* ]] || fail "--version printed '$version', package is $pkg_version"
  check "hazardmap-cli --version: $version"
  n=$(as_user hazardmap-cli points | grep -c . || true)
  [ "$n" -ge 16 ] || fail "hazardmap-cli points printed $n lines"
  check "hazardmap-cli points: $n lines"
  as_user hazardmap selftest | sed 's/^/    /' || fail "hazardmap selftest"
  check "hazardmap selftest (offscreen)"
  png="$OUT/window.png"
  as_user env "${WINDOW_ENV[@]}" hazardmap screenshot --out "$png" >/dev/null \
    || fail "hazardmap screenshot"
  [ "$(stat -c %s "$TARGET$png")" -gt 50000 ] || fail "window screenshot is nearly empty"
  check "the window starts and draws its map (${WINDOW_ENV[*]}): $TARGET$png"
  as_user hazardmap-cli export sheets --out "$OUT/sheets" --point 1 >/dev/null || fail "export sheets"
  # row 1 of the list: 序号 乡镇 村组 ... -> the place 宝盖镇高山村20组
  place=$(as_user hazardmap-cli points | awk '$1 == "1" && !p {print $2 $3; p = 1}')
  check_pdfs "$TARGET$OUT/sheets" "$place"
  record=$(as_user hazardmap-cli patrol add --point 1 --at "2026-05-03 08:30" --judgement 正常 --note "deb 安装测试") \
    || fail "patrol add"
  check "patrol add: $record"
  [ -d "$TARGET$DATA" ] || fail "no data folder $DATA"

  deb_remove
  in_target test ! -e /opt/hazardmap -a ! -e /usr/bin/hazardmap-cli || fail "apt remove left the program behind"
  [ -d "$TARGET$DATA" ] && [ -n "$(ls -A "$TARGET$DATA")" ] || fail "apt remove took the data folder"
  check "apt remove: /opt/hazardmap and /usr/bin/hazardmap-cli gone; $DATA kept ($(ls "$TARGET$DATA" | tr '\n' ' '))"

  deb_install
  grep -q "deb 安装测试" <<<"$(as_user hazardmap-cli patrol list)" || fail "reinstalled app does not find the patrol record"
  check "reinstall: the patrol record written before removal is listed"
  deb_remove
  if deb_installed; then fail "still installed"; fi
  check "removed again; nothing of hazardmap left installed"
  # What the program itself says when a system file it needs is missing (a Depends left out).
  if grep -E "Fontconfig error|Could not load the Qt platform plugin|error while loading shared libraries" "$USER_LOG" \
    | sort | uniq -c | sed 's/^/    /' >&2; then
    fail "the program reported missing system files (above)"
  fi
  check "no missing-library or missing-configuration message in the program's stderr"
}
