"""Errors carry a message in Chinese that can be shown to a user as it is."""
from __future__ import annotations


class HazardmapError(Exception):
    """Base: str(error) is the one-line Chinese reason."""


class InvalidInput(HazardmapError):
    pass


class NotFound(HazardmapError):
    pass


class Ambiguous(HazardmapError):
    def __init__(self, message: str, candidates: list) -> None:
        super().__init__(message)
        self.candidates = candidates


class OutsideCounty(InvalidInput):
    """A position outside the county outline: allowed only when the user insists (force)."""


# ---- The data folder and the database file (integrity) ------------------------------------------
# Raised before anything is written: the faces word the remedy their own way (a command, a button).

class StorageError(HazardmapError):
    """The data folder or a file in it cannot be used as it is (damaged, read-only, full)."""


class DataFolderUnusable(StorageError):
    def __init__(self, path, reason: str) -> None:
        super().__init__(f"数据文件夹 {path} 无法使用：{reason}")
        self.path = path
        self.reason = reason


class DiskFull(StorageError):
    """No space left where the database or a backup is written."""


class DatabaseDamaged(StorageError):
    """The database file fails SQLite's check (or is empty, cut short, or not a database at all).
    detail: Chinese; technical: SQLite's own words, for a technician; newest_good_backup: a Path or None."""

    def __init__(self, path, detail: str, newest_good_backup=None, technical: str = "") -> None:
        self.path = path
        self.detail = detail
        self.newest_good_backup = newest_good_backup
        self.technical = technical
        super().__init__(self._message())

    def _message(self) -> str:
        text = f"数据库文件 {self.path} 已损坏（{self.detail}）；为保护数据，本软件没有对它做任何写入"
        if self.newest_good_backup is not None:
            return f"{text}。最新的完好备份是 {self.newest_good_backup.name}"
        return f"{text}。没有找到完好的备份：请不要删除该文件，交技术人员处理"

    def with_backup(self, newest_good_backup) -> "DatabaseDamaged":
        return DatabaseDamaged(self.path, self.detail, newest_good_backup, self.technical)
