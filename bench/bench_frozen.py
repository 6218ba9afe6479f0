"""Frozen app start-up, measured (not a test). After `bash scripts/build-frozen.sh`:

    python bench/bench_frozen.py [--dist dist/hazardmap] [--runs 3]

Times `hazardmap-cli screenshot` (process start -> window shown -> map ready with all layers ->
PNG saved -> exit) in fresh processes: an upper bound of start -> map ready. First run per mode on an
empty data folder (creates and seeds the database), then warm runs on the same folder.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(exe: Path, home: Path, out: Path) -> float:
    env = {**os.environ, "HAZARDMAP_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    started = time.perf_counter()
    subprocess.run([str(exe), "screenshot", "--out", str(out)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dist", type=Path, default=ROOT / "dist" / "hazardmap")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    exe = args.dist / ("hazardmap-cli.exe" if os.name == "nt" else "hazardmap-cli")
    size_mb = sum(p.stat().st_size for p in args.dist.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20
    with tempfile.TemporaryDirectory() as tmp:
        home, out = Path(tmp) / "home", Path(tmp) / "shot.png"
        cold = run_once(exe, home, out)
        warm = [run_once(exe, home, out) for _ in range(args.runs)]
    print(f"frozen folder: {size_mb:.0f} MiB")
    print(f"start -> map ready -> screenshot saved, first run (new database): {cold:.2f} s")
    print(f"same, warm: median {statistics.median(warm):.2f} s, max {max(warm):.2f} s over {len(warm)} runs")


if __name__ == "__main__":
    main()
