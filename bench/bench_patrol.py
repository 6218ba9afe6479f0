"""Patrol-log speed with 100,000 entries over 20,000 points. Not a test: prints figures.

    PYTHONPATH=. python bench/bench_patrol.py [--entries 100000] [--points 20000] [--keep DIR]

Builds a throw-away database in a temporary folder: the 16 real points plus synthetic points named
"基准测试点N" (never written to data/ or the user's database), then entries with signs and readings.
Targets: one point's entries <= 20 ms, the overview <= 300 ms; Excel export of all entries timed.
"""
from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from common import median_max_ms, options, timed  # (also puts the repository on the path)

from hazardmap.domain.patrol import Measurement, MeasureKind, PatrolDraft, SignObservation  # noqa: E402
from hazardmap.domain.patrol_status import MACRO_SIGNS, Judgement  # noqa: E402
from hazardmap.services import patrol, patrol_excel, patrol_status  # noqa: E402
from hazardmap.services.store import open_store  # noqa: E402


def timed_ms(fn, repeat: int) -> tuple[float, float]:
    """(median ms, max ms)"""
    return median_max_ms(timed(fn, repeat))


def build(store, n_points: int, n_entries: int, rng: random.Random) -> None:
    with store.db.write() as conn:
        conn.executemany(
            "INSERT INTO hazard_point (seq, township, village_group, monitor, precision, source) VALUES (?,?,?,?,?,?)",
            [(seq, "基准测试", f"基准测试点{seq}", f"测试员{seq}", "none", "bench") for seq in range(17, n_points + 1)])
    judgements = list(Judgement)
    batch = 10_000
    for start in range(0, n_entries, batch):
        with store.db.write() as conn:
            for i in range(start, min(start + batch, n_entries)):
                seq = rng.randint(1, n_points)
                day = rng.randint(0, 364)
                at = f"2025-{day // 31 % 12 + 1:02d}-{day % 28 + 1:02d} {rng.randint(6, 19):02d}:{rng.randint(0, 59):02d}"
                signs = tuple(SignObservation(s, "后缘", "bench") for s in rng.sample(MACRO_SIGNS, rng.randint(0, 2)))
                d = PatrolDraft(seq, at, f"测试员{seq}", rng.choice(judgements), weather="小雨",
                                rain_mm=float(rng.randint(0, 80)), signs=signs,
                                measurements=(Measurement(MeasureKind.CRACK_GAUGE, "", float(rng.randint(0, 300)) / 10),),
                                action="继续观测", note=f"bench {i}")
                patrol.insert_checked(store, conn, d, by="bench", at="2026-01-01T00:00:00+08:00")


def main() -> int:
    args = options(entries=100_000, points=20_000, keep=None)  # --keep FOLDER: build there and keep it
    rng = random.Random(2026)
    home = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hazardmap-bench-"))
    store = open_store(home)
    t = time.perf_counter()
    build(store, args.points, args.entries, rng)
    print(f"built {args.entries:,} entries over {args.points:,} points in {time.perf_counter() - t:.1f} s "
          f"({store.db.path.stat().st_size / 1e6:.0f} MB) at {home}")
    # One busy point too: a decade of daily patrols (3,650 entries) on real point 1.
    with store.db.write() as conn:
        for day in range(3650):
            d = PatrolDraft(1, f"{2016 + day // 365}-{day % 365 // 31 % 12 + 1:02d}-{day % 28 + 1:02d} 08:00", "罗金春",
                            Judgement.NORMAL, measurements=(Measurement(MeasureKind.CRACK_GAUGE, "", float(day % 40)),))
            patrol.insert_checked(store, conn, d, by="bench", at="2026-01-01T00:00:00+08:00")
    store.db.conn.execute("ANALYZE")

    sample = [rng.randint(1, args.points) for _ in range(200)]
    it = iter(sample * 2)
    med, worst = timed_ms(lambda: patrol.list_entries(store, point=next(it)), 200)
    print(f"one point's entries (list_entries, ~{args.entries / args.points:.0f} per point): "
          f"median {med:.2f} ms, max {worst:.2f} ms  (target <= 20 ms)")
    it = iter(sample * 2)
    med, worst = timed_ms(lambda: patrol_status.recent_patrols(store, next(it), 10), 200)
    print(f"recent_patrols(point, 10): median {med:.2f} ms, max {worst:.2f} ms")
    med, worst = timed_ms(lambda: patrol.list_entries(store, point=1), 20)
    print(f"busiest point's entries (3,650+ entries, with change since last reading): median {med:.1f} ms, "
          f"max {worst:.1f} ms")
    med, worst = timed_ms(lambda: patrol.list_entries(store, point=1, limit=500), 20)
    print(f"busiest point, newest 500 (what the patrol tab shows first): median {med:.1f} ms, max {worst:.1f} ms")
    med, worst = timed_ms(lambda: patrol.overview(store), 7)
    print(f"overview (巡查情况, all {args.points:,} points): median {med:.0f} ms, max {worst:.0f} ms  (target <= 300 ms)")
    med, worst = timed_ms(lambda: patrol_status.latest_judgements(store), 7)
    print(f"latest_judgements (map colours): median {med:.0f} ms, max {worst:.0f} ms")
    seq_draft = PatrolDraft(1, "2026-05-01 08:00", "罗金春", Judgement.NORMAL)
    med, worst = timed_ms(lambda: patrol.record(store, seq_draft), 30)
    print(f"record one entry (one transaction, synchronous=FULL): median {med:.1f} ms, max {worst:.1f} ms")

    for suffix in (".xlsx", ".csv"):
        out = home / f"all{suffix}"
        t = time.perf_counter()
        result = patrol_excel.export_logs(store, out, mask_phones=True, force=True)  # --keep reruns replace it
        print(f"export all {result.entries:,} entries to {suffix}: {time.perf_counter() - t:.1f} s "
              f"({out.stat().st_size / 1e6:.1f} MB)")
    t = time.perf_counter()
    result = patrol_excel.import_logs(store, home / "all.xlsx")
    print(f"re-import the .xlsx (all {len(result.duplicates):,} rows recognised as duplicates): "
          f"{time.perf_counter() - t:.1f} s")
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
