"""Rain readings speed, measured (not a test). Run from the repository root:

    PYTHONPATH=$PWD python bench/bench_rain.py

On a fresh database in a temporary folder: 100 sites (the 15 slots plus 85 added ones in real gazetteer
villages), and one year of SYNTHETIC hourly readings for each (876,000 rows; generated here, never
stored in the repository):
1. importing the one CSV (read + checked + written in one transaction)     goal ≤ 10 s
2. all sites evaluated at one time (rain status)                         goal ≤ 50 ms
3. a one-year back-test                                                  goal ≤ 5 s
"""
from __future__ import annotations

import csv
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hazardmap.domain.rain import BEIJING  # noqa: E402
from hazardmap.services import rain, rain_gauges, rain_import  # noqa: E402
from hazardmap.services.store import open_store  # noqa: E402

SITES = 100
HOURS = 365 * 24


def synthetic_year(rng: random.Random, hours: int) -> list[float]:
    """Mostly dry hours, rain spells of a few hours, and a handful of storms."""
    out = [0.0] * hours
    h = 0
    while h < hours:
        h += rng.randint(10, 120)
        spell = rng.randint(1, 12)
        peak = rng.choice([2, 5, 10, 20, 45, 70]) if rng.random() < 0.97 else 90
        for i in range(spell):
            if h + i < hours:
                out[h + i] = round(max(0.0, rng.gauss(peak / 2, peak / 4)), 1)
        h += spell
    return out


def main() -> None:
    rng = random.Random(2024)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        store = open_store(home)
        villages = [v for v in store.bundled.villages if v.lon is not None]
        used = set()
        for slot in range(1, 16):
            v = villages[slot * 3]
            rain_gauges.assign(store, slot, v.code, by="bench")
            used.add(v.code)
        for v in villages:
            if len(rain_gauges.list_sites(store)) >= SITES:
                break
            if v.code not in used:
                rain_gauges.add_site(store, v.code, by="bench")
                used.add(v.code)
        slots = [s.slot for s in rain_gauges.list_sites(store)][:SITES]
        start = datetime(2024, 1, 1, 1)
        path = Path(tmp) / "一年逐时雨量.csv"
        t = time.perf_counter()
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["站码", "时间", "雨量(mm)"])
            for slot in slots:
                series = synthetic_year(rng, HOURS)
                for i, mm in enumerate(series):
                    w.writerow([slot, (start + timedelta(hours=i)).strftime("%Y-%m-%d %H:%M"), mm])
        rows = SITES * HOURS
        print(f"生成 {rows:,} 行（{os.path.getsize(path) / 1e6:.0f} MB）：{time.perf_counter() - t:.1f} s（不计入）")

        t = time.perf_counter()
        plan = rain_import.check_file(store, path)
        t_check = time.perf_counter() - t
        rain_import.apply(store, plan, skip_bad=True, by="bench")
        t_import = time.perf_counter() - t
        print(f"1. 导入 {len(plan.readings):,} 条（有误 {len(plan.bad)} 行）：{t_import:.1f} s"
              f"（其中读表和检查 {t_check:.1f} s；目标 ≤ 10 s）")

        at = int(datetime(2024, 7, 15, 12, tzinfo=BEIJING).timestamp())
        times = []
        for _ in range(5):
            t = time.perf_counter()
            rows_ = rain.status(store, at)
            times.append(time.perf_counter() - t)
        print(f"2. {len(rows_)} 个站点同一时刻评估：最快 {min(times) * 1000:.0f} ms，中位 {sorted(times)[2] * 1000:.0f} ms"
              f"（目标 ≤ 50 ms）；预警中 {sum(1 for r in rows_ if r.status.level)} 个")

        t = time.perf_counter()
        bt = rain.backtest(store, "2024-01-01", "2024-12-31")
        t_bt = time.perf_counter() - t
        blue = bt.scores[0]
        print(f"3. 一年回溯检验：{t_bt:.1f} s（目标 ≤ 5 s）；蓝色及以上预警 {blue.warnings} 次")
        store.close()


if __name__ == "__main__":
    main()
