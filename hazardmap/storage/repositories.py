"""The repositories a backend offers (storage.api.Backend), as store.db.<name>. One set of classes
serves SQLite and PostgreSQL (storage/pg/connection.py); only points and the map's box query differ
(storage/pg/repos.py)."""
from __future__ import annotations

from hazardmap.storage.fund_repo import SqliteFund
from hazardmap.storage.key_lists_repo import SqliteKeyLists
from hazardmap.storage.map_repo import SqliteMapPoints
from hazardmap.storage.patrol_repo import SqlitePatrol
from hazardmap.storage.plan_repo import SqlitePlans
from hazardmap.storage.points_repo import SqlitePoints
from hazardmap.storage.rain_gauges_repo import SqliteRainGauges
from hazardmap.storage.rain_repo import SqliteRain
from hazardmap.storage.reference_layers_repo import SqliteReferenceLayers
from hazardmap.storage.settings_repo import SqliteSettings


class Repositories:
    def __init__(self, points: SqlitePoints, map_points: SqliteMapPoints | None = None) -> None:
        self.points = points
        self.map_points = map_points or SqliteMapPoints()
        self.rain_gauges = SqliteRainGauges()
        self.plans = SqlitePlans()
        self.patrol = SqlitePatrol()
        self.settings = SqliteSettings()
        self.key_lists = SqliteKeyLists()
        self.rain = SqliteRain()
        self.fund = SqliteFund()
        self.reference_layers = SqliteReferenceLayers()
