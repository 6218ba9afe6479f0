"""Copies of the database file and SQLite's checks of them (the SQL and file work behind
hazardmap.services.backup, which decides names, rotation and what a person is told).

A copy is always written beside its final name as `.part`, created readable by its owner only, and
removed when anything fails: a half-written file never looks like a backup and a full disk leaves
nothing behind.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from hazardmap.domain.errors import DatabaseDamaged, DataFolderUnusable, DiskFull, StorageError
from hazardmap.paths import create_private_file, folder_problem
from hazardmap.storage.db import SQLITE_CORRUPT, SQLITE_NOTADB, _storage_error, check_result_detail, file_problem

PART = ".part"


@dataclass(frozen=True)
class FileCheck:
    """SQLite's full integrity check of one database file, opened read-only."""
    ok: bool
    detail: str = ""       # Chinese, empty when ok
    technical: str = ""    # SQLite's own words
    version: int | None = None
    is_hazardmap: bool = False
    readable: bool = True  # False: SQLite could not read it at all, which is not proof of damage


def _read_only_uri(path: Path) -> str:
    return Path(os.path.abspath(path)).as_uri() + "?mode=ro"


def check_file(path: Path, *, quick: bool = False) -> FileCheck:
    """PRAGMA integrity_check (or the quicker quick_check, which skips comparing indexes with their
    tables) of a file that is not open here (a backup, a copy, a database that may be damaged)."""
    problem = file_problem(path)
    if problem:
        return FileCheck(False, problem)
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            rows = conn.execute("PRAGMA quick_check(20)" if quick else "PRAGMA integrity_check(20)").fetchall()
            result = "\n".join(r[0] for r in rows)
            if result != "ok":
                return FileCheck(False, check_result_detail(result), result)
            ours = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='hazard_point'").fetchone() is not None
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in (SQLITE_CORRUPT, SQLITE_NOTADB):
            return FileCheck(False, check_result_detail(str(exc)), str(exc))
        return FileCheck(False, "无法读取（文件夹只读、没有权限或文件被占用）", str(exc), readable=False)
    return FileCheck(True, version=version, is_hazardmap=ours)


def _remove(*paths: Path) -> None:
    for p in paths:
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass


def _typed(exc: OSError | sqlite3.Error, dest: Path, source: Path | None = None,
           what: str = "备份没有写成") -> StorageError:
    """The Chinese typed error for a failed copy to dest (reading a damaged source names the source)."""
    if isinstance(exc, sqlite3.Error):
        typed = _storage_error(exc, dest)
        if isinstance(typed, DatabaseDamaged):
            return DatabaseDamaged(source or dest, typed.detail, technical=typed.technical)
        if isinstance(typed, DiskFull):
            return DiskFull(f"磁盘空间不足（{dest.parent}），{what}：请清理磁盘后重试")
        if isinstance(typed, StorageError):
            return typed
        return StorageError(f"写入 {dest.parent} 失败（{check_result_detail(str(exc))}）")
    import errno

    if exc.errno == errno.ENOSPC:
        return DiskFull(f"磁盘空间不足（{dest.parent}），{what}：请清理磁盘后重试")
    return DataFolderUnusable(dest.parent, folder_problem(exc))


def _fsync(path: Path) -> None:
    with path.open("rb+") as f:
        os.fsync(f.fileno())


def copy_database(conn: sqlite3.Connection, dest: Path, *, source: Path | None = None) -> Path:
    """A consistent snapshot of an open database (SQLite's online backup API: a plain copy of a WAL
    database can be torn), one self-contained file at dest.part. Returns the .part path."""
    part = dest.with_name(dest.name + PART)
    try:
        create_private_file(part)  # before SQLite opens it, so it is never world-readable
        target = sqlite3.connect(part)
        try:
            conn.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # a backup is one file, no -wal beside it
        finally:
            target.close()
        _fsync(part)
    except (OSError, sqlite3.Error) as exc:
        _remove(part, part.with_name(part.name + "-journal"))
        raise _typed(exc, dest, source) from None
    return part


def copy_file(source: Path, dest: Path, *, what: str = "备份没有写成") -> Path:
    """A byte-for-byte copy (for a file SQLite must not open, e.g. a damaged database) to dest.part.
    Returns the .part path."""
    part = dest.with_name(dest.name + PART)
    try:
        create_private_file(part)
        with source.open("rb") as src, part.open("r+b") as out:
            shutil.copyfileobj(src, out, 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        _remove(part)
        raise _typed(exc, dest, what=what) from None
    return part


def settle(part: Path, dest: Path) -> Path:
    """Give a finished .part its final name in one step."""
    try:
        os.replace(part, dest)
    except OSError as exc:
        _remove(part)
        raise _typed(exc, dest) from None
    return dest


def discard(part: Path) -> None:
    _remove(part)


def copy_into(source: Path, conn: sqlite3.Connection) -> None:
    """Replace an open database's content with a file's, page by page: other connections see either
    the old or the new database, never a mix (the backup API takes the write lock for the last step)."""
    src = sqlite3.connect(_read_only_uri(source), uri=True)
    try:
        src.backup(conn)
    finally:
        src.close()
    conn.execute("PRAGMA journal_mode=WAL")


def point_seqs(conn: sqlite3.Connection) -> frozenset[int]:
    return frozenset(r[0] for r in conn.execute("SELECT seq FROM hazard_point"))
