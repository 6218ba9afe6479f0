"""A province on the map, measured (not a test). Run from the repository root:

    PYTHONPATH=$PWD python bench/bench_province.py [--points 290000] [--runs 2] [--pg 0|1]

Builds a synthetic register (bench/province_data.py: N points with monitors and 20,000 patrol entries;
not real data, made in a temporary folder and deleted afterwards), then for the main window opened at
county (the default fit), city and province zoom, each in a fresh process timed from just before it is
spawned: start -> map ready; then in that window pans and zoom steps until the page has drawn the new
view, the township and the type filter until drawn, and the memory (RSS) of the process plus its
QtWebEngine helper processes. --pg 1: the same on a private PostgreSQL + PostGIS server (tests/pg_server.py),
stopped afterwards. Targets: ready <= 3 s, pan/zoom <= 300 ms, filter <= 100 ms, memory <= 1 GB.
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

from common import OPEN_WINDOW, ROOT, machine, options

CHILD = "import json, os, sys, time\n" + OPEN_WINDOW + r"""
ok = wait_for_map(app, w, 60000)
print("READY" if ok else "TIMEOUT", json.dumps(w.map_view.stats), flush=True)
marks["ready"] = time.time() - _T0
print("MARKS " + json.dumps(marks), flush=True)
grid_at_ready = w.map_view.grid is not None
view = w.map_view

def pump(ms):
    loop = QEventLoop(); QTimer.singleShot(ms, loop.quit); loop.exec()

def js(script):
    box = []
    view.page().runJavaScript(script, 0, box.append)
    for _ in range(2000):
        if box:
            return box[0]
        pump(2)
    return None

def drawn():
    return js("hazardmap.viewsDrawn || 0")

def timed(action):
    # From the action to the page having drawn the answer (polled every 2 ms: an upper bound).
    before = drawn()
    t0 = time.perf_counter()
    action()
    for _ in range(5000):
        if (js("hazardmap.viewsDrawn || 0") or 0) > before:
            return (time.perf_counter() - t0) * 1000
        pump(1)
    return float("nan")

t0 = time.perf_counter()
got_grid = view.wait_for_grid(60000)
grid_s = time.perf_counter() - t0
pump(300)
pans, zooms, townships, types = [], [], [], []
for dx, dy in ((300, 0), (0, 250), (-300, 0), (0, -250), (200, 150), (-200, -150)):
    pans.append(timed(lambda: js(f"hazardmap.map.panBy([{dx}, {dy}], {{animate: false}}); 1")))
for step in (1, 1, -1, -1):
    zooms.append(timed(lambda: js(f"hazardmap.map.setZoom(hazardmap.map.getZoom() + {step}, {{animate: false}}); 1")))
names = sys.argv[1].split(",")
t0 = time.perf_counter()
w.map_filter.township.refill()   # what opening the township list does first (read once per view)
list_ms = (time.perf_counter() - t0) * 1000
for name in names:
    townships.append(timed(lambda: w.map_filter.choose(name, None)))
w.map_filter.choose(None, None); pump(200)
for kind in ("滑坡", "崩塌", "泥石流"):
    types.append(timed(lambda: w.map_filter.choose(None, kind)))
w.map_filter.choose(None, None); pump(200)
stats = json.loads(js("hazardmap.statsJson()"))

from common import memory_with_helpers
own_mb, total_mb, processes = memory_with_helpers(os.getpid())
print("RESULT " + json.dumps({"grid": got_grid, "grid_s": grid_s, "pans": pans, "zooms": zooms,
      "townships": townships, "types": types, "list_ms": list_ms, "stats": stats, "grid_at_ready": grid_at_ready,
      "own_mb": own_mb, "total_mb": total_mb, "processes": processes}), flush=True)
