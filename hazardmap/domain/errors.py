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


# ---- files the app writes (hazardmap.files) ----------------------------------------------------

class FileExists(HazardmapError):
    """Writing would replace files the user already has: refused, nothing written. Each face words the
    remedy its own way (the CLI names --force; the window asks before replacing)."""

    def __init__(self, paths) -> None:
        from pathlib import Path

        self.paths = tuple(Path(p) for p in paths)
        super().__init__(f"{self.names}已存在，未做任何改动")

    @property
    def names(self) -> str:
        shown = "、".join(f"“{p.name}”" for p in self.paths[:3])
        return shown + (f" 等 {len(self.paths)} 个文件" if len(self.paths) > 3 else "")


class WriteFailed(HazardmapError):
    """The operating system refused a write (read-only folder, disk full, file open elsewhere...);
    nothing was left behind. reason: the cause in Chinese; errno: the OS error number, if any."""

    def __init__(self, path, reason: str, errno: int | None = None) -> None:
        super().__init__(f"无法写入“{path}”：{reason}")
        self.path = path
        self.reason = reason
        self.errno = errno
