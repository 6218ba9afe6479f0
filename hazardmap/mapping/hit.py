"""What a click on the map lands on: the nearest gazetteer village with a position (for picking a
rain-gauge village by clicking), within a radius so a click in empty country picks nothing."""
from __future__ import annotations

from hazardmap.geodata.bundled import BundledData, Village
from hazardmap.domain.coordinates import distance_m

# Hengnan's village points lie a median 1.8 km from their nearest neighbour: within 1 km of a click
# the nearest one is the one meant; farther than that, the click was not on a village.
PICK_RADIUS_M = 1000.0


def nearest_village(bundled: BundledData, lon: float, lat: float,
                    radius_m: float = PICK_RADIUS_M) -> tuple[Village, float] | None:
    """(village, distance in metres) of the closest located village within radius_m, else None."""
    best: tuple[Village, float] | None = None
    for v in bundled.villages:
        if v.lon is None:
            continue
        d = distance_m(lon, lat, v.lon, v.lat)
        if d <= radius_m and (best is None or d < best[1]):
            best = (v, d)
    return best
