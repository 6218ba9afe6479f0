"""Enums whose members are ordered as declared (a work's status, a danger grade)."""
from __future__ import annotations

import enum


class Ranked(str, enum.Enum):
    """A text-valued enum whose members rank in the order they are declared: 0, 1, 2 …"""

    @property
    def rank(self) -> int:
        return list(type(self)).index(self)
