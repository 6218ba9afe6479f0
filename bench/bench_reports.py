"""Printable output speed (not a test). Targets: all 16 points' full sheet sets <= 5 s,
an A3 county map <= 2 s. Run: PYTHONPATH=. python bench/bench_reports.py"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from common import timed  # (also puts the repository on the path)


def best_median(fn) -> tuple[float, float]:
    runs = timed(fn, 3)
    return min(runs), statistics.median(runs)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        from hazardmap.reports import maps, sheets
        from hazardmap.reports.data import collect
        from hazardmap.reports.fonts import ensure_font
        from hazardmap.services.store import open_store

        store = open_store(Path(tmp) / "home")
        t = time.perf_counter()
        ensure_font()
        font_s = time.perf_counter() - t
        t = time.perf_counter()
        data = collect(store, with_history=True)
        collect_s = time.perf_counter() - t
        out = Path(tmp) / "sheets"
        t = time.perf_counter()
        written = sheets.export_sheets(data, out, with_history=True, force=True)  # first run: cold caches
        cold_s = time.perf_counter() - t
        sheets_best, sheets_med = best_median(lambda: sheets.export_sheets(data, out, with_history=True, force=True))
        size_kb = sum(p.stat().st_size for p in written) / 1024
        a3_best, a3_med = best_median(lambda: maps.county_map_pdf(data, "A3", "landscape"))
        atlas_best, atlas_med = best_median(lambda: maps.atlas_pdf(data))
        store.close()
    print(f"font registration (once per process):        {font_s:6.2f} s")
    print(f"snapshot from the database:                  {collect_s:6.3f} s")
    print(f"16 points x 3 sheets = {len(written)} PDFs, written:     cold {cold_s:5.2f} s, "
          f"warm best {sheets_best:5.2f} s / median {sheets_med:5.2f} s  (target <= 5 s; {size_kb:.0f} KB)")
    print(f"A3 county map:                               best {a3_best:5.2f} s / median {a3_med:5.2f} s  (target <= 2 s)")
    print(f"township atlas (10 pages, A4):               best {atlas_best:5.2f} s / median {atlas_med:5.2f} s")
    ok = cold_s <= 5 and a3_med <= 2
    print("OK" if ok else "SLOWER THAN TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
