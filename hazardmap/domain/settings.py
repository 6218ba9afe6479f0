"""A stored setting of the bureau (e.g. the patrol intervals): its value and whether it is still the
shipped default."""
from __future__ import annotations

from dataclasses import KW_ONLY, dataclass


@dataclass(frozen=True)
class Stamped:
    """Who last set a value the bureau keeps (a setting, a rain threshold) and when; given by keyword."""
    _: KW_ONLY
    changed_by: str | None = None
    changed_at: str | None = None


@dataclass(frozen=True)
class Setting(Stamped):
    key: str
    value: str
    is_default: bool
    note: str = ""
