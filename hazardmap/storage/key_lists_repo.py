"""SQLite: the yearly key lists and their entries (api.KeyListRepository)."""
from __future__ import annotations

import sqlite3
from typing import Sequence

from hazardmap.domain.key_lists import KeyList, KeyListEntry
from hazardmap.storage.sql import table_exists


FIRST_LIST = {"year": 2023, "name": "2023年度重点地质灾害隐患点", "doc_no": "清政办函〔2024〕2号 附件1"}


def seed_first_list(conn: sqlite3.Connection, rows: Sequence[dict[str, str]]) -> None:
    """The 2023 list exactly as the county's table gives it (data/key_points.csv: township, 村组,
    威胁对象, monitor, phone; 序号 = the point's seq), for each of its points in the database."""
    if conn.execute("SELECT COUNT(*) FROM key_list").fetchone()[0]:
        return
    present = {r[0] for r in conn.execute("SELECT seq FROM hazard_point")}
    list_id = conn.execute("INSERT INTO key_list (year, name, doc_no, created_by, created_at) VALUES (?,?,?,?,?)"
                           " RETURNING id",
                           (FIRST_LIST["year"], FIRST_LIST["name"], FIRST_LIST["doc_no"], "hazardmap",
                            "2024-01-01")).fetchone()[0]
    conn.executemany(
        "INSERT INTO key_list_entry (list_id, point_seq, row_no, township, place, threatened, monitor, phone)"
        " VALUES (?,?,?,?,?,?,?,?)",
        [(list_id, int(r["seq"]), int(r["seq"]), r["township"], r["village_group"], r["threatened"],
          r["monitor"], r["phone"]) for r in rows if int(r["seq"]) in present])


def _list(r: sqlite3.Row) -> KeyList:
    return KeyList(r["id"], r["year"], r["name"], r["doc_no"], r["n"], r["created_by"], r["created_at"])


def _entry(r: sqlite3.Row) -> KeyListEntry:
    return KeyListEntry(r["list_id"], r["point_seq"], r["row_no"], r["township"], r["place"], r["threatened"],
                        r["monitor"], r["phone"])


_LISTS = ("SELECT k.*, (SELECT COUNT(*) FROM key_list_entry e WHERE e.list_id = k.id) AS n FROM key_list k")


class SqliteKeyLists:
    def has_tables(self, conn: sqlite3.Connection) -> bool:
        return table_exists(conn, "key_list")

    def all(self, conn: sqlite3.Connection) -> list[KeyList]:
        """Oldest year first."""
        return [_list(r) for r in conn.execute(_LISTS + " ORDER BY k.year")]

    def by_year(self, conn: sqlite3.Connection, year: int) -> KeyList | None:
        row = conn.execute(_LISTS + " WHERE k.year = ?", (year,)).fetchone()
        return None if row is None else _list(row)

    def newest(self, conn: sqlite3.Connection) -> KeyList | None:
        row = conn.execute(_LISTS + " ORDER BY k.year DESC LIMIT 1").fetchone()
        return None if row is None else _list(row)

    def entries(self, conn: sqlite3.Connection, list_id: int) -> list[KeyListEntry]:
        """By 序号 (rows without one last), then point."""
        rows = conn.execute("SELECT * FROM key_list_entry WHERE list_id = ?"
                            " ORDER BY row_no IS NULL, row_no, point_seq", (list_id,))
        return [_entry(r) for r in rows]

    def seqs(self, conn: sqlite3.Connection, list_id: int) -> list[int]:
        return [r[0] for r in conn.execute("SELECT point_seq FROM key_list_entry WHERE list_id = ?"
                                           " ORDER BY row_no IS NULL, row_no, point_seq", (list_id,))]

    def years_of_point(self, conn: sqlite3.Connection, seq: int) -> list[int]:
        return [r[0] for r in conn.execute("SELECT k.year FROM key_list k JOIN key_list_entry e ON e.list_id = k.id"
                                           " WHERE e.point_seq = ? ORDER BY k.year", (seq,))]

    def add(self, conn: sqlite3.Connection, *, year: int, name: str, doc_no: str, by: str, at: str,
            entries: Sequence[KeyListEntry]) -> int:
        """A new list with its entries (their list_id is ignored); its id."""
        list_id = conn.execute("INSERT INTO key_list (year, name, doc_no, created_by, created_at) VALUES (?,?,?,?,?)"
                               " RETURNING id", (year, name, doc_no, by, at)).fetchone()[0]
        conn.executemany(
            "INSERT INTO key_list_entry (list_id, point_seq, row_no, township, place, threatened, monitor, phone)"
            " VALUES (?,?,?,?,?,?,?,?)",
            [(list_id, e.point_seq, e.row_no, e.township, e.place, e.threatened, e.monitor, e.phone)
             for e in entries])
        return list_id

    def delete(self, conn: sqlite3.Connection, list_id: int) -> None:
        """Only an import's undo removes a list (with its entries)."""
        conn.execute("DELETE FROM key_list_entry WHERE list_id = ?", (list_id,))
        conn.execute("DELETE FROM key_list WHERE id = ?", (list_id,))
