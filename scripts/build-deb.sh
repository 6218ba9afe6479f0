#!/usr/bin/env bash
# Pack the frozen one-folder app (dist/hazardmap, from scripts/build-frozen.sh) into
# dist/hazardmap_<version>_amd64.deb for Debian 12 and its family (UOS, Kylin):
#   /opt/hazardmap/                      the app, as PyInstaller made it
#   /usr/bin/hazardmap, hazardmap-cli    symlinks into /opt/hazardmap (the bootloader finds _internal
#                                        through the real path)
#   /usr/share/applications/hazardmap.desktop and the icon in hicolor (48 and 256 px)
# Depends: the system packages the bundled ELF files link to (scripts/deb_depends.py) and a CJK font.
# No maintainer scripts: dpkg's triggers refresh the menu and icon caches; user data lives in
# ~/.local/share/hazardmap, which a package never touches, so removal keeps it.
# Then lintian (errors fail the build) and the size of the .deb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-installers.sh

APP=dist/hazardmap
if [ ! -x "$APP/hazardmap-cli" ]; then
  echo "[deb] $APP/hazardmap-cli is missing: run bash scripts/build-frozen.sh first" >&2
  exit 1
fi
start=$(date +%s)
VERSION=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(dpkg --print-architecture)
# Who answers for the package: set HAZARDMAP_DEB_MAINTAINER="Name <mail>" for a release build.
MAINTAINER=${HAZARDMAP_DEB_MAINTAINER:-"hazardmap maintainers <hazardmap@example.org>"}
NAME_ZH="衡南县地质灾害隐患点监测"
DEB="dist/hazardmap_${VERSION}_${ARCH}.deb"

STAGE=build/deb/root
rm -rf build/deb
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/icons/hicolor/48x48/apps" "$STAGE/usr/share/icons/hicolor/256x256/apps" \
  "$STAGE/usr/share/doc/hazardmap" "$STAGE/usr/share/lintian/overrides"
# A real copy (not hard links): the fixes below must not change dist/hazardmap.
cp -a "$APP" "$STAGE/opt/hazardmap"
# On Linux the two programs are the same bytes (console=False matters on Windows only) and the launcher
# decides by the arguments, not the name: ship one, the other a link (10 MB less).
if cmp -s "$STAGE/opt/hazardmap/hazardmap" "$STAGE/opt/hazardmap/hazardmap-cli"; then
  ln -sf hazardmap "$STAGE/opt/hazardmap/hazardmap-cli"
fi
ln -s /opt/hazardmap/hazardmap "$STAGE/usr/bin/hazardmap"
ln -s /opt/hazardmap/hazardmap-cli "$STAGE/usr/bin/hazardmap-cli"
# Python built by pyenv leaves RUNPATH=<its build folder> in libpython and lib-dynload: meaningless on
# another machine (and a folder someone could create there). The bootloader finds the bundled libraries
# itself; $ORIGIN paths (PySide6) stay.
stripped=0
while IFS= read -r -d '' f; do
  rp=$(patchelf --print-rpath "$f" 2>/dev/null || true)
  if [ -n "$rp" ] && [[ "$rp" != *'$ORIGIN'* ]]; then
    patchelf --remove-rpath "$f"
    stripped=$((stripped + 1))
  fi
done < <(find "$STAGE/opt/hazardmap" -type f \( -name '*.so' -o -name '*.so.*' \) -print0)
echo "[deb] removed build-machine RUNPATHs from $stripped libraries"
install -m 644 resources/hazardmap-48.png "$STAGE/usr/share/icons/hicolor/48x48/apps/hazardmap.png"
install -m 644 resources/hazardmap.png "$STAGE/usr/share/icons/hicolor/256x256/apps/hazardmap.png"

cat > "$STAGE/usr/share/applications/hazardmap.desktop" <<EOF
[Desktop Entry]
Type=Application
Name=$NAME_ZH
Name[zh_CN]=$NAME_ZH
GenericName=地质灾害隐患点监测
Comment=离线地图、巡查记录、两卡打印
Exec=hazardmap
Icon=hazardmap
Terminal=false
Categories=Office;
Keywords=地质灾害;隐患点;巡查;明白卡;hazardmap;
StartupWMClass=hazardmap
EOF

cat > "$STAGE/usr/share/doc/hazardmap/copyright" <<EOF
hazardmap $VERSION — $NAME_ZH

