"""Opening, migrating and seeding the database.

One file, WAL journal, foreign keys on, synchronous=FULL (a committed patrol log must survive a power
cut), and every write in one BEGIN IMMEDIATE transaction so two copies of the app serialise cleanly.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from hazardmap.geodata.bundled import BundledData
from hazardmap.storage.repositories import Repositories
from hazardmap.storage.schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_S = 15.0

# A file's writes wait first for what is registered for it here: the window's start-up backup, taken in a
# thread with its own connection while the window starts (services/backup.py StartBackup). The gate returns
# when writing may go on, or raises why it may not (a database whose copy failed SQLite's full check).
_WRITE_GATES: dict[str, Callable[[], None]] = {}


def set_write_gate(path: Path, gate: Callable[[], None] | None) -> None:
    key = str(Path(path).absolute())
    if gate is None:
        _WRITE_GATES.pop(key, None)
    else:
        _WRITE_GATES[key] = gate


def split_statements(script: str) -> list[str]:
    """Split a migration script into statements (executescript would commit mid-migration)."""
    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


def _seed_points(conn: sqlite3.Connection, bundled: BundledData) -> None:
    if conn.execute("SELECT COUNT(*) FROM hazard_point").fetchone()[0]:
        return
    conn.executemany(
        "INSERT INTO hazard_point (seq, township, village_group, village_code, threatened, hazard_type,"
        " monitor, phone, lon, lat, precision, source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [(int(r["seq"]), r["township"], r["village_group"], r["village_code_2023"], r["threatened"],
          r["hazard_type"], r["monitor"], r["phone"], float(r["lon"]) if r["lon"] else None,
          float(r["lat"]) if r["lat"] else None, r["precision"], r["source"])
         for r in bundled.key_point_rows],
    )


def _seed_rain_gauge_slots(conn: sqlite3.Connection, bundled: BundledData) -> None:
    slots = int(bundled.rain_gauge_programme["slots"])
    conn.executemany("INSERT INTO rain_gauge_site (slot) VALUES (?) ON CONFLICT DO NOTHING", [(i,) for i in range(1, slots + 1)])


def _seed_settings(conn: sqlite3.Connection, bundled: BundledData) -> None:
    from hazardmap.domain.patrol import DEFAULT_SETTINGS

    conn.executemany("INSERT INTO setting (key, value, is_default, note) VALUES (?,?,1,?) ON CONFLICT DO NOTHING",
                     [(k, v, note) for k, (v, note) in DEFAULT_SETTINGS.items()])


def _seed_register(conn: sqlite3.Connection, bundled: BundledData) -> None:
    """Fill the register's new fields only where a point's own text states them: the type when
    hazard_type names one of the six; households from "…等N户…"; the 组/place when village_group
    starts with its gazetteer village's name. Everything else stays empty (unknown)."""
    import re

    from hazardmap.domain.points import HazardKind

    kinds = tuple(k.value for k in HazardKind)
    conn.execute(f"UPDATE hazard_point SET kind = hazard_type WHERE kind IS NULL AND hazard_type IN "
                 f"({','.join('?' * len(kinds))})", kinds)
    for seq, threatened, village_group, code in conn.execute(
            "SELECT seq, threatened, village_group, village_code FROM hazard_point").fetchall():
        m = re.search(r"(\d+)\s*户", threatened)
        if m:
            conn.execute("UPDATE hazard_point SET households = ? WHERE seq = ? AND households IS NULL",
                         (int(m[1]), seq))
        village = bundled.village_by_code(code) if code else None
        if village and village_group.startswith(village.name) and len(village_group) > len(village.name):
            conn.execute("UPDATE hazard_point SET place = ? WHERE seq = ? AND place = ''",
                         (village_group[len(village.name):], seq))


def _seed_key_lists(conn: sqlite3.Connection, bundled: BundledData) -> None:
    from hazardmap.storage.key_lists_repo import seed_first_list

    seed_first_list(conn, bundled.key_point_rows)


def _seed_fund(conn: sqlite3.Connection, bundled: BundledData) -> None:
    from hazardmap.storage.fund_repo import seed_2023

    seed_2023(conn, bundled)


def _version_creating(table: str) -> int:
    """The schema version a migration produces, found by the table it creates (migrations get reordered
    when branches merge; the seed follows its migration)."""
    return next(i + 1 for i, m in enumerate(MIGRATIONS) if f"CREATE TABLE {table} (" in m)


# Data that a migration's new tables start with, run in the same transaction as the migration.
SEEDS: dict[int, Callable[[sqlite3.Connection, BundledData], None]] = {
    1: _seed_points,
    2: _seed_rain_gauge_slots,
    3: _seed_settings,
    5: _seed_register,
    6: _seed_key_lists,
    _version_creating("fund_year"): _seed_fund,
}


SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_FULL = 13
SQLITE_READONLY = 8
SQLITE_CANTOPEN = 14
SQLITE_CORRUPT = 11
SQLITE_NOTADB = 26
SQLITE_IOERR = 10
NEARLY_FULL_BYTES = 1024 * 1024


def _nearly_full(folder: Path) -> bool:
    import shutil

    try:
        return shutil.disk_usage(folder).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def file_problem(path: Path) -> str | None:
    """What is wrong with the file before SQLite reads it (Chinese), or None. An empty file is damage,
    not a first run: SQLite would take it as a new database and the seed would hide the loss."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        from hazardmap.paths import folder_problem

        return f"无法读取：{folder_problem(exc)}"
    if size == 0:
        return "文件只剩 0 字节，原有数据已不在其中"
    if head != SQLITE_HEADER:
        return "不是 SQLite 数据库文件（文件头不符）"
    if size < 512:
        return f"文件只有 {size} 字节，被截断了"
    return None


def check_result_detail(result: str) -> str:
    """SQLite's check output (English, technical) as a short Chinese reason."""
    text = result.lower()
    if "not a database" in text:
        return "不是 SQLite 数据库文件"
    if any(w in text for w in ("check constraint", "not null", "wrong # of entries", "missing from index",
                               "non-unique entry")):
        return "数据内容损坏（检查未通过）"
    if any(w in text for w in ("malformed", "page", "out of order", "extends off", "freelist", "cell")):
        return "文件页面损坏或被截断"
    return "SQLite 完整性检查未通过"


def quick_check(conn: sqlite3.Connection) -> str:
    """PRAGMA quick_check: the b-tree structure of every page (not index-vs-table agreement): 'ok' or the
    problems. A read error (a page that cannot be read at all) comes back as its message."""
    try:
        rows = conn.execute("PRAGMA quick_check(20)").fetchall()
    except sqlite3.DatabaseError as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in (SQLITE_CORRUPT, SQLITE_NOTADB):
            return str(exc)
        raise  # busy, locked, cannot open: not damage
    return "\n".join(r[0] for r in rows)


def table_columns(conn, table: str) -> set[str]:
    """The columns of a table (empty if there is no such table), on either backend."""
    try:
        cur = conn.execute(f'SELECT * FROM "{table}" LIMIT 0')
    except Exception:
        return set()
    return {d[0] for d in cur.description}


def sidecars(path: Path) -> list[Path]:
    """The WAL and shared-memory files SQLite keeps beside a database."""
    return [path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")


def _storage_error(exc: sqlite3.Error, path: Path) -> Exception | None:
    """A typed Chinese error for SQLite failures that are about the disk or the file, else None."""
    from hazardmap.domain.errors import DatabaseDamaged, DataFolderUnusable, DiskFull, StorageError

    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc)
    if primary == SQLITE_FULL or "disk is full" in text or (primary == SQLITE_IOERR and _nearly_full(path.parent)):
        # A disk with no room left at all fails even opening (SQLite cannot grow its -shm file).
        return DiskFull(f"磁盘空间不足（{path.parent}），无法写入，本次操作没有生效：请清理磁盘后重试")
    if primary == SQLITE_IOERR:
        return StorageError(f"读写数据库文件出错（磁盘 I/O 错误，{path}）：请检查磁盘后重试")
    if primary in (SQLITE_READONLY, SQLITE_CANTOPEN) or "readonly" in text or "unable to open" in text:
        import os

        if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            return DataFolderUnusable(path.parent, "文件夹或数据库文件只读，或没有写入权限")
        return DataFolderUnusable(path.parent, "无法打开数据库文件（可能被其他程序占用或没有权限）")
    if primary in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in text or "not a database" in text:
        return DatabaseDamaged(path, check_result_detail(text), technical=text)
    return None


