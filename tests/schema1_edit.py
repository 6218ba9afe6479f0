"""The edit a user of schema version 1 made, written as that version's tables took it: point 3's
location corrected by 王某. Upgrade tests (SQLite and PostgreSQL) check it survives every migration."""
from __future__ import annotations


def correct_point_3(tx) -> None:
    tx.execute("UPDATE hazard_point SET lon=112.61, lat=26.75, precision='surveyed', source='GPS' WHERE seq=3")
    tx.execute("INSERT INTO location_change (point_seq, old_lon, old_lat, old_precision, old_source, new_lon,"
               " new_lat, datum_entered, entered_lon, entered_lat, source, changed_by, changed_at)"
               " VALUES (3, NULL, NULL, 'none', '', 112.61, 26.75, 'wgs84', 112.61, 26.75, 'GPS', '王某',"
               " '2024-05-03T10:00:00+08:00')")
