"""Rain-gauge list import speed, measured (not a test). Run from the repository root:

    PYTHONPATH=$PWD python bench/bench_rain_import.py [--runs 5]

1. The real case: a 15-row .xlsx and a 15-row GBK .csv (15 gazetteer villages by code; test input
   written to a temporary folder, never stored), read + checked + applied in one transaction,
   on a fresh database each run.
2. The worst a user could throw at it: every one of the 446 gazetteer villages in one sheet,
   checked (dry run; far more rows than the 15 slots, so nearly all are reported bad).
"""
from __future__ import annotations

import csv
import statistics
import tempfile
import time
from pathlib import Path

from common import options  # (also puts the repository on the path)

import openpyxl  # noqa: E402

from hazardmap.services.rain_gauge_import import import_villages  # noqa: E402
from hazardmap.services.store import open_store  # noqa: E402


def main() -> None:
    args = options(runs=5)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = open_store(tmp / "probe")
        villages = store.bundled.villages
        store.close()
        fifteen = [[v.code, v.township] for v in villages[:15]]
        wb = openpyxl.Workbook()
        wb.active.append(["村（社区）", "乡镇（街道）"])
        for r in fifteen:
            wb.active.append(r)
        wb.save(tmp / "15.xlsx")
        with open(tmp / "15.csv", "w", encoding="gbk", newline="") as f:
            csv.writer(f).writerows([["村名", "乡镇"]] + fifteen)
        with open(tmp / "all.csv", "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([["村名"]] + [[v.code] for v in villages])

        for name, dry in (("15.xlsx", False), ("15.csv", False), ("all.csv", True)):
            times = []
            for run in range(args.runs):
                store = open_store(tmp / f"home-{name}-{run}")
                t0 = time.perf_counter()
                report = import_villages(store, tmp / name, dry_run=dry)
                times.append(time.perf_counter() - t0)
                store.close()
            print(f"{name:8} rows={report.rows:3} ok={len(report.assignments):2} bad={len(report.bad):3} "
                  f"{'check only' if dry else 'applied  '}: median {statistics.median(times) * 1000:.0f} ms, "
                  f"max {max(times) * 1000:.0f} ms over {args.runs} runs")


if __name__ == "__main__":
    main()
