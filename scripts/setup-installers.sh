#!/usr/bin/env bash
# Debian tools the installer builds need on top of scripts/setup.sh: dpkg-deb (dpkg-dev) to pack the .deb,
# lintian to check it, desktop-file-validate (desktop-file-utils) for its menu entry, patchelf to drop
# build-machine RUNPATHs from the bundled Python.
# Safe to run again: installs only what is missing; waits for another apt to finish rather than failing.
set -euo pipefail

APT_PACKAGES=(dpkg-dev lintian desktop-file-utils patchelf)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "[setup-installers] installing Debian packages: ${missing[*]}"
  $SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
