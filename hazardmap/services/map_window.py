"""The map of a large register (a province: hundreds of thousands of points) asks for what its view
shows: the points inside the visible box one by one when few, else how many lie in each grid cell.

Small registers (the county's: tens to a couple of thousand points) keep the one whole page
(mapping/page.py); above VIEW_QUERY_ABOVE located points the window switches to these queries.
Counting per cell is done by the database (storage map_points.cells) or, in the window, by a Grid: the
view's positions held once in memory (a few MB for 290,000 points), which cluster a whole province in
milliseconds where the database needs a few hundred. The individual points and their latest patrol are
always read from the database, only for the points sent."""
from __future__ import annotations

from dataclasses import dataclass, field

from hazardmap.domain.key_lists import View
from hazardmap.domain.map_query import Box, Cell, cell_origin
from hazardmap.domain.patrol_status import LatestPatrol
from hazardmap.domain.points import HazardKind, HazardPoint
from hazardmap.services.views import which
from hazardmap.services.store import Store

VIEW_QUERY_ABOVE = 2000   # located points in a view above which the map asks per view
POINTS_AT_MOST = 1500     # a box with at most this many points gets them one by one
CELL_PX = 80              # a cluster's grid cell on screen, in pixels


def cell_size(zoom: float) -> float:
    """Degrees of longitude spanned by CELL_PX pixels at a web-map zoom level."""
    return 360.0 / (256 * 2 ** zoom) * CELL_PX


def located_count(store: Store, view: View | None) -> int:
    with store.db.read() as s:
        return store.db.map_points.count(s, which(store, view))


def count(store: Store, view: View | None, township: str | None = None,
          hazard_type: str | None = None) -> tuple[int, int]:
    """(points in the view passing the filters, of which located), counted by the database without
    reading them."""
    w = which(store, view, township, hazard_type)
    with store.db.read() as s:
        return store.db.map_points.count(s, w, located=False), store.db.map_points.count(s, w)


def located_in(store: Store, view: View | None, township: str | None, hazard_type: str | None,
               grid: "Grid | None" = None) -> int:
    """Located points of the view passing the filters (by the grid when it can answer)."""
    if grid is not None and grid.answers(township, hazard_type):
        return int(grid.select(Box(-180.0, -90.0, 180.0, 90.0), township, hazard_type).sum())
    with store.db.read() as s:
        return store.db.map_points.count(s, which(store, view, township, hazard_type))


def filter_choices(store: Store, view: View | None) -> tuple[list[str], list[str]]:
    """The townships and hazard types the view's located points have (the window's filter lists)."""
    w = which(store, view)
    with store.db.read() as s:
        return store.db.map_points.townships(s, w), store.db.map_points.hazard_types(s, w)


@dataclass
class BoxResult:
    total: int                          # points in the box (after the filters)
    points: list[HazardPoint] = field(default_factory=list)   # when total <= POINTS_AT_MOST
    latest: dict[int, LatestPatrol] = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)           # otherwise


class Grid:
    """The located points of one view in memory (numpy: seq, position, hazard type, last patrol), to count
    per cell without the database. Built again after any change to the points (the window drops it then). A
    township filter is left to the database (an index on township answers it at once)."""

    def __init__(self, rows: list[tuple[int, float, float, int, int]], types: list[str]) -> None:
        import numpy as np

        arr = np.array(rows, dtype=np.float64).reshape(-1, 5)
        self.seq = arr[:, 0].astype(np.int64)
        self.lon = np.ascontiguousarray(arr[:, 1])
        self.lat = np.ascontiguousarray(arr[:, 2])
        self.type = arr[:, 3].astype(np.int8)
        self.patrol = arr[:, 4].astype(np.int8)   # last patrol: 2 危险, 1 异常, 0 正常 or none
        self.types = {t: i for i, t in enumerate(types)}

    @classmethod
    def load(cls, store: Store, view: View | None) -> "Grid":
        types = [k.value for k in HazardKind]   # the register's six kinds (the hazard_type they write)
        w = which(store, view)
        with store.db.read() as s:
            return cls(store.db.map_points.located(s, w, types), types)

    def __len__(self) -> int:
        return len(self.seq)

    def answers(self, township: str | None, hazard_type: str | None) -> bool:
        """Whether the grid can select with these filters (else the database does)."""
        return township is None and (hazard_type is None or hazard_type in self.types)

    def select(self, box: Box, township: str | None = None, hazard_type: str | None = None):
        """A mask of the points in the box (edges included, as SQL's BETWEEN) and the filters."""
        mask = (self.lon >= box.west) & (self.lon <= box.east) & (self.lat >= box.south) & (self.lat <= box.north)
        if township is not None or (hazard_type is not None and hazard_type not in self.types):
            raise ValueError("filter the grid cannot answer (see answers())")
        if hazard_type is not None:
            mask &= self.type == self.types[hazard_type]
        return mask

    def seqs(self, mask) -> list[int]:
        return self.seq[mask].tolist()

    def cells(self, mask, box: Box, size: float) -> list[Cell]:
        """As storage map_points.cells: the same cells, counts and mean positions, in the same order."""
        import numpy as np

        lon, lat, patrol = self.lon[mask], self.lat[mask], self.patrol[mask]
        if not len(lon):
            return []
        cx = np.floor((lon - cell_origin(box.west, size)) / size).astype(np.int64)
        cy = np.floor((lat - cell_origin(box.south, size)) / size).astype(np.int64)
        ny = int(cy.max()) + 1
        key = cx * ny + cy   # dense: a province at the coarsest zoom has a few thousand cells at most
        n = np.bincount(key)
        sx = np.bincount(key, weights=lon)
        sy = np.bincount(key, weights=lat)
        danger = np.bincount(key, weights=patrol == 2, minlength=len(n))
        abnormal = np.bincount(key, weights=patrol == 1, minlength=len(n))
        used = np.flatnonzero(n)
        return [Cell(int(c), float(x / c), float(y / c), int(d), int(a))
                for c, x, y, d, a in zip(n[used].tolist(), sx[used].tolist(), sy[used].tolist(),
                                         danger[used].tolist(), abnormal[used].tolist())]


def query(store: Store, view: View | None, box: Box, zoom: float, *, township: str | None = None,
          hazard_type: str | None = None, grid: Grid | None = None) -> BoxResult:
    """What the map shows in this box at this zoom: the points one by one (with their latest patrol)
    when at most POINTS_AT_MOST, else their counts per cell (by the grid when given, else by the database)."""
    w = which(store, view, township, hazard_type)
    size = cell_size(zoom)
    if grid is not None and not grid.answers(township, hazard_type):
        grid = None
    with store.db.read() as s:
        repo = store.db.map_points
        if grid is not None:
            mask = grid.select(box, township, hazard_type)
            total = int(mask.sum())
        else:
            mask, total = None, repo.count(s, w, box)
        if total > POINTS_AT_MOST:
            return BoxResult(total, cells=grid.cells(mask, box, size) if grid is not None else repo.cells(s, w, box, size))
        # The grid knows which points: read them by seq (the box query would walk the whole filtered view).
        points = repo.get_many(s, grid.seqs(mask)) if grid is not None else repo.in_box(s, w, box, POINTS_AT_MOST)
        latest = {}
        if points and store.db.patrol.has_tables(s):
            latest = {seq: LatestPatrol(seq, judgement, at)
                      for seq, (at, _id, judgement) in repo.latest(s, [p.seq for p in points]).items()}
    return BoxResult(total, points=points, latest=latest)
