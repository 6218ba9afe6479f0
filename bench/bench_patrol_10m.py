"""Patrol logs at province scale: 10,000,000 entries over 290,000 points, on SQLite and PostgreSQL.
Not a test: prints figures.

    PYTHONPATH=$PWD python bench/bench_patrol_10m.py [--entries 10000000] [--points 290000]
        [--backends sqlite,postgresql] [--keep DIR] [--reuse 1] [--samples 300] [--qt 1]

Builds throw-away databases in a temporary folder (or DIR with --keep; --reuse measures a kept build
again, migrating it first if the code is newer; --qt 1 also times the 巡查情况 and patrol tabs): the 16 real points plus synthetic ones named
"合成点N" (never written to data/ or the user's database), then ten years (2016-2025) of entries in
time order, more in the flood season, more on some points than others, mostly 正常, signs and a crack
reading where a point has a gauge. Entries go in through the bulk path of the patrol repository
(services.patrol.insert_many_checked: executemany on SQLite, COPY on PostgreSQL), which writes the
rows a one-by-one save writes, audit rows included. PostgreSQL runs as a private server (initdb in the
folder, a Unix socket only; as tests/pg_server.py), fsync off while loading, stopped at the end.

Targets (issue: a province that stays fast): one point's history <= 20 ms; the overview <= 1 s.
"""
from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from common import machine, options, timed  # (also puts the repository on the path)

from hazardmap.domain.patrol import Measurement, MeasureKind, PatrolDraft, SignObservation  # noqa: E402
from hazardmap.domain.patrol_status import MACRO_SIGNS, Judgement  # noqa: E402
from hazardmap.services import patrol, patrol_status  # noqa: E402
from hazardmap.services.store import open_server_store, open_store  # noqa: E402
from tests.pg_server import PORT, PgServer  # noqa: E402

FIRST_DAY, DAYS = date(2016, 1, 1), 3653   # 2016-01-01 .. 2025-12-31
DAYS_PER_WRITE = 30                         # one write transaction per month of entries
WEATHER = ("晴", "晴", "多云", "阴", "小雨", "中雨", "大雨")


class BenchServer(PgServer):
    """tests/pg_server.py's server in a folder of our choosing, kept between runs with --keep, with
    memory for a 10-million-row table (the tests' 32 MB shared_buffers is for small databases)."""

    def __init__(self, root: Path) -> None:  # noqa: D107 (no super().__init__: the cluster may exist)
        import os

        self.root = root
        self.data = root / "data"
        self.socket_dir = root
        self.owner = "postgres" if os.geteuid() == 0 else None
        self.superuser = self.owner or __import__("getpass").getuser()
        fresh = not self.data.exists()
        if fresh:
            root.mkdir(parents=True, exist_ok=True)
            if self.owner:  # the server's account must reach its folder
                root.parent.chmod(0o755)
                shutil.chown(root, self.owner, self.owner)
            self._run("initdb", "-D", str(self.data), "-U", self.superuser, "--auth=trust", "--encoding=UTF8",
                      "--locale=C.UTF-8", "--no-sync")
        self.start()
        if fresh:
            self.sql("CREATE DATABASE bench")

    def start(self) -> None:
        opts = (f"-c listen_addresses='' -c unix_socket_directories={self.socket_dir} -p {PORT}"
                " -c fsync=off -c synchronous_commit=off -c max_connections=20 -c shared_buffers=1GB"
                " -c maintenance_work_mem=512MB -c max_wal_size=8GB -c work_mem=64MB")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", opts, "-w", "start")


def synthetic_points(rng: random.Random, n_points: int) -> tuple[list[tuple], list[float], dict[int, str]]:
    """(rows for hazard_point, each point's relative patrol frequency, each point's monitor). A monitor
    (群测群防员) looks after one to three neighbouring points; some points are patrolled far more often
    than others (key points, those that moved)."""
    rows, monitors = [], {}
    monitor_no, left = 0, 0
    for seq in range(17, n_points + 1):
        if left == 0:
            monitor_no, left = monitor_no + 1, rng.choice((1, 1, 2, 3))
        left -= 1
        monitors[seq] = f"合成监测员{monitor_no}"
        township = f"合成乡镇{seq // 150}"
        rows.append((seq, township, f"合成点{seq}", monitors[seq], "none", "bench"))
    weights = [rng.lognormvariate(0, 0.8) for _ in range(n_points)]
    return rows, weights, monitors


