#!/usr/bin/env bash
# Debian packages for building and exercising the Windows installer on Linux (Debian 12):
# Wine 8.0 runs the Windows CPython and PyInstaller, makensis builds the installer natively,
# mingw-w64 builds the test-only icuuc.dll stand-in, poppler reads the exported PDFs back.
# Safe to run again: installs only what is missing.
set -euo pipefail

APT_PACKAGES=(
  wine wine64                     # Windows CPython, PyInstaller, the installer and the app under Wine
  nsis                            # makensis (native Linux build of NSIS 3)
  gcc-mingw-w64-x86-64-win32      # builds scripts/windows/icuuc-stub.c (test prefix only)
  binutils-mingw-w64-x86-64       # x86_64-w64-mingw32-objdump: checks the stand-in's exports
  unzip python3 python3-venv python3-pip
  xvfb xauth                      # a virtual screen: Wine creates windows even for silent installs
  poppler-utils                   # pdffonts / pdftotext for the exported sheets
)

. "$(dirname "$0")/../apt-install.sh"
apt_install setup-wine "${APT_PACKAGES[@]}"
echo "[setup-wine] $(wine --version 2>/dev/null); $(makensis -VERSION)"
