# Sourced by the set-up scripts: apt_install TAG PACKAGE... installs the Debian packages that are missing
# (nothing when all are there, so a second run is fast). It waits for another apt to finish instead of
# failing, and when the whole set fails (a name that differs between releases, e.g. libasound2 ->
# libasound2t64) it installs one by one and says which could not be installed.
apt_install() {
  local tag=$1 pkg sudo="" missing=()
  shift
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  local apt=($sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900)
  echo "[$tag] installing Debian packages: ${missing[*]}"
  "${apt[@]}" update -qq
  if ! "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}"; then
    for pkg in "${missing[@]}"; do
      "${apt[@]}" install -y -qq --no-install-recommends "$pkg" || echo "[$tag] note: could not install $pkg"
    done
  fi
}