close_window(app, w)
store.close()
"""

LEVELS = {  # where the window opens (CGCS2000 W, S, E, N); county: the default fit of the county outline
    "county": None,
    "city": (112.0, 26.2, 113.4, 27.4),
    "province": (108.8, 24.6, 114.3, 30.1),
}


def prepare(home: Path, n: int, db_url: str | None) -> float:
    sys.path.insert(0, str(ROOT / "bench"))
    import province_data
    from hazardmap.services.store import open_store

    if db_url:
        os.environ["HAZARDMAP_DB"] = db_url
    t0 = time.perf_counter()
    store = open_store(home)
    province_data.fill(store, n)
    store.close()
    return time.perf_counter() - t0


def settings(home: Path, box) -> None:
    from PySide6.QtCore import QSettings

    from hazardmap.qt.main_window import SETTINGS_FILE

    s = QSettings(str(home / SETTINGS_FILE), QSettings.Format.IniFormat)
    s.clear()
    s.setValue("view/points", "在册")   # the whole register, not the county's key list
    if box:
        s.setValue("map/last_box", [str(x) for x in box])
    s.sync()


def run_child(home: Path, townships: str, db_url: str | None) -> tuple[float, str, dict]:
    env = dict(os.environ, HAZARDMAP_HOME=str(home), PYTHONPATH=os.pathsep.join((str(ROOT), str(ROOT / "bench"))))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    if db_url:
        env["HAZARDMAP_DB"] = db_url
    env["BENCH_SPAWNED_AT"] = repr(time.time())
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, townships], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
    ready, line, result = float("nan"), "", {}
    for out in proc.stdout:
        if out.startswith(("READY", "TIMEOUT")):
            ready, line = time.perf_counter() - t0, out.strip()
        elif out.startswith("MARKS"):
            result["marks"] = json.loads(out[len("MARKS "):])
        elif out.startswith("RESULT"):
            result = {**json.loads(out[len("RESULT "):]), "marks": result.get("marks", {})}
            break
    proc.wait(timeout=120)
    return ready, line, result


def ms(values) -> str:
    values = [v for v in values if v == v]
    return f"median {statistics.median(values):.0f} ms, max {max(values):.0f} ms" if values else "n/a"


def main() -> int:
    args = options(points=290_000, runs=2, pg=0)
    print(machine(), f"load average {os.getloadavg()[0]:.1f}")
    sys.path.insert(0, str(ROOT / "bench"))
    import province_data

    townships = ",".join(province_data.township_name(i) for i in (7, 250, 1500))
    server = None
    try:
        db_url = None
        if args.pg:
            sys.path.insert(0, str(ROOT))
            from tests.pg_server import PgServer

            server = PgServer()
            server.sql("CREATE DATABASE bench")
            db_url = server.url("bench")
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp) / "home"
            built = prepare(home, args.points, db_url)
            print(f"backend: {'PostgreSQL + PostGIS' if db_url else 'SQLite'}; {args.points} synthetic points "
                  f"+ 20,000 patrol entries written in {built:.1f} s; the 巡查情况 dock live (counts, first page)")
            for level, box in LEVELS.items():
                readies, results = [], []
                for _ in range(args.runs):
                    settings(home, box)
                    ready, line, result = run_child(home, townships, db_url)
                    readies.append(ready)
                    results.append(result)
                r = results[-1]
                st = r.get("stats", {})
                print(f"{level}: start -> map ready {', '.join(f'{x:.2f}' for x in readies)} s (target <= 3 s); "
                      f"in view {st.get('in_view')} points as {st.get('clusters')} clusters / {st.get('points')} single; "
                      f"grid {'read before ready' if r.get('grid_at_ready') else 'read %.2f s after ready' % r.get('grid_s', float('nan'))}")
                marks = [x.get("marks", {}) for x in results]
                print("  where the start goes (s from spawn, median): " + ", ".join(
                    f"{name} {statistics.median(m[key] for m in marks if key in m):.2f}"
                    for key, name in (("imports", "modules imported"), ("store", "store open"),
                                      ("window", "window built"), ("ready", "map ready"))
                    if any(key in m for m in marks)))
                print(f"  pan {ms(sum((x.get('pans', []) for x in results), []))}; "
                      f"zoom {ms(sum((x.get('zooms', []) for x in results), []))} (target <= 300 ms)")
                print(f"  filter by township {ms(sum((x.get('townships', []) for x in results), []))}; "
                      f"by type {ms(sum((x.get('types', []) for x in results), []))} (target <= 100 ms); "
                      f"opening the township list (read once) {r.get('list_ms', float('nan')):.0f} ms")
                print(f"  memory: process {r.get('own_mb', 0):.0f} MB, with {r.get('processes', 0) - 1} QtWebEngine "
                      f"helpers {r.get('total_mb', 0):.0f} MB (target <= 1024 MB)")
    finally:
        if server is not None:
            server.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())
