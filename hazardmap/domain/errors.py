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


# ---- edits that meet a changed record (concurrent edits, undo) ---------------------------------

class StaleEdit(HazardmapError):
    """The record changed since the state this edit (or undo) was made from: refused, nothing written.
    what: the record in Chinese (e.g. "巡查记录 12")."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what}已被他人修改（另一窗口或另一台电脑），本次操作未保存；请刷新后重试")
        self.what = what
