"""Map speed, measured (not a test). Run from the repository root:

    PYTHONPATH=$PWD python bench/bench_map.py [--runs 3] [--points 20000]

1. Process start -> main window shown with the map ready (all layers), in a fresh process each run,
   timed from just before the process is spawned; first run on an empty data folder (creates and
   seeds the database), later runs warm. Target: <= 3 s on a 2-core machine.
2. A synthetic provincial-scale dataset (N points spread over Hunan's bounding box, fixed seed;
   not real data, never stored): page build + load -> ready with every point clustered, and the
   memory (RSS) of the process and its QtWebEngine helper processes, and how long one zoom step and
   one pan take to redraw the clusters (usable or not). Target: <= 5 s.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import OPEN_WINDOW, ROOT, machine, options

CHILD_WINDOW = "import sys\n" + OPEN_WINDOW + r"""
ok = wait_for_map(app, w)
print("READY" if ok else "TIMEOUT", w.map_view.stats.get("points"), flush=True)
close_window(app, w)
store.close()
"""

CHILD_LARGE = r"""
import random, sys, time
t0 = time.perf_counter()
from hazardmap.qt.env import prepare_qt_environment
prepare_qt_environment()
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from hazardmap.domain.points import HazardPoint, Precision
from hazardmap.mapping.options import MapOptions
from hazardmap.mapping.page import build_page, collect_payload, points_payload
from hazardmap.qt.entry import close_window
from hazardmap.qt.map_view import MapView
from hazardmap.services.store import open_store
from PySide6.QtCore import QEventLoop, QTimer

n = int(sys.argv[1])
store = open_store()
rng = random.Random(20260503)
# Synthetic points over Hunan's bounding box (108.8-114.3 E, 24.6-30.1 N): for load only.
points = [HazardPoint(seq=i, township="合成乡镇", village_group=f"合成点{i}", village_code="", threatened="",
                      hazard_type="", monitor="合成", phone="", lon=rng.uniform(108.8, 114.3),
                      lat=rng.uniform(24.6, 30.1), precision=Precision.VILLAGE, source="synthetic")
          for i in range(1, n + 1)]
options = MapOptions(qt_bridge=True, layer_control=False)
t_build0 = time.perf_counter()
payload = collect_payload(store, options)
payload["points"] = points_payload(points, {}, options)
path = build_page(payload, store.home / "bench" / "large.html", options, force=True)
t_build = time.perf_counter() - t_build0
view = MapView(store, options)
view.bridge.known_seqs = {p.seq for p in points}
view.resize(1200, 800)
view.show()
t_load0 = time.perf_counter()
loop = QEventLoop()
view.sig_ready.connect(loop.quit)
QTimer.singleShot(60000, loop.quit)
view.load_page(path)
loop.exec()
t_ready = time.perf_counter() - t_load0

# Usability: one zoom step and one pan with 20,000 clustered points, timed inside the page until
# the clusters are redrawn (moveend), in milliseconds.
import json
box = []
view.page().runJavaScript(
    "(function(){var m=hazardmap.map, out={}, t=performance.now();"
    "m.once('moveend', function(){out.zoom_ms=performance.now()-t; t=performance.now();"
    " m.once('moveend', function(){out.pan_ms=performance.now()-t; window.__bench=JSON.stringify(out);});"
    " m.panBy([300, 200], {animate:false});});"
    "m.setZoom(m.getZoom()+1, {animate:false}); return 1;})()", 0, box.append)
interaction = {}
for _ in range(200):
    loop = QEventLoop(); QTimer.singleShot(25, loop.quit); loop.exec()
    res = []
    view.page().runJavaScript("window.__bench || ''", 0, res.append)
    loop = QEventLoop(); QTimer.singleShot(25, loop.quit); loop.exec()
    if res and res[0]:
        interaction = json.loads(res[0])
        break

import os
from common import memory_with_helpers
own, total, processes = memory_with_helpers(os.getpid())
print(f"RESULT ready={view.ready} points={view.stats.get('points')} page_bytes={path.stat().st_size} "
      f"build_s={t_build:.2f} load_to_ready_s={t_ready:.2f} own_rss_mb={own:.0f} "
      f"total_rss_mb={total:.0f} processes={processes} "
      f"zoom_ms={interaction.get('zoom_ms', -1):.0f} pan_ms={interaction.get('pan_ms', -1):.0f}", flush=True)
view.deleteLater()
app.processEvents()
store.close()
"""


def run_child(code: str, home: Path, *args: str) -> tuple[float, str]:
    env = dict(os.environ, HAZARDMAP_HOME=str(home), PYTHONPATH=os.pathsep.join((str(ROOT), str(ROOT / "bench"))))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
    line = ""
    for line in proc.stdout:
        if line.startswith(("READY", "TIMEOUT", "RESULT")):
            break
    elapsed = time.perf_counter() - t0
    proc.wait(timeout=60)
    return elapsed, line.strip()


def main() -> int:
    args = options(runs=3, points=20000)
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        times = []
        for i in range(args.runs):
            elapsed, line = run_child(CHILD_WINDOW, home)
            times.append(elapsed)
            print(f"start -> map ready, run {i + 1}{' (fresh data folder)' if i == 0 else ''}: "
                  f"{elapsed:.2f} s  [{line}]")
        warm = times[1:] or times
        print(f"start -> map ready: first {times[0]:.2f} s, warm median {statistics.median(warm):.2f} s (target <= 3 s)")
        elapsed, line = run_child(CHILD_LARGE, home, str(args.points))
        print(f"{args.points} synthetic points, whole process (with the zoom/pan check): {elapsed:.2f} s  [{line}] (target ready <= 5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
