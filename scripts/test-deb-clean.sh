#!/usr/bin/env bash
# Install dist/hazardmap_*.deb on a CLEAN Debian 12 and use it as an office user would: the proof that its
# Depends are enough (scripts/test-deb.sh runs on this build machine, which has Python, Qt libraries and
# fonts already). Needs root (mounts, chroot).
#   bash scripts/test-deb-clean.sh [--fresh] [PATH.deb]     (--fresh: build the Debian root again)
# 1. A minimal bookworm root (mmdebstrap --variant=minbase: the Priority: required packages and apt, the
#    base of Debian's own container images), cached as build/deb-clean/bookworm-minbase.tar.
# 2. Unpacked into a temp folder; /proc, /sys, /dev bound in. The whole script runs in a private mount
#    namespace (unshare), so no mount can outlive it, and the trap unmounts and deletes the root anyway.
# 3. apt-get install --no-install-recommends of the .deb inside: only its Depends come from Debian's mirror
#    (downloaded packages are kept in build/deb-clean/apt-archives for the next run).
# 4. The checks of scripts/deb-checks.sh as the user "office" (uid 1000): --version, points, selftest
#    (offscreen), the window on a real X display (the Xvfb of this machine, its socket bound in: the root
#    gets no X server or xvfb-run, which the package does not bring), export sheets (PDFs read here with
#    pdffonts/pdftotext), a patrol record, apt remove (program gone, ~/.local/share/hazardmap kept),
#    reinstall (the record is found), and no missing-library/configuration message from the program.
# The window screenshot and the program's stderr stay in build/deb-clean/ for a look afterwards.
# Times on the 2-core build machine (shared): Debian root built 46-100 s (first run or --fresh), unpacked
# 1-6 s, apt update 2-3 s, install 16 s from the cache (31-63 s downloading 109 MB), checks 34-65 s:
# about 40 s a run with the cache, 2 min without.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=build/deb-clean
TARBALL=$CACHE/bookworm-minbase.tar

fresh=0 DEB=""
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=1 ;;
    *.deb) DEB=$arg ;;
    *) echo "usage: bash scripts/test-deb-clean.sh [--fresh] [PATH.deb]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "[deb-clean] needs root (mount, chroot)" >&2; exit 1; }
if [ -z "${HAZARDMAP_CLEAN_NS:-}" ]; then
  bash scripts/setup-installers.sh
  # Again in a mount namespace of its own: the mounts below are private to it and vanish with it.
  exec env HAZARDMAP_CLEAN_NS=1 unshare --mount --propagation private bash "$0" "$@"
fi
[ -n "$DEB" ] || DEB=$(ls dist/hazardmap_*_*.deb 2>/dev/null | head -1 || true)
[ -f "$DEB" ] || { echo "[deb-clean] no dist/hazardmap_*.deb: run bash scripts/build-deb.sh first" >&2; exit 1; }

step_start=$SECONDS
timed() { echo "[deb-clean] $1: $((SECONDS - step_start)) s"; step_start=$SECONDS; }

mkdir -p "$CACHE/apt-archives/partial"
if [ "$fresh" = 1 ] || [ ! -s "$TARBALL" ]; then
  rm -f "$TARBALL"
  # the name must end in .tar: mmdebstrap picks the output format by it (else it makes a folder)
  mmdebstrap --variant=minbase --quiet bookworm "$CACHE/partial.tar"
  mv "$CACHE/partial.tar" "$TARBALL"
  timed "built a minimal Debian 12 root ($(du -h "$TARBALL" | cut -f1)) with mmdebstrap"
else
  echo "[deb-clean] Debian 12 root from the cache: $TARBALL, made $(date -r "$TARBALL" '+%F %R') (--fresh to rebuild)"
fi

ROOT=$(mktemp -d /tmp/hazardmap-clean-root.XXXXXX)
MOUNTS=()
XVFB_PID=""
USER_LOG=$CACHE/last-stderr.log
cleanup() {
  local rc=$? m
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    m=${MOUNTS[i]}
    umount -R "$m" 2>/dev/null || umount -R -l "$m" || true
  done
  # never delete through a mount that is still there (/dev of this machine!)
  if grep -qF " $ROOT/" /proc/self/mountinfo; then
    echo "[deb-clean] mounts left under $ROOT: not deleting it" >&2
  else
    [ -f "$ROOT/home/office/out/window.png" ] && cp "$ROOT/home/office/out/window.png" "$CACHE/window.png"
    rm -rf --one-file-system "$ROOT"
    echo "[deb-clean] unmounted and deleted the Debian root $ROOT"
  fi
  exit "$rc"
}
trap cleanup EXIT
bind() {  # bind FROM TO-inside-the-root
  mkdir -p "$ROOT$2"
  mount --rbind "$1" "$ROOT$2"
  mount --make-rslave "$ROOT$2"
  MOUNTS+=("$ROOT$2")
}
tar -C "$ROOT" -xf "$TARBALL"
mount -t proc proc "$ROOT/proc"
MOUNTS+=("$ROOT/proc")
bind /sys /sys
bind /dev /dev
bind "$PWD/$CACHE/apt-archives" /var/cache/apt/archives
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
timed "unpacked into $ROOT, /proc /sys /dev bound in"

IN_TARGET=(chroot "$ROOT")
"${IN_TARGET[@]}" apt-get -qq update
timed "apt-get update ($(. "$ROOT/etc/os-release" && echo "$PRETTY_NAME"), $("${IN_TARGET[@]}" dpkg-query -W | wc -l) packages installed)"
"${IN_TARGET[@]}" useradd --create-home --uid 1000 office
"${IN_TARGET[@]}" install -d -o office -g office /home/office/out
cp "$DEB" "$ROOT/root/"

# The window on an X display: this machine's Xvfb, only its socket is shared with the root.
WINDOW_ENV=(QT_QPA_PLATFORM=offscreen)
if command -v Xvfb >/dev/null; then
  displayfile=$(mktemp)
  Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp 3>"$displayfile" 2>/dev/null &
  XVFB_PID=$!
  for _ in $(seq 50); do [ -s "$displayfile" ] && break; sleep 0.1; done
  display=$(cat "$displayfile")
  rm -f "$displayfile"
  [ -n "$display" ] || { echo "[deb-clean] Xvfb did not start" >&2; exit 1; }
  bind /tmp/.X11-unix /tmp/.X11-unix
  WINDOW_ENV=(QT_QPA_PLATFORM=xcb DISPLAY=":$display")
fi

DEB_TAG=deb-clean TARGET=$ROOT TARGET_DEB="/root/$(basename "$DEB")"
AS_USER=(chroot --userspec=office:office "$ROOT") USER_HOME=/home/office OUT=/home/office/out
. scripts/deb-checks.sh
echo "[deb-clean] Depends: $(dpkg-deb -f "$DEB" Depends)"
deb_checks_run
timed "checks"
echo "[deb-clean] all checks passed on a clean Debian 12 (window: $CACHE/window.png, stderr: $USER_LOG)"
