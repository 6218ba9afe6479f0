"""Moving the data between a desk's file and the bureau's server (`hazardmap db copy`): a desk's
SQLite data to the server to start sharing it, or the server's data into a file for offline work.
Every table is copied row for row and checked (row counts and checksums) before anything is
committed; a target that already holds data is refused unless force."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hazardmap.domain.errors import InvalidInput, TargetNotEmpty
from hazardmap.geodata.bundled import BundledData
from hazardmap.storage.copy import TableCopy, copy_all, point_count


def is_url(where: str) -> bool:
    return where.startswith(("postgresql://", "postgres://"))


@dataclass(frozen=True)
class CopyResult:
    source: str
    target: str
    tables: list[TableCopy]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def _open(where: str, bundled: BundledData, password: str | None):
    if is_url(where):
        from hazardmap.storage.pg.db import PgDatabase

        return PgDatabase.open(where, bundled, password=password)
    from hazardmap.storage.db import Database

    path = Path(where)
    if not path.is_file():
        raise InvalidInput(f"找不到数据库文件“{path}”")
    return Database.open(path, bundled)


def _server_points(url: str, password: str | None) -> int | None:
    """How many points a server database holds; None if hazardmap has never built it."""
    from hazardmap.storage.pg.db import PgDatabase

    db = PgDatabase(url, password)
    try:
        if db.version == 0:
            return None
        return point_count(db)
    finally:
        db.close()


def copy_database(source: str, target: str, *, force: bool = False, bundled: BundledData | None = None,
                  password: str | None = None) -> CopyResult:
    """source, target: a postgresql:// URL or a database file (a file target is written whole, through
    the atomic writer, never over an existing file unless force)."""
    from hazardmap.storage.pg.db import display_url

    bundled = bundled or BundledData()
    if is_url(source) == is_url(target):
        raise InvalidInput("请在数据库文件与服务器之间复制：--from 与 --to 须一个是文件、一个是 postgresql:// 地址")
    src = _open(source, bundled, password if is_url(source) else None)
    try:
        if is_url(target):
            held = _server_points(target, password)
            if held is not None and not force:
                raise TargetNotEmpty(display_url(target), held)
            dst = _open(target, bundled, password)
            try:
                tables = copy_all(src, dst, clear=True)
            finally:
                dst.close()
            return CopyResult(source, display_url(target), tables)
        from hazardmap import files
        from hazardmap.storage.db import Database

        with files.atomic_write(Path(target), force=force) as tmp:
            dst = Database.open(tmp, bundled)
            try:
                tables = copy_all(src, dst, clear=True)
            finally:
                dst.close()
        return CopyResult(display_url(source), str(target), tables)
    finally:
        src.close()


def setup_roles(url: str, *, password: str | None = None, bundled: BundledData | None = None) -> tuple[str, ...]:
    """The editor and viewer group roles on a server database (built first if new); their names."""
    from hazardmap.storage.pg.db import ROLES, PgDatabase

    if not is_url(url):
        raise InvalidInput("--server 须是 postgresql:// 地址")
    db = PgDatabase.open(url, bundled or BundledData(), password=password)
    try:
        db.setup_roles()
    finally:
        db.close()
    return ROLES
