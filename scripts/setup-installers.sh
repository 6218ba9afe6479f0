#!/usr/bin/env bash
# Debian tools the installer builds need on top of scripts/setup.sh: dpkg-deb (dpkg-dev) to pack the .deb,
# lintian to check it, desktop-file-validate (desktop-file-utils) for its menu entry, patchelf to drop
# build-machine RUNPATHs from the bundled Python, pdffonts/pdftotext (poppler-utils) to read the exported PDFs,
# mmdebstrap to make the clean Debian 12 root of scripts/test-deb-clean.sh.
# Safe to run again: installs only what is missing; waits for another apt to finish rather than failing.
set -euo pipefail

APT_PACKAGES=(dpkg-dev lintian desktop-file-utils patchelf poppler-utils mmdebstrap)

. "$(dirname "$0")/apt-install.sh"
apt_install setup-installers "${APT_PACKAGES[@]}"