class Database(Repositories):
    """The SQLite backend (storage.api.Backend): one connection, its transactions, its repositories."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        from hazardmap.storage.points_repo import SqlitePoints

        super().__init__(SqlitePoints())
        self.path = path
        self.conn = conn

    @classmethod
    def open(cls, path: Path, bundled: BundledData, *, target_version: int = SCHEMA_VERSION,
             check: bool = True) -> "Database":
        """Open the user's database. No file at all is a first run (created and seeded); anything
        else must pass SQLite's quick check before a single byte is written, or DatabaseDamaged.
        check=False: a second connection to a file this process has just checked (a worker's)."""
        from hazardmap.domain.errors import DatabaseDamaged
        from hazardmap.paths import PRIVATE_FILE_MODE, ensure_private_folder, tighten

        ensure_private_folder(path.parent)
        if not path.exists():
            wal = sidecars(path)[0]
            if wal.exists() and wal.stat().st_size > 0:
                raise DatabaseDamaged(path, "数据库主文件不见了，只剩下日志文件（-wal）")
            _create_first(path, bundled, target_version)
        problem = file_problem(path)
        if problem:
            raise DatabaseDamaged(path, problem)
        try:
            conn = _connect(path)
        except sqlite3.Error as exc:
            raise (_storage_error(exc, path) or exc) from None
        try:
            result = quick_check(conn) if check else "ok"
            if result != "ok":
                raise DatabaseDamaged(path, check_result_detail(result), technical=result)
            for p in [path, *sidecars(path)]:
                if p.exists():
                    tighten(p, PRIVATE_FILE_MODE)
            db = cls(path, conn)
            db._refuse_foreign()
            _configure(conn)
            db.migrate(bundled, target_version)
        except BaseException as exc:
            conn.close()
            if isinstance(exc, sqlite3.Error):
                raise (_storage_error(exc, path) or exc) from None
            raise
        return db

    def _refuse_foreign(self) -> None:
        """A valid SQLite file that is not ours (version 0 with tables) is never migrated into."""
        from hazardmap.domain.errors import DatabaseDamaged

        if self.version == 0 and self.conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]:
            raise DatabaseDamaged(self.path, "这是一个 SQLite 数据库，但不是 hazardmap 的数据库")

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, bundled: BundledData, target_version: int = SCHEMA_VERSION) -> None:
        if self.version > SCHEMA_VERSION:
            from hazardmap.domain.errors import HazardmapError

            raise HazardmapError(f"数据库版本（{self.version}）比本软件（{SCHEMA_VERSION}）新，请安装新版 hazardmap")
        while self.version < target_version:
            with self.write() as conn:
                current = conn.execute("PRAGMA user_version").fetchone()[0]
                if current >= target_version:  # another process migrated while we waited
                    break
                for statement in split_statements(MIGRATIONS[current]):
                    conn.execute(statement)
                seed = SEEDS.get(current + 1)
                if seed:
                    seed(conn, bundled)
                conn.execute(f"PRAGMA user_version = {current + 1}")
        self.note_versions()

    def note_versions(self) -> None:
        """Tell the repositories whether records carry versions yet (a database opened below that migration)."""
        versioned = "version" in table_columns(self.conn, "hazard_point")
        for repo in (self.points, self.patrol, self.plans, self.rain_gauges):
            repo.versioned = versioned
        self.patrol.summarised = bool(table_columns(self.conn, "patrol_latest"))

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Reads outside a write (each statement sees committed data); inside an open write() this is
        that same transaction, since there is one connection."""
        yield self.conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: all of it commits, or none of it. A full disk, a read-only file or a
        damaged page becomes a typed Chinese error instead of SQLite's English."""
        if _WRITE_GATES:
            gate = _WRITE_GATES.get(str(Path(self.path).absolute()))
            if gate is not None:
                gate()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise (_storage_error(exc, self.path) or exc) from None
        try:
            yield self.conn
        except BaseException as exc:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:  # SQLite may already have rolled back (e.g. after SQLITE_FULL)
                pass
            if isinstance(exc, sqlite3.Error):
                typed = _storage_error(exc, self.path)
                if typed is not None:
                    raise typed from None
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise (_storage_error(exc, self.path) or exc) from None

    def quick_check(self) -> str:
        return quick_check(self.conn)

    def integrity(self) -> str:
        """SQLite's own check of the whole file: 'ok', or what is damaged."""
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]

    def close(self) -> None:
        self.conn.close()


def _create_first(path: Path, bundled: BundledData, target_version: int) -> None:
    """First run: build and seed the database under a temporary name, then put it in place in one
    step, so a first run cut short never leaves an empty file that would later look like damage."""
    import os

    from hazardmap.paths import create_private_file

    partial = path.with_name(f"{path.name}.new-{os.getpid()}")
    for leftover in [partial, *sidecars(partial)]:
        leftover.unlink(missing_ok=True)
    try:
        create_private_file(partial)  # SQLite gives its -wal/-shm the database file's mode
        conn = _connect(partial)
        try:
            _configure(conn)
            Database(partial, conn).migrate(bundled, target_version)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()  # the last connection folds the WAL into the file and removes it
        with partial.open("rb+") as f:
            os.fsync(f.fileno())
        try:
            if os.name == "nt":
                os.rename(partial, path)  # fails if another copy of the app got there first
            else:
                os.link(partial, path)  # never replaces a file another process just created
        except FileExistsError:
            pass
    except OSError as exc:
        from hazardmap.domain.errors import DataFolderUnusable
        from hazardmap.paths import folder_problem

        raise DataFolderUnusable(path.parent, folder_problem(exc)) from None
    except sqlite3.Error as exc:
        raise (_storage_error(exc, partial) or exc) from None
    finally:
        for leftover in [partial, *sidecars(partial)]:
            try:
                leftover.unlink(missing_ok=True)
            except OSError:
                pass