def day_drafts(rng: random.Random, day: date, n: int, seqs: list[int], cum: list[float],
               monitors: dict[int, str]) -> list[PatrolDraft]:
    out = []
    for seq in sorted(rng.choices(seqs, cum_weights=cum, k=n)):
        roll = rng.random()
        judgement = Judgement.NORMAL if roll < 0.95 else Judgement.ABNORMAL if roll < 0.99 else Judgement.DANGER
        signs = ()
        if judgement is not Judgement.NORMAL:
            signs = tuple(SignObservation(s, "后缘", "合成") for s in rng.sample(MACRO_SIGNS, rng.randint(1, 2)))
        measures = ()
        if seq % 5 < 2:  # two points in five have a crack gauge
            measures = (Measurement(MeasureKind.CRACK_GAUGE, "", round(seq % 97 / 10 + day.toordinal() % 365 / 100
                                                                           + rng.random(), 1)),)
        weather = rng.choice(WEATHER)
        out.append(PatrolDraft(
            seq, f"{day:%Y-%m-%d} {rng.randint(7, 18):02d}:{rng.randint(0, 59):02d}", monitors.get(seq, ""),
            judgement, weather=weather, rain_mm=float(rng.randint(1, 60)) if "雨" in weather else None,
            signs=signs, measurements=measures, action="继续观测" if judgement is Judgement.NORMAL else "加密观测",
        ))
    out.sort(key=lambda d: d.at)  # entries are recorded in time order: ids follow time, not points
    return out


def build(stores: list, n_points: int, n_entries: int) -> dict[str, float]:
    rng = random.Random(20260514)
    rows, weights, monitors = synthetic_points(rng, n_points)
    seqs = list(range(1, n_points + 1))
    monitors.update({seq: "合成巡查员" for seq in range(1, 17)})  # the 16 real points get synthetic patrols too
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    spent = {name: 0.0 for name, _ in stores}
    for name, store in stores:
        t = time.perf_counter()
        with store.db.write() as tx:  # the points: bench-only rows, as bench/bench_patrol.py writes them
            tx.executemany("INSERT INTO hazard_point (seq, township, village_group, monitor, precision, source)"
                           " VALUES (?,?,?,?,?,?)", rows)
        spent[name] += time.perf_counter() - t
    # Days weighted: the flood season (Apr-Sep) has twice the patrols of the rest of the year.
    day_weights = [2.0 if 4 <= (FIRST_DAY + timedelta(d)).month <= 9 else 1.0 for d in range(DAYS)]
    scale = n_entries / sum(day_weights)
    per_day = [int(w * scale) for w in day_weights]
    per_day[-1] += n_entries - sum(per_day)
    made = 0
    for start in range(0, DAYS, DAYS_PER_WRITE):
        drafts = []
        for d in range(start, min(start + DAYS_PER_WRITE, DAYS)):
            day = FIRST_DAY + timedelta(d)
            drafts += day_drafts(rng, day, per_day[d], seqs, cum, monitors)
        recorded_at = f"{day:%Y-%m-%d}T20:00:00+08:00"  # a month's 巡查记录表 typed in at its end
        for name, store in stores:
            t = time.perf_counter()
            with store.db.write() as tx:
                patrol.insert_many_checked(store, tx, drafts, by="合成录入员", at=recorded_at)
            spent[name] += time.perf_counter() - t
        made += len(drafts)
        if start // DAYS_PER_WRITE % 12 == 0:
            print(f"  {made:,} entries ({', '.join(f'{k} {v:.0f} s' for k, v in spent.items())})", flush=True)
    return spent


def ms(runs: list[float]) -> str:
    return f"median {statistics.median(runs) * 1000:.1f} ms, max {max(runs) * 1000:.1f} ms"


def measure(name: str, store, n_points: int, samples: int, qt: bool) -> None:
    rng = random.Random(7)
    points = [rng.randint(1, n_points) for _ in range(samples)]
    sizes = [patrol.count_entries(store, point=p) for p in points]
    print(f"[{name}] {samples} random points, {statistics.mean(sizes):.0f} live entries on average"
          f" (max {max(sizes)})")
    # The patrol tab for a point (qt/patrol/patrol_tab.py refresh): the point, its count, its newest 500.
    it = iter(points)

    def tab() -> None:
        seq = next(it)
        patrol.get_point(store, seq)
        patrol.count_entries(store, point=seq)
        patrol.list_entries(store, point=seq, limit=500)
    print(f"[{name}] one point's history (patrol tab: point, count, newest 500 with reading changes):"
          f" {ms(timed(tab, samples))}  (target <= 20 ms)")
    it = iter(points)
    print(f"[{name}] one point's latest (details panel, latest_judgements(seqs=[point])):"
          f" {ms(timed(lambda: patrol_status.latest_judgements(store, seqs=[next(it)]), samples))}")
    # The overview as the window shows it (qt/patrol/overview.py): counts by the database, the first page
    # of rows, more pages as the table scrolls; for 全部在册 (every point) and the shipped key list.
    from hazardmap.domain.key_lists import View, ViewKind

    for label, view in (("全部在册", View(ViewKind.REGISTERED)), ("重点名单", View(ViewKind.KEY_LIST))):
        def window_overview(v=view):
            counts = patrol.overview_counts(store, v)
            return counts, patrol.overview_page(store, v)
        runs = timed(window_overview, 5)
        counts, first = window_overview()
        print(f"[{name}] overview as the window shows it, {label} ({counts.total:,} points, {counts.overdue:,}"
              f" overdue): counts + first page of {len(first)}: {ms(runs)}  (target <= 1 s)")
    far = max(1, n_points - 1000)
    reg = View(ViewKind.REGISTERED)
    print(f"[{name}] a page far down (after point {far:,}): "
          f"{ms(timed(lambda: patrol.overview_page(store, reg, after_seq=far), 20))}; "
          f"只看超期, first page: {ms(timed(lambda: patrol.overview_page(store, reg, overdue_only=True), 20))}")
    cpu = time.process_time()
    runs = timed(lambda: patrol.overview(store), 5)
    cpu = (time.process_time() - cpu) / 5
    print(f"[{name}] every row at once (services.patrol.overview: the CLI's listing, all {n_points:,} points):"
          f" {ms(runs)} (this process's CPU {cpu * 1000:.0f} ms a call)")
    runs = timed(lambda: patrol_status.latest_judgements(store), 5)
    print(f"[{name}] latest_judgements (every point's latest, map colours and exports): {ms(runs)}")
    shown = sorted(rng.sample(range(1, n_points + 1), min(2000, n_points)))
    runs = timed(lambda: patrol_status.latest_judgements(store, seqs=shown), 20)
    print(f"[{name}] latest_judgements for {len(shown):,} points (what a map view shows): {ms(runs)}")
    if qt:
        measure_window(name, store, n_points)


