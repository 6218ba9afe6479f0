"""Yearly key-list import speed, measured (not a test). Run from the repository root:

    PYTHONPATH=$PWD python bench/bench_keylists.py [--runs 5]

A synthetic register of 2,000 points (the 16 seeded ones and 1,984 made up here in gazetteer villages
with made-up groups, monitors and phones; never shipped) and a synthetic 200-row year list shaped like
the county's annex table (.xlsx, title row above the header): 160 points as the register has them,
20 with a new monitor, 20 new points. Timed per run: reading the file, the preview (matching every
row against the register), applying it in one transaction, and its undo. Target: read +
preview of the 200-row list within 1 s.
"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from common import options  # (also puts the repository on the path)

import openpyxl  # noqa: E402

from hazardmap.domain.key_lists import RowOutcome  # noqa: E402
from hazardmap.domain.points import HazardPoint, Precision  # noqa: E402
from hazardmap.services import key_lists as kl  # noqa: E402
from hazardmap.services import views  # noqa: E402
from hazardmap.services.store import open_store  # noqa: E402

REGISTER = 2000
LIST_ROWS = 200
CHANGED, NEW = 20, 20


def synthetic_register(store) -> None:
    villages = [v for v in store.bundled.villages]
    with store.db.write() as tx:
        start = store.db.points.next_seq(tx)
        for i, seq in enumerate(range(start, REGISTER + 1)):
            v = villages[i % len(villages)]
            store.db.points.insert(tx, HazardPoint(
                seq=seq, township=v.township, village_group=f"{v.name}测试{seq}组", village_code=v.code,
                threatened=f"测试户等{seq % 30 + 1}户", hazard_type="", monitor=f"测试{seq}",
                phone=f"139{seq:08d}", lon=v.lon, lat=v.lat,
                precision=Precision.VILLAGE if v.located else Precision.NONE, source="bench 合成数据"))


def synthetic_list(store, path: Path) -> None:
    points = [p for p in views.points_in_view(store, views.View(views.ViewKind.REGISTERED)) if p.seq > 16]
    picked = points[:: len(points) // (LIST_ROWS - NEW)][: LIST_ROWS - NEW]
    villages = store.bundled.villages
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["附件1  bench 合成名单"])
    ws.append(["序号", "乡镇", "村组", "威胁对象", "监测人", "联系电话"])
    n = 0
    for i, p in enumerate(picked):
        monitor, phone = (f"新测试{p.seq}", f"138{p.seq:08d}") if i < CHANGED else (p.monitor, p.phone)
        n += 1
        ws.append([n, p.township, p.village_group, p.threatened, monitor, phone])
    for j in range(NEW):
        v = villages[(j * 7) % len(villages)]
        n += 1
        ws.append([n, v.township, f"{v.name}新测试{j}组", "测试户", f"新人{j}", f"137{j:08d}"])
    wb.save(path)


def main() -> None:
    args = options(runs=5)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = open_store(tmp / "home")
        t0 = time.perf_counter()
        synthetic_register(store)
        made = time.perf_counter() - t0
        path = tmp / "list.xlsx"
        synthetic_list(store, path)
        print(f"register: {len(views.points_in_view(store, views.View(views.ViewKind.REGISTERED)))} points "
              f"(made in {made:.2f} s); list: {LIST_ROWS} rows")
        timings: dict[str, list[float]] = {"read": [], "preview": [], "read+preview": [], "apply": [], "undo": []}
        for run in range(args.runs):
            t0 = time.perf_counter()
            lf = kl.read_list(path)
            t1 = time.perf_counter()
            p = kl.preview_list(store, lf, year=2024, name="bench")
            t2 = time.perf_counter()
            _, changes = kl.import_list(store, lf, year=2024, name="bench", expect=p)
            t3 = time.perf_counter()
            changes.undo()
            t4 = time.perf_counter()
            for k, v in (("read", t1 - t0), ("preview", t2 - t1), ("read+preview", t2 - t0), ("apply", t3 - t2),
                         ("undo", t4 - t3)):
                timings[k].append(v)
        groups = {o.name.lower(): len(p.group(o)) for o in RowOutcome}
        print(f"preview: {groups}, dropped {len(p.dropped)}, bad {len(p.bad)}")
        for k, v in timings.items():
            print(f"{k:13} median {statistics.median(v) * 1000:6.0f} ms, max {max(v) * 1000:6.0f} ms over {args.runs} runs")
        store.close()


if __name__ == "__main__":
    main()
