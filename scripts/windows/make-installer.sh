#!/usr/bin/env bash
# Packs the PyInstaller one-folder app into the Windows installer with the native Linux makensis.
# Usage: make-installer.sh VERSION BUILD OUTFILE [SRCDIR]   (SRCDIR defaults to dist-win/hazardmap)
# BUILD is the fourth number of the installer's version: a newer build of one version upgrades in place.
# UNCOMPRESSED=1 skips LZMA (minutes for the app): for test installers only.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=$1 BUILD=$2 OUTFILE=$3 SRCDIR=${4:-dist-win/hazardmap}
test -f "$SRCDIR/hazardmap.exe" || { echo "[make-installer] no app in $SRCDIR (run build-wine.sh)" >&2; exit 1; }
# Windows version resources take four numbers: the first three of VERSION, then BUILD.
NUMVER=$(python3 -c 'import re,sys; n=(re.findall(r"\d+", sys.argv[1])+["0"]*3)[:3]; print(".".join(n+[sys.argv[2]]))' "$VERSION" "$BUILD")
mkdir -p "$(dirname "$OUTFILE")"
EXTRA=()
[ "${UNCOMPRESSED:-0}" = 1 ] && EXTRA+=(-DUNCOMPRESSED)
makensis -V2 -INPUTCHARSET UTF8 "${EXTRA[@]}" \
  "-DVERSION=$VERSION" "-DBUILD=$BUILD" "-DNUMVER=$NUMVER" \
  "-DSRCDIR=$(realpath "$SRCDIR")" "-DOUTFILE=$(realpath -m "$OUTFILE")" "-DICON=$PWD/resources/hazardmap.ico" \
  scripts/windows/hazardmap.nsi