def measure_window(name: str, store, n_points: int) -> None:
    """What a user waits for: the 巡查情况 tab built and refreshed for 全部在册 (every point), and the
    patrol tab showing a point (offscreen Qt, the test double of the window)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from hazardmap.domain.key_lists import View, ViewKind
    from hazardmap.qt.patrol.overview import PatrolOverview
    from hazardmap.qt.patrol.patrol_tab import PatrolTab
    from tests.shell_double import ShellDouble

    app = QApplication.instance() or QApplication([])
    shell = ShellDouble(store)
    shell._view = View(ViewKind.REGISTERED)
    t = time.perf_counter()
    overview = PatrolOverview(shell)
    app.processEvents()
    built = time.perf_counter() - t
    runs = timed(overview.refresh, 3)
    print(f"[{name}] 巡查情况 tab, 全部在册 ({overview.table.model().rowCount():,} rows read of {n_points:,}, more as"
          f" it scrolls): built in {built:.1f} s; 刷新 {ms(runs)}")
    tab = PatrolTab(shell)
    rng = random.Random(11)
    seqs = iter([rng.randint(1, n_points) for _ in range(50)])
    runs = timed(lambda: (tab.set_point(next(seqs)), app.processEvents()), 50)
    print(f"[{name}] patrol tab showing a point (set_point, table filled): {ms(runs)}")
    overview.deleteLater()
    tab.deleteLater()
    shell.deleteLater()
    app.processEvents()


def size_line(name: str, store) -> str:
    if name == "sqlite":
        size = store.db.path.stat().st_size
        wal = store.db.path.with_name(store.db.path.name + "-wal")
        size += wal.stat().st_size if wal.exists() else 0
    else:
        with store.db.read() as s:
            size = s.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return f"{size / 1e9:.2f} GB"


def main() -> int:
    args = options(entries=10_000_000, points=290_000, backends="sqlite,postgresql", keep=None, reuse=False,
                   samples=300, qt=False)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hazardmap-bench-10m-"))
    reuse = bool(args.reuse)
    print(f"machine: {machine()}; folder {root}")
    server = None
    stores = []
    try:
        for name in backends:
            t = time.perf_counter()
            if name == "sqlite":
                store = open_store(root / "sqlite")
            else:
                server = BenchServer(root / "pg")
                store = open_server_store(server.url("bench"), root / "pg-home")
            print(f"[{name}] opened (migrated if needed) in {time.perf_counter() - t:.1f} s")
            stores.append((name, store))
        if not reuse:
            spent = build(stores, args.points, args.entries)
            for name, store in stores:
                t = time.perf_counter()
                with store.db.read() as s:  # fresh statistics (and, on PostgreSQL, the visibility map)
                    s.execute("VACUUM ANALYZE" if name == "postgresql" else "ANALYZE")
                print(f"[{name}] built {args.entries:,} entries over {args.points:,} points in {spent[name]:.0f} s"
                      f" + {time.perf_counter() - t:.0f} s ANALYZE; {size_line(name, store)}")
        for name, store in stores:
            print(f"[{name}] {patrol.count_entries(store):,} live entries; {size_line(name, store)}")
            measure(name, store, args.points, args.samples, bool(args.qt))
    finally:
        for _name, store in stores:
            store.close()
        if server is not None:
            server.stop()
        if not args.keep:
            if server is not None:
                server.remove()
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
