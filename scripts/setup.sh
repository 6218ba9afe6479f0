#!/usr/bin/env bash
# Sets up everything hazardmap needs on Debian/Ubuntu: system packages (CJK fonts, poppler, the X/GL
# libraries Qt and QtWebEngine load) and a virtualenv in .venv with hazardmap installed editable.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3 python3-venv python3-pip
  fonts-wqy-microhei fonts-noto-cjk            # Chinese in the window and in PDFs
  poppler-utils poppler-data                   # pdftoppm / pdffonts / pdftotext (tests, previews)
  xvfb xauth                                   # a virtual screen for window tests when wanted
  gdal-bin                                     # ogr2ogr/ogrinfo: tests write and read back GIS files with them
  libnss3 libasound2 libgbm1 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libxcomposite1 libxdamage1
  libxrandr2 libxkbfile1 libxcb-cursor0 libxtst6 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-xfixes0 libxcb-xkb1
  libdbus-1-3 libfontconfig1 libglib2.0-0 libxshmfence1 libxi6 libxrender1 libxext6 libx11-xcb1
  postgresql-15 postgresql-15-postgis-3       # tests start a private server (initdb in a temp folder, tests/pg_server.py)
)

. scripts/apt-install.sh
apt_install setup "${APT_PACKAGES[@]}"

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "[setup] hazardmap needs Python 3.11 or newer (Debian 12, Ubuntu 24.04); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv"
  "$PYTHON" -m venv .venv
fi
# PySide6 6.12 moved QtWebEngine and QtPdf into wheels of their own; pyproject keeps PySide6 below 6.12, and
# leftovers of those wheels in an older .venv would shadow the 6.11 files, so they go first (once).
if .venv/bin/python -m pip show -q pyside6-webengine >/dev/null 2>&1; then
  echo "[setup] replacing PySide6 6.12 (see pyproject.toml)"
  .venv/bin/python -m pip uninstall -y -q pyside6-webengine pyside6-pdf pyside6 pyside6-essentials pyside6-addons shiboken6
fi
# pip runs again only when pyproject.toml changed or .venv's hazardmap is not this checkout (a stamp in .venv).
STAMP=.venv/.hazardmap-setup
WANT="$(sha256sum pyproject.toml | cut -d' ' -f1) $PWD"
if [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ] \
   && .venv/bin/python -c 'import hazardmap, sys; sys.exit(not hazardmap.__file__.startswith(sys.argv[1]))' "$PWD/" 2>/dev/null; then
  echo "[setup] Python packages up to date (pyproject.toml unchanged)"
else
  echo "[setup] installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  # The build backend's deprecation notices are noise to a user: shown only if pip fails.
  if ! .venv/bin/python -m pip install -q -e ".[test,build]" 2> .venv/pip-install.log; then
    cat .venv/pip-install.log >&2
    exit 1
  fi
  echo "$WANT" > "$STAMP"
fi
echo "[setup] done"
