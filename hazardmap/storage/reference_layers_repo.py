"""SQLite: reference layers and their features (api.ReferenceLayerRepository)."""
from __future__ import annotations

import sqlite3

from hazardmap.domain.reference_layers import LayerRole, ReferenceFeature, ReferenceLayer
from hazardmap.storage.sql import table_exists

_SELECT = ("SELECT l.*, (SELECT COUNT(*) FROM reference_feature f WHERE f.layer_id = l.id) AS n"
           " FROM reference_layer l")


def _layer(r: sqlite3.Row) -> ReferenceLayer:
    return ReferenceLayer(r["id"], r["name"], r["kind"], LayerRole(r["role"]), r["source"], bool(r["visible"]),
                          r["n"], r["created_by"], r["created_at"])


class SqliteReferenceLayers:
    def all(self, conn: sqlite3.Connection) -> list[ReferenceLayer]:
        if not self.has_tables(conn):
            return []
        return [_layer(r) for r in conn.execute(_SELECT + " ORDER BY l.id")]

    def has_tables(self, conn: sqlite3.Connection) -> bool:
        return table_exists(conn, "reference_layer")

    def by_name(self, conn: sqlite3.Connection, name: str) -> ReferenceLayer | None:
        r = conn.execute(_SELECT + " WHERE l.name = ?", (name,)).fetchone()
        return _layer(r) if r else None

    def get(self, conn: sqlite3.Connection, layer_id: int) -> ReferenceLayer | None:
        r = conn.execute(_SELECT + " WHERE l.id = ?", (layer_id,)).fetchone()
        return _layer(r) if r else None

    def features(self, conn: sqlite3.Connection, layer_id: int) -> list[ReferenceFeature]:
        return [ReferenceFeature(r[0], bytes(r[1]), r[2]) for r in conn.execute(
            "SELECT label, wkb, attrs_json FROM reference_feature WHERE layer_id = ? ORDER BY id", (layer_id,))]

    def insert(self, conn: sqlite3.Connection, *, name: str, kind: str, role: LayerRole, source: str,
               features: list[ReferenceFeature], by: str, at: str, layer_id: int | None = None) -> int:
        cur = conn.execute("INSERT INTO reference_layer (id, name, kind, role, source, visible, created_by, created_at)"
                           " VALUES (?,?,?,?,?,1,?,?) RETURNING id", (layer_id, name, kind, role.value, source, by, at))
        new_id = cur.fetchone()[0]
        conn.executemany("INSERT INTO reference_feature (layer_id, label, wkb, attrs_json) VALUES (?,?,?,?)",
                         [(new_id, f.label, f.wkb, f.attrs_json) for f in features])
        return new_id

    def delete(self, conn: sqlite3.Connection, layer_id: int) -> None:
        conn.execute("DELETE FROM reference_feature WHERE layer_id = ?", (layer_id,))
        conn.execute("DELETE FROM reference_layer WHERE id = ?", (layer_id,))

    def set_visible(self, conn: sqlite3.Connection, layer_id: int, visible: bool) -> None:
        conn.execute("UPDATE reference_layer SET visible = ? WHERE id = ?", (int(visible), layer_id))
