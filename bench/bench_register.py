"""Register speed with 2,000 points, measured (not a test). Run from the repository root:

    PYTHONPATH=$PWD python bench/bench_register.py [--points 2000] [--runs 3]

The points are synthetic (generated here with a fixed seed, in a temporary data folder, never
stored or shipped): real township and village names from data/, made-up groups, monitors and
numbers, positions at random inside the county's bounding box, one in ten retired.

1. Process start -> main window shown with the map ready, in a fresh process each run, timed from
   just before the process is spawned. Target: <= 3 s.
2. The points table's search filter on the 2,000 points (each keystroke of a search, and the
   register's reload after a Changes record: points_in_view + set_points). Target: <= 50 ms.
3. One add_point through the service (its write transaction with fsync, and its audit row).
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import machine, options  # (also puts the repository on the path)

from bench_map import CHILD_WINDOW, run_child  # noqa: E402  (the same start-up measurement)

CHILD_FILTER = r"""
import statistics, sys, time
from hazardmap.qt.env import prepare_qt_environment
prepare_qt_environment()
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from hazardmap.qt.points_table import PointsTable
from hazardmap.services import patrol_status, register
from hazardmap.services.store import open_store
store = open_store()
table = PointsTable()
table.resize(1200, 400)
table.show()
t0 = time.perf_counter()
pts = register.points_in_view(store)
latest = patrol_status.latest_judgements(store)
table.set_points(pts, latest)
app.processEvents()
first_ms = (time.perf_counter() - t0) * 1000
reload_ms = []
for _ in range(5):
    t0 = time.perf_counter()
    table.set_points(register.points_in_view(store), patrol_status.latest_judgements(store))
    app.processEvents()
    reload_ms.append((time.perf_counter() - t0) * 1000)
keystrokes, named = [], []
for word in ("茅市镇", "合成组17", "1380000", "张"):
    for i in range(1, len(word) + 1):
        t0 = time.perf_counter()
        table.search.setText(word[:i])
        app.processEvents()
        keystrokes.append((time.perf_counter() - t0) * 1000)
        named.append(f"{word[:i]}:{keystrokes[-1]:.0f}ms/{table.proxy.rowCount()}")
    t0 = time.perf_counter()
    table.search.clear()
    app.processEvents()
    keystrokes.append((time.perf_counter() - t0) * 1000)
    named.append(f"清空:{keystrokes[-1]:.0f}ms/{table.proxy.rowCount()}")
print(f"RESULT rows={table.model.rowCount()} first_fill_ms={first_ms:.1f} "
      f"reload_median_ms={statistics.median(reload_ms):.1f} reload_max_ms={max(reload_ms):.1f} "
      f"keystrokes={len(keystrokes)} filter_median_ms={statistics.median(keystrokes):.1f} "
      f"filter_max_ms={max(keystrokes):.1f} each(text:ms/rows shown)=" + " ".join(named), flush=True)
table.close()
store.close()
"""


def populate(home: Path, n: int) -> tuple[int, float]:
    """A database with the 16 seeded points plus n - 16 synthetic ones (one in ten retired);
    returns (points, seconds for one add_point through the service)."""
    from hazardmap.domain.points import HazardKind, HazardPoint, PointStatus, Precision
    from hazardmap.services import register
    from hazardmap.services.store import open_store

    os.environ["HAZARDMAP_HOME"] = str(home)
    store = open_store(home)
    rng = random.Random(20261123)
    villages = [v for v in store.bundled.villages]
    minx, miny, maxx, maxy = store.bundled.county_outline.bounds
    kinds = list(HazardKind) + [None]
    try:
        with store.db.write() as tx:
            start = store.db.points.next_seq(tx)
            for seq in range(start, n + 1):
                v = rng.choice(villages)
                retired = rng.random() < 0.1
                store.db.points.insert(tx, HazardPoint(
                    seq=seq, township=v.township, village_group=f"{v.name}合成组{seq}", village_code=v.code,
                    threatened=f"合成{rng.randint(1, 40)}户", hazard_type="", monitor=f"合成监测人{seq % 97}",
                    phone=f"138{rng.randint(0, 99_999_999):08d}", lon=rng.uniform(minx, maxx),
                    lat=rng.uniform(miny, maxy), precision=Precision.VILLAGE, source="synthetic (bench)",
                    kind=rng.choice(kinds), households=rng.randint(1, 40), people=rng.randint(1, 1500),
                    status=PointStatus.RETIRED if retired else PointStatus.ACTIVE,
                    retired_on="2024-05-03" if retired else "", retire_reason="合成" if retired else ""))
        t0 = time.perf_counter()
        register.add_point(store, {"township": "茅市镇", "place": "合成组（计时）", "people": "10"}, by="bench")
        add_s = time.perf_counter() - t0
        return len(register.points_in_view(store)), add_s
    finally:
        store.close()


def main() -> int:
    args = options(points=2000, runs=3)
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        active, add_s = populate(home, args.points)
        print(f"register: {args.points + 1} points ({active} 在册); one add_point (write + audit + fsync): "
              f"{add_s * 1000:.0f} ms")
        # Twice: the window's default view (the newest key list, here the 2023 list) and 全部在册, which
        # puts the whole register on the map (the view is remembered in the data folder's ui.ini).
        for view in ("newest", "在册"):
            (home / "ui.ini").write_text(f"[view]\npoints={view}\n", encoding="utf-8")
            times = []
            for i in range(args.runs):
                elapsed, line = run_child(CHILD_WINDOW, home)
                times.append(elapsed)
                print(f"[{view}] start -> map ready, run {i + 1}: {elapsed:.2f} s  [{line}]")
            print(f"[{view}] start -> map ready: median {statistics.median(times):.2f} s, max {max(times):.2f} s"
                  " (target <= 3 s)")
        elapsed, line = run_child(CHILD_FILTER, home)
        print(f"table filter: [{line}] (target <= 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
