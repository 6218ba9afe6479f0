"""A stored setting of the bureau (e.g. the patrol intervals): its value and whether it is still the
shipped default."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    key: str
    value: str
    is_default: bool
    note: str = ""
    changed_by: str | None = None
    changed_at: str | None = None
