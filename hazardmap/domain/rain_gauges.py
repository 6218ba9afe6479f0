"""The 2023 rain-gauge programme: 15 village sites, assigned by staff (the document names none)."""
from __future__ import annotations

from dataclasses import dataclass

PROGRAMME_SLOTS = 15


@dataclass(frozen=True)
class RainGaugeSite:
    slot: int
    village_code: str | None
    village: str | None
    township: str | None
    lon: float | None
    lat: float | None
    assigned_by: str | None
    assigned_at: str | None

    @property
    def assigned(self) -> bool:
        return self.village_code is not None
