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
