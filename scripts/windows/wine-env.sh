# Sourced by the Wine scripts: `source scripts/windows/wine-env.sh PREFIX_DIR`.
# A 64-bit Wine prefix of our own, quiet, and without Wine's desktop integration (no menu entries
# written into the Linux desktop for the installer's shortcuts, no Mono/Gecko download prompts).
export WINEPREFIX=$(realpath -m "$1")
export WINEARCH=win64
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES="winemenubuilder.exe=d;mscoree=d;mshtml=d"
unset DISPLAY WAYLAND_DISPLAY  # no X needed: console programs and a silent installer only

wine_init() {  # create the prefix once (about 20 s)
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    mkdir -p "$WINEPREFIX"
    wine wineboot --init >/dev/null 2>&1 || true
    wineserver -w
  fi
  test -f "$WINEPREFIX/system.reg"
}

# Windows console programs under Wine need a terminal: CPython dies in init_sys_streams (WinError 6)
# without one, so they run inside `script`'s pseudo-terminal. Output has Wine's cursor escapes and
# CRs removed; the exit code is the program's.
wine_console() {
  local cmd
  # A wide terminal: Wine's console wraps lines at its width (80 columns by default).
  cmd="stty cols 250 rows 50 2>/dev/null; $(printf '%q ' wine "$@")"
  (
    set +e +o pipefail
    script -qefc "$cmd" /dev/null </dev/null \
      | sed -u -e 's/\x1b\[1C/ /g' -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\x1b\][^\x07]*\x07//g' -e 's/\r//g'
    exit "${PIPESTATUS[0]}"
  )
}