The program: proprietary, for the Hengnan County natural resources bureau.
Bundled third-party software under /opt/hazardmap/_internal keeps its own licences (Qt and PySide6:
LGPL-3, see /usr/share/common-licenses/LGPL-3;
Chromium in QtWebEngine: BSD-style and others; CPython: PSF; Leaflet: BSD-2-Clause; reportlab: BSD;
WenQuanYi Micro Hei font: Apache-2.0 or GPL-3.0 with font exception, see
/opt/hazardmap/_internal/resources/fonts/wqy-microhei.LICENSE.txt).

Bundled map data and their sources and licences:

EOF
cat data/LICENSES.md >> "$STAGE/usr/share/doc/hazardmap/copyright"

{
  echo "hazardmap ($VERSION) stable; urgency=medium"
  echo
  echo "  * hazardmap $VERSION, the frozen one-folder build packed by scripts/build-deb.sh."
  echo
  echo " -- $MAINTAINER  $(date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")"
} | gzip -9n > "$STAGE/usr/share/doc/hazardmap/changelog.gz"

# Why these lintian tags do not apply here, one line each (lintian prints them as overridden).
cat > "$STAGE/usr/share/lintian/overrides/hazardmap" <<'EOF'
# The app is one self-contained PyInstaller folder; the installer promise is /opt/hazardmap.
hazardmap: dir-or-file-in-opt [opt/hazardmap/*]
# PyInstaller bundles its Python, Qt and their libraries privately beside the executable.
hazardmap: embedded-library *
hazardmap: unstripped-binary-or-object *
hazardmap: shared-library-lacks-prerequisites *
hazardmap: package-contains-documentation-outside-usr-share-doc *
# Python extension modules and libcairo-gobject resolve libc through the interpreter that loads them.
hazardmap: library-not-linked-against-libc *
# The bundled libmount/libblkid only name sensible-pager in a help string; nothing here runs it.
hazardmap: missing-depends-on-sensible-utils *
EOF

echo "[deb] working out Depends from the bundled ELF files"
SYSTEM_DEPENDS=$(python3 scripts/deb_depends.py "$APP")
# Chinese in the window: any one of the common CJK font packages (the PDFs embed their own font).
FONTS="fonts-noto-cjk | fonts-wqy-microhei | fonts-wqy-zenhei"
INSTALLED_KB=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)

cat > "$STAGE/DEBIAN/control" <<EOF
Package: hazardmap
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $INSTALLED_KB
Depends: $SYSTEM_DEPENDS, $FONTS
Section: misc
Priority: optional
Description: 衡南县地质灾害隐患点监测 (Hengnan geological hazard monitoring)
 A desktop GIS for the geological-hazard staff of Hengnan County: an offline
 map of the hazard points, patrol records, and the two printed cards
 (明白卡, 避险卡) as PDF. Commands: hazardmap (window), hazardmap-cli.
 User data stays in ~/.local/share/hazardmap and is kept on removal.
EOF

# Folders 755, files 644 (shared libraries too, as Debian wants), programs 755 (umask and wheels vary).
find "$STAGE" -type d -exec chmod 755 {} +
find "$STAGE" -type f -exec chmod 644 {} +
chmod 755 "$STAGE/opt/hazardmap/hazardmap"
[ -L "$STAGE/opt/hazardmap/hazardmap-cli" ] || chmod 755 "$STAGE/opt/hazardmap/hazardmap-cli"
find "$STAGE/opt/hazardmap" -type f -name QtWebEngineProcess -exec chmod 755 {} +

rm -f dist/hazardmap_*.deb
dpkg-deb --build --root-owner-group -Zxz "$STAGE" "$DEB" >/dev/null
end=$(date +%s)
echo "[deb] $DEB: $(du -h "$DEB" | cut -f1) packed, ${INSTALLED_KB} KB installed; build time $((end - start)) s"

echo "[deb] lintian (count, severity, tag)"
t0=$SECONDS
lintian_out=$(lintian --tag-display-limit 0 "$DEB" 2>&1 || true)
# errors in full, the rest as counts per tag (here-strings: a pipe into grep -q would trip pipefail)
awk '/^[EWI]: /{print $1, $3}' <<<"$lintian_out" | sort | uniq -c | sort -k2,2 -k1,1rn | sed 's/^/  /'
errors=$(grep -c '^E: ' <<<"$lintian_out" || true)
echo "[deb] lintian: $errors errors ($((SECONDS - t0)) s)"
if [ "$errors" != 0 ]; then
  grep '^E: ' <<<"$lintian_out" >&2
  exit 1
fi
