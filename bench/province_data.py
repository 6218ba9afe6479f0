"""A synthetic province for the map benches (not real data, never stored in the repository): N hazard
points with monitors spread over Hunan's bounding box in clumps around synthetic township centres, and
a few patrol entries, written into a data folder the bench makes in a temporary folder."""
from __future__ import annotations

import random

from hazardmap.domain.points import HazardKind, HazardPoint, Precision

# Hunan's bounding box (CGCS2000 degrees): where the synthetic points lie.
WEST, EAST, SOUTH, NORTH = 108.8, 114.3, 24.6, 30.1
TOWNSHIPS = 2000           # synthetic township centres; points clump around them
FIRST_SEQ = 100_001        # far above the county's own points
KINDS = [k.value for k in HazardKind]


def township_name(i: int) -> str:
    return f"合成{i:04d}镇"


def synthetic_points(n: int, seed: int = 20261123) -> list[HazardPoint]:
    rng = random.Random(seed)
    centres = [(rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH)) for _ in range(TOWNSHIPS)]
    out = []
    for i in range(n):
        t = rng.randrange(TOWNSHIPS)
        cx, cy = centres[t]
        lon = min(EAST, max(WEST, rng.gauss(cx, 0.06)))
        lat = min(NORTH, max(SOUTH, rng.gauss(cy, 0.05)))
        seq = FIRST_SEQ + i
        out.append(HazardPoint(seq=seq, township=township_name(t), village_group=f"合成村{i % 97}组",
                               village_code="", threatened=f"{rng.randint(1, 30)}户", hazard_type=rng.choice(KINDS),
                               monitor=f"合成监测员{i % 5000}", phone=f"000{i:08d}", lon=round(lon, 6),
                               lat=round(lat, 6), precision=Precision.VILLAGE, source="synthetic"))
    return out


def fill(store, n: int, patrols: int = 20_000, seed: int = 20261123) -> list[HazardPoint]:
    """Write n synthetic points (and `patrols` patrol entries on random ones) into the store."""
    from hazardmap.domain.patrol import PatrolDraft
    from hazardmap.domain.patrol_status import Judgement

    points = synthetic_points(n, seed)
    with store.db.write() as s:
        for i in range(0, len(points), 20_000):
            store.db.points.insert_many(s, points[i:i + 20_000])
    rng = random.Random(seed + 1)
    judgements = [Judgement.NORMAL] * 8 + [Judgement.ABNORMAL, Judgement.DANGER]
    with store.db.write() as s:
        for _ in range(patrols):
            p = points[rng.randrange(n)]
            draft = PatrolDraft(point_seq=p.seq, at=f"2026-0{rng.randint(1, 9)}-{rng.randint(10, 28)} 09:00",
                                by=p.monitor, judgement=rng.choice(judgements))
            store.db.patrol.insert(s, draft, by="bench", at="2026-11-01T00:00:00+08:00")
    return points
