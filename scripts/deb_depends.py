"""The Depends line of the .deb: the Debian packages the frozen folder needs from the system.

Usage: python3 scripts/deb_depends.py DIR   (DIR = the frozen one-folder app, e.g. dist/hazardmap)

Reads every ELF file's direct links (readelf -d, NEEDED). A library found in DIR is bundled; any other is
looked up on this machine (ldconfig -p) and named by the package that owns it (dpkg -S), the way
dpkg-shlibdeps does for ordinary packages. libc6 gets the highest GLIBC_x.y symbol version any file asks for,
so an older system (UOS, Kylin) is told plainly by apt instead of failing at start. A library this machine
does not have is named from KNOWN or else listed on stderr with the files that need it, and does not stop
the build.
Prints one line: "pkg, pkg, libc6 (>= 2.xx)".
"""
from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path


# Libraries a build machine may lack but a desktop needs: Qt's wayland platform plugin (Debian 12's GNOME
# session is Wayland) links these; the packages are named here so apt brings them.
KNOWN = {"libwayland-cursor.so.0": "libwayland-cursor0", "libwayland-egl.so.1": "libwayland-egl1"}
# Bundled libraries that read files of a system package at run time (no NEEDED line shows these). The
# bundled libfontconfig reads /etc/fonts/fonts.conf: without fontconfig-config a clean Debian 12 prints
# "Fontconfig error: Cannot load default config file" and ignores the CJK fonts' own settings
# (scripts/test-deb-clean.sh found it).
DATA_OF_BUNDLED = {"libfontconfig.so.1": "fontconfig-config"}


def elf_files(root: Path) -> list[Path]:
    files = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    files.append(path)
    return files


def needed(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def glibc_versions(path: Path) -> set[tuple[int, ...]]:
    out = subprocess.run(["readelf", "-V", str(path)], capture_output=True, text=True).stdout
    return {tuple(int(n) for n in v.split(".")) for v in re.findall(r"Name: GLIBC_(\d+(?:\.\d+)+)", out)}


def system_libraries() -> dict[str, str]:
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    found: dict[str, str] = {}
    for name, flags, path in re.findall(r"^\s*(\S+) \(([^)]*)\) => (\S+)$", out, re.M):
        if "x86-64" in flags or "64bit" in flags:
            found.setdefault(name, path)
    return found


def owner(path: str) -> str | None:
    real = str(Path(path).resolve())
    # Debian 12 is usr-merged but dpkg records most libraries under /lib: try every spelling.
    candidates = {path, real}
    for p in list(candidates):
        if p.startswith("/usr/lib/"):
            candidates.add(p[len("/usr"):])
        elif p.startswith("/lib/"):
            candidates.add("/usr" + p)
    for candidate in sorted(candidates):
        res = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if res.returncode == 0:
            return res.stdout.split(":")[0].split(",")[0].strip()
    return None


def main(root: Path) -> int:
    files = elf_files(root)
    bundled = {p.name for p in root.rglob("*")}
    wanted: dict[str, list[Path]] = defaultdict(list)
    glibc: set[tuple[int, ...]] = set()
    for path in files:
        glibc |= glibc_versions(path)
        for lib in needed(path):
            if lib not in bundled:
                wanted[lib].append(path)
    system = system_libraries()
    packages: set[str] = set()
    missing: dict[str, list[Path]] = {}
    for lib, users in sorted(wanted.items()):
        pkg = owner(system[lib]) if lib in system else KNOWN.get(lib)
        if pkg:
            packages.add(pkg)
        else:
            missing[lib] = users
    for lib, users in missing.items():
        names = ", ".join(str(u.relative_to(root)) for u in users[:3]) + (" ..." if len(users) > 3 else "")
        print(f"[deb] not on this machine, left out of Depends: {lib} (needed by {names})", file=sys.stderr)
    packages |= {pkg for lib, pkg in DATA_OF_BUNDLED.items() if lib in bundled}
    packages.discard("libc6")
    top = ".".join(str(n) for n in max(glibc)) if glibc else None
    print(", ".join(sorted(packages) + ([f"libc6 (>= {top})"] if top else ["libc6"])))
    print(f"[deb] {len(files)} ELF files; {len(packages) + 1} system packages; "
          f"{len(missing)} libraries not on this machine", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
