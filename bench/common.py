"""What the bench scripts share: the repository on sys.path, their options, the machine line that heads
their figures, a stopwatch, and the memory of a process with its helpers. A script runs as
`python bench/NAME.py`, so this folder is on its path (a child process gets it through PYTHONPATH)."""
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


# A child process's opening of the main window, 1400x900, on the data folder in HAZARDMAP_HOME (the
# window benches spawn one per start, timed from before the spawn); `app`, `store` and `w` follow.
OPEN_WINDOW = r"""
import os as _os, time as _time
_T0 = float(_os.environ.get("BENCH_SPAWNED_AT", "nan"))   # where the start goes: seconds from the spawn
marks = {}
from hazardmap.qt.env import prepare_qt_environment
prepare_qt_environment()
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from hazardmap.qt.main_window import MainWindow
from hazardmap.qt.entry import close_window, wait_for_map
from hazardmap.services.store import open_store
marks["imports"] = _time.time() - _T0
store = open_store()
# The start-up backup in its thread, as qt/entry.py takes it (writes wait for it); joined at exit.
import atexit as _atexit
from hazardmap.qt.startup import start_backup as _start_backup
_backup = _start_backup(store)
_atexit.register(lambda: _backup is not None and _backup.finish())
marks["store"] = _time.time() - _T0
w = MainWindow(store)
marks["window"] = _time.time() - _T0
w.resize(1400, 900)
w.show()
"""


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


def rss_mb(pid: int) -> float:
    """Resident memory of one process (Linux /proc), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid: int) -> list[int]:
    """Every process started by pid, directly or not (QtWebEngine's helpers)."""
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                out.append(int(p))
                out.extend(descendants(int(p)))
    return out


def memory_with_helpers(pid: int) -> tuple[float, float, int]:
    """(own MB, MB with every descendant, number of processes)."""
    kids = descendants(pid)
    own = rss_mb(pid)
    return own, own + sum(rss_mb(k) for k in kids), 1 + len(kids)
