"""What the bench scripts share: the repository on sys.path, their options, the machine line that heads
their figures, and a stopwatch. A script runs as `python bench/NAME.py`, so this folder is on its path."""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def options(**defaults) -> argparse.Namespace:
    """--name VALUE for each keyword (underscores become dashes), typed by its default; None means text."""
    parser = argparse.ArgumentParser()
    for name, default in defaults.items():
        parser.add_argument("--" + name.replace("_", "-"), dest=name, default=default,
                            type=str if default is None else type(default))
    return parser.parse_args()


def machine() -> str:
    return (f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
            f"QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM', 'offscreen')}")


def timed(fn, repeat: int) -> list[float]:
    """Seconds taken by each of `repeat` calls."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return runs


def median_max_ms(runs: list[float]) -> tuple[float, float]:
    return statistics.median(runs) * 1000, max(runs) * 1000
