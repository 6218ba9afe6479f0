"""SQLite: each point's 防灾预案表 (api.PlanRepository). Column names come from domain.plan.PLAN_KEYS,
a fixed tuple, never from user input."""
from __future__ import annotations

import json
import sqlite3

from hazardmap.domain.plan import PLAN_KEYS, PlanChange, PointPlan, empty_values


class SqlitePlans:
    versioned = True  # see SqlitePoints.versioned

    def get(self, conn: sqlite3.Connection, seq: int) -> PointPlan:
        row = conn.execute("SELECT * FROM point_plan WHERE point_seq = ?", (seq,)).fetchone()
        if row is None:
            return PointPlan(seq, empty_values())
        return PointPlan(seq, {k: row[k] for k in PLAN_KEYS}, row["changed_by"], row["changed_at"],
                         row["version"] if self.versioned else 1)

    def all(self, conn: sqlite3.Connection) -> dict[int, PointPlan]:
        return {r["point_seq"]: PointPlan(r["point_seq"], {k: r[k] for k in PLAN_KEYS}, r["changed_by"],
                                          r["changed_at"], r["version"] if self.versioned else 1)
                for r in conn.execute("SELECT * FROM point_plan ORDER BY point_seq")}

    def put(self, conn: sqlite3.Connection, plan: PointPlan) -> None:
        """Write the plan as given; an empty plan with no author removes the row (the undo of a first save)."""
        if plan.changed_by is None:
            conn.execute("DELETE FROM point_plan WHERE point_seq = ?", (plan.seq,))
            return
        columns = ("point_seq", *PLAN_KEYS, "changed_by", "changed_at")
        conn.execute(f"INSERT INTO point_plan ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                     f" ON CONFLICT (point_seq) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in columns[1:])}"
                     + (", version = point_plan.version + 1" if self.versioned else ""),
                     (plan.seq, *(plan.get(k) for k in PLAN_KEYS), plan.changed_by, plan.changed_at))

    def add_change(self, conn: sqlite3.Connection, seq: int, before: dict[str, str], after: dict[str, str], *,
                   by: str, at: str) -> None:
        conn.execute("INSERT INTO point_plan_change (point_seq, before_json, after_json, changed_by, changed_at)"
                     " VALUES (?,?,?,?,?)", (seq, json.dumps(before, ensure_ascii=False),
                                            json.dumps(after, ensure_ascii=False), by, at))

    def history(self, conn: sqlite3.Connection, seq: int) -> list[PlanChange]:
        return [PlanChange(r["point_seq"], json.loads(r["before_json"]), json.loads(r["after_json"]),
                           r["changed_by"], r["changed_at"])
                for r in conn.execute("SELECT * FROM point_plan_change WHERE point_seq = ? ORDER BY id", (seq,))]
