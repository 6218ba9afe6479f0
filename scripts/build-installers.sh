#!/usr/bin/env bash
# Build every installer from a fresh clone: the frozen one-folder app (scripts/build-frozen.sh, unless
# --no-frozen and dist/hazardmap is already there), then
#   - the .deb for Debian 12 / UOS / Kylin (scripts/build-deb.sh), tested with --test (scripts/test-deb.sh,
#     needs root: it installs and removes the package), and with --clean-debian on a clean Debian 12 root
#     (scripts/test-deb-clean.sh, root; about 40 s with its cache in build/deb-clean, 2 min without);
#   - the Windows setup, built under Wine (scripts/windows/build-wine.sh) and with --test exercised there
#     (scripts/windows/test-wine.sh), only with --windows or HAZARDMAP_WINDOWS=1: it installs Wine and NSIS,
#     downloads a Windows Python and wheels and takes about 15-20 minutes more.
# Prints the time of each step.
set -euo pipefail
cd "$(dirname "$0")/.."

frozen=1 test_deb=0 clean_debian=0 windows=${HAZARDMAP_WINDOWS:-0}
for arg in "$@"; do
  case "$arg" in
    --no-frozen) frozen=0 ;;
    --test) test_deb=1 ;;
    --clean-debian) clean_debian=1 ;;
    --windows) windows=1 ;;
    *) echo "usage: bash scripts/build-installers.sh [--no-frozen] [--test] [--clean-debian] [--windows]" >&2; exit 2 ;;
  esac
done

step() {  # step NAME COMMAND...: run it and print how long it took
  local name=$1 t0=$SECONDS
  shift
  "$@"
  echo "[installers] $name: $((SECONDS - t0)) s"
}

if [ "$frozen" = 1 ] || [ ! -x dist/hazardmap/hazardmap-cli ]; then
  step "frozen build + selftest" bash scripts/build-frozen.sh
fi
step ".deb build + lintian" bash scripts/build-deb.sh
if [ "$test_deb" = 1 ]; then
  step ".deb install test" bash scripts/test-deb.sh
fi
if [ "$clean_debian" = 1 ]; then
  step ".deb on a clean Debian 12" bash scripts/test-deb-clean.sh
fi

# ---- Windows installer (Wine + NSIS) -------------------------------------------------------------
# Hook for the Windows build: scripts/windows/build-wine.sh builds the setup .exe under Wine and tests it.
# It runs only when asked (--windows or HAZARDMAP_WINDOWS=1) and when that script exists.
if [ "$windows" = 1 ]; then
  if [ -f scripts/windows/build-wine.sh ]; then
    step "Windows setup (Wine)" bash scripts/windows/build-wine.sh
    if [ "$test_deb" = 1 ]; then
      step "Windows setup test (Wine)" bash scripts/windows/test-wine.sh
    fi
  else
    echo "[installers] --windows asked for, but scripts/windows/build-wine.sh is not in this tree" >&2
    exit 1
  fi
fi
# ---------------------------------------------------------------------------------------------------
ls -l dist/*.deb dist/*.exe 2>/dev/null || true
