"""Where the start goes, measured (not a test). Run from the repository root:

    PYTHONPATH=$PWD python bench/bench_startup.py [--runs 3] [--points 0] [--home DIR] [--profile 0|1]

Each run is a fresh process timed from just before it is spawned, with the moments it passes on the road to
a ready map: Qt loaded, hazardmap's window modules imported, the store open, the page's HTML written, its
load asked of the web engine, the window built, shown, the page loaded (loadFinished), the map ready (first
draw). --points 0: a fresh data folder (the county's own points); --points N: a synthetic register of N
points (bench/province_data.py) built once in --home (kept there and reused when given) or in a temporary
folder. --backup 1: with the start-up backup (a verified copy, services/backup.py) as the window's start takes
it (qt/entry.py: in a thread while the window starts), which bench_province.py leaves out. --overview 0: the 巡查情况 table left empty, as bench_province.py does. --profile 1: also the 25 slowest functions (cProfile, cumulative) of building the window.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, machine, options

CHILD = r"""
import json, sys, time
T0 = float(sys.argv[1])
marks = {"interpreter": time.time() - T0}
def mark(name):
    marks.setdefault(name, time.time() - T0)
from hazardmap.qt.env import prepare_qt_environment
prepare_qt_environment()
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
mark("Qt loaded")
from hazardmap.qt import map_view as mv
from hazardmap.qt.main_window import MainWindow
from hazardmap.qt.entry import close_window, wait_for_map
from hazardmap.services.store import open_store
mark("window modules imported")
if sys.argv[3] == "0":
    # As bench/bench_province.py: the 巡查情况 table left empty (its province-scale reading is another piece of work).
    from hazardmap.qt.patrol import overview
    overview.PatrolOverview.refresh = lambda self: None
build, load = mv.build_map_page, mv.MapView.load_page
def build_page(*a, **k):
    mark("page build begun")
    out = build(*a, **k)
    mark("page HTML written")
    return out
def load_page(self, path):
    load(self, path)
    mark("page load asked")
    self.loadFinished.connect(lambda ok: mark("page loaded"))
mv.build_map_page, mv.MapView.load_page = build_page, load_page
start_backup = None
try:
    from hazardmap.services.backup import StartBackup
except ImportError:   # an older checkout (for a before/after): its window took the backup before the window
    StartBackup = None
store = open_store(backup_on_open=sys.argv[4] == "1" and StartBackup is None)
mark("store open")
if sys.argv[4] == "1" and StartBackup is not None:   # as the window's start (qt/entry.py): in its thread
    start_backup = StartBackup(store)
if sys.argv[2] == "1":
    import cProfile, pstats, io
    prof = cProfile.Profile(); prof.enable()
w = MainWindow(store)
if sys.argv[2] == "1":
    prof.disable(); s = io.StringIO(); pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(25)
    print("PROFILE", json.dumps(s.getvalue()), flush=True)
mark("window built")
w.resize(1400, 900)
w.show()
mark("window shown")
ok = wait_for_map(app, w, 60000)
mark("map ready")
if start_backup is not None:
    while not start_backup.done:
        app.processEvents(); time.sleep(0.01)
    mark("start-up backup made" if start_backup.made else "start-up backup failed")
    start_backup.finish()
print("MARKS", json.dumps(marks), flush=True)
close_window(app, w)
store.close()
"""

ORDER = ["interpreter", "Qt loaded", "window modules imported", "store open", "page build begun", "page HTML written",
         "page load asked", "window built", "window shown", "page loaded", "map ready", "start-up backup made",
         "start-up backup failed"]


def run_child(home: Path, profile: bool, overview: bool, backup: bool) -> tuple[dict, str]:
    env = dict(os.environ, HAZARDMAP_HOME=str(home), PYTHONPATH=os.pathsep.join((str(ROOT), str(ROOT / "bench"))))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("HAZARDMAP_DB", None)
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", CHILD, repr(t0), "1" if profile else "0", "1" if overview else "0", "1" if backup else "0"], capture_output=True,
                         text=True, env=env, cwd=ROOT, timeout=180)
    marks, prof = {}, ""
    for line in out.stdout.splitlines():
        if line.startswith("MARKS "):
            marks = json.loads(line[6:])
        elif line.startswith("PROFILE "):
            prof = json.loads(line[8:])
    if not marks:
        print(out.stderr[-2000:], file=sys.stderr)
    return marks, prof


def main() -> int:
    args = options(runs=3, points=0, home=None, profile=0, overview=1, backup=0)
    print(machine(), f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(args.home) if args.home else Path(tmp) / "home"
        if args.points and not (home / "hazardmap.sqlite3").exists():
            sys.path.insert(0, str(ROOT / "bench"))
            import province_data
            from hazardmap.services.store import open_store

            store = open_store(home)
            province_data.fill(store, args.points)
            store.close()
        if args.points:
            from PySide6.QtCore import QSettings

            from hazardmap.qt.main_window import SETTINGS_FILE

            s = QSettings(str(home / SETTINGS_FILE), QSettings.Format.IniFormat)
            s.setValue("view/points", "在册")   # the whole register, opened at the default fit
            s.remove("map/last_box")
            s.sync()
        runs = []
        for i in range(args.runs):
            marks, prof = run_child(home, bool(args.profile) and i == args.runs - 1, bool(args.overview), bool(args.backup))
            runs.append(marks)
            if prof:
                print(prof)
        print(f"{'data: a fresh data folder' if not args.points else f'data: {args.points} synthetic points'}"
              f"{', with the start-up backup' if args.backup else ''}; "
              f"seconds from spawn, median of {len(runs)} runs (each run's figures after /)")
        last = 0.0
        for name in ORDER:
            values = [r[name] for r in runs if name in r]
            if not values:
                continue
            med = statistics.median(values)
            print(f"  {name:<24} {med:5.2f} s  (+{med - last:4.2f})   / {' '.join(f'{v:.2f}' for v in values)}")
            last = med
    return 0


if __name__ == "__main__":
    sys.exit(main())
