"""SQLite: the year's programme (api.FundRepository): plan years and lines, spending, works with their
points and documents, 三查 records, monitor replacements."""
from __future__ import annotations

import json
import sqlite3
from typing import Sequence

from hazardmap.domain.fund import FEN, CheckRecord, FundLine, FundYear, LineKind, MonitorReplacement, Phase, \
    Spending, Work, WorkDoc, WorkStatus
from hazardmap.storage.sql import table_exists


def seed_2023(conn: sqlite3.Connection, bundled) -> None:
    """The 2023 plan as 清政办函〔2024〕2号 writes it (data/fund_plan_2023.json) and the seven works of its
    annex 2 (data/emergency_works_2023.csv), each linked to the key point it names (items 2 and 5)."""
    if conn.execute("SELECT COUNT(*) FROM fund_year").fetchone()[0]:
        return
    plan = bundled.fund_plan_2023
    year = int(plan["year"])
    conn.execute("INSERT INTO fund_year (year, title, doc_no, issued_on, headline_fen, headline_text, township_rate_fen,"
                 " monitor_rate_fen, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                 (year, plan["title"], plan["doc_no"], plan["issued_on"], int(plan["headline_yuan"]) * FEN,
                  plan["headline_text"], int(plan["township_rate_yuan"]) * FEN, int(plan["monitor_rate_yuan"]) * FEN,
                  "hazardmap", "2024-04-17"))
    conn.executemany("INSERT INTO fund_line (year, position, numeral, part, title, budget_fen, kind) VALUES (?,?,?,?,?,?,?)",
                     [(year, i, ln["numeral"], ln["part"], ln["title"], int(ln["budget_yuan"]) * FEN, ln["kind"])
                      for i, ln in enumerate(plan["lines"], start=1)])
    present = {r[0] for r in conn.execute("SELECT seq FROM hazard_point")}
    names = [t.name for t in bundled.townships]
    for w in bundled.emergency_works:
        township = next((n for n in names if w.site.startswith(n)), "")
        work_id = conn.execute("INSERT INTO fund_work (year, seq, site, township, budget_fen) VALUES (?,?,?,?,?)"
                               " RETURNING id", (year, w.seq, w.site, township, w.amount_yuan * FEN)).fetchone()[0]
        if w.key_point_seq is not None and w.key_point_seq in present:
            conn.execute("INSERT INTO fund_work_point (work_id, point_seq) VALUES (?,?)", (work_id, w.key_point_seq))


def _year(r: sqlite3.Row) -> FundYear:
    return FundYear(r["year"], r["title"], r["doc_no"], r["issued_on"], r["headline_fen"], r["headline_text"],
                    r["township_rate_fen"], r["monitor_rate_fen"], r["closed_on"], r["closed_by"])


def _line(r: sqlite3.Row) -> FundLine:
    return FundLine(r["id"], r["year"], r["position"], r["numeral"], r["part"], r["title"], r["budget_fen"],
                    LineKind(r["kind"]))


def _spending(r: sqlite3.Row) -> Spending:
    return Spending(r["id"], r["line_id"], r["spent_on"], r["amount_fen"], r["payee"], r["voucher"], r["note"],
                    r["over_reason"], r["work_id"], r["recorded_by"], r["recorded_at"], bool(r["cross_year"]))


def _check(r: sqlite3.Row) -> CheckRecord:
    return CheckRecord(r["year"], r["township"], Phase(r["phase"]), r["done_on"], r["done_by"], r["points_checked"],
                       r["problems"], note=r["note"], recorded_by=r["recorded_by"], recorded_at=r["recorded_at"])


def _replacement(r: sqlite3.Row) -> MonitorReplacement:
    return MonitorReplacement(r["id"], r["year"], r["point_seq"], r["effective_on"], r["monitor"], r["phone"],
                              note=r["note"], recorded_by=r["recorded_by"], recorded_at=r["recorded_at"])


_WORK_COLUMNS = ("site", "township", "budget_fen", "status", "started_on", "finished_on", "accepted_on", "contractor",
                 "note")


class SqliteFund:
    def has_tables(self, conn: sqlite3.Connection) -> bool:
        return table_exists(conn, "fund_year")

    # ---- years and lines
    def years(self, conn: sqlite3.Connection) -> list[FundYear]:
        return [_year(r) for r in conn.execute("SELECT * FROM fund_year ORDER BY year")]

    def year(self, conn: sqlite3.Connection, year: int) -> FundYear | None:
        r = conn.execute("SELECT * FROM fund_year WHERE year = ?", (year,)).fetchone()
        return None if r is None else _year(r)

    def set_closed(self, conn: sqlite3.Connection, year: int, on: str | None, by: str | None) -> None:
        conn.execute("UPDATE fund_year SET closed_on = ?, closed_by = ? WHERE year = ?", (on, by, year))

    def insert_year(self, conn: sqlite3.Connection, fy: FundYear, *, by: str, at: str) -> None:
        conn.execute("INSERT INTO fund_year (year, title, doc_no, issued_on, headline_fen, headline_text, township_rate_fen,"
                     " monitor_rate_fen, closed_on, closed_by, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                     (fy.year, fy.title, fy.doc_no, fy.issued_on, fy.headline_fen, fy.headline_text, fy.township_rate_fen,
                      fy.monitor_rate_fen, fy.closed_on, fy.closed_by, by, at))

    def delete_year(self, conn: sqlite3.Connection, year: int) -> None:
        """Only the undo of a new year (nothing recorded against it): its lines and the year."""
        conn.execute("DELETE FROM fund_line WHERE year = ?", (year,))
        conn.execute("DELETE FROM fund_year WHERE year = ?", (year,))

    def year_records(self, conn: sqlite3.Connection, year: int) -> int:
        """Spending, works, 三查 records and monitor replacements held by the year."""
        return conn.execute(
            "SELECT (SELECT COUNT(*) FROM fund_spending s JOIN fund_line l ON l.id = s.line_id WHERE l.year = ?)"
            " + (SELECT COUNT(*) FROM fund_work WHERE year = ?) + (SELECT COUNT(*) FROM fund_check WHERE year = ?)"
            " + (SELECT COUNT(*) FROM fund_monitor_change WHERE year = ?)", (year,) * 4).fetchone()[0]

    def put_lines(self, conn: sqlite3.Connection, year: int, lines: Sequence[FundLine]) -> list[FundLine]:
        """The year's lines become exactly these (an id 0 gets a new row; else that row again, for a redo)."""
        conn.execute("DELETE FROM fund_line WHERE year = ?", (year,))
        out = []
        for ln in lines:
            line_id = conn.execute("INSERT INTO fund_line (id, year, position, numeral, part, title, budget_fen, kind)"
                                   " VALUES (?,?,?,?,?,?,?,?) RETURNING id",
                                   (ln.id or None, year, ln.position, ln.numeral, ln.part, ln.title, ln.budget_fen,
                                    ln.kind.value)).fetchone()[0]
            out.append(FundLine(line_id, year, ln.position, ln.numeral, ln.part, ln.title, ln.budget_fen, ln.kind))
        return out

    def set_headline(self, conn: sqlite3.Connection, year: int, fen: int | None, text: str) -> None:
        conn.execute("UPDATE fund_year SET headline_fen = ?, headline_text = ? WHERE year = ?", (fen, text, year))

    def lines(self, conn: sqlite3.Connection, year: int) -> list[FundLine]:
        return [_line(r) for r in conn.execute("SELECT * FROM fund_line WHERE year = ? ORDER BY position, id", (year,))]

    def spent_by_line(self, conn: sqlite3.Connection, year: int) -> dict[int, tuple[int, int]]:
        """line id -> (sum in fen, count)."""
        rows = conn.execute("SELECT s.line_id, SUM(s.amount_fen), COUNT(*) FROM fund_spending s"
                            " JOIN fund_line l ON l.id = s.line_id WHERE l.year = ? GROUP BY s.line_id", (year,))
        return {r[0]: (r[1], r[2]) for r in rows}

    # ---- spending
    def spendings(self, conn: sqlite3.Connection, year: int, line_id: int | None = None) -> list[Spending]:
        sql = ("SELECT s.* FROM fund_spending s JOIN fund_line l ON l.id = s.line_id WHERE l.year = ?"
               + (" AND s.line_id = ?" if line_id is not None else "") + " ORDER BY s.spent_on, s.id")
        return [_spending(r) for r in conn.execute(sql, (year, line_id) if line_id is not None else (year,))]

    def spending(self, conn: sqlite3.Connection, spending_id: int) -> Spending | None:
        r = conn.execute("SELECT * FROM fund_spending WHERE id = ?", (spending_id,)).fetchone()
        return None if r is None else _spending(r)

    def insert_spending(self, conn: sqlite3.Connection, sp: Spending) -> int:
        """A new row (sp.id 0) or the same row again under its id (the redo of an undone spending)."""
        cur = conn.execute("INSERT INTO fund_spending (id, line_id, spent_on, amount_fen, payee, voucher, note, over_reason,"
                           " work_id, recorded_by, recorded_at, cross_year) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                           (sp.id or None, sp.line_id, sp.spent_on, sp.amount_fen, sp.payee, sp.voucher, sp.note,
                            sp.over_reason, sp.work_id, sp.recorded_by, sp.recorded_at, int(sp.cross_year)))
        return cur.fetchone()[0]

    def delete_spending(self, conn: sqlite3.Connection, spending_id: int) -> None:
        conn.execute("DELETE FROM fund_spending WHERE id = ?", (spending_id,))

    # ---- works
    def works(self, conn: sqlite3.Connection, year: int | None = None, point_seq: int | None = None) -> list[Work]:
        sql, args = "SELECT * FROM fund_work", []
        if point_seq is not None:
            sql += " WHERE id IN (SELECT work_id FROM fund_work_point WHERE point_seq = ?)"
            args.append(point_seq)
        if year is not None:
            sql += (" AND" if args else " WHERE") + " year = ?"
            args.append(year)
        return [self._work(conn, r) for r in conn.execute(sql + " ORDER BY year, seq", args).fetchall()]

    def work(self, conn: sqlite3.Connection, work_id: int) -> Work | None:
        r = conn.execute("SELECT * FROM fund_work WHERE id = ?", (work_id,)).fetchone()
        return None if r is None else self._work(conn, r)

    def _work(self, conn: sqlite3.Connection, r: sqlite3.Row) -> Work:
        points = tuple(x[0] for x in conn.execute("SELECT point_seq FROM fund_work_point WHERE work_id = ? ORDER BY point_seq",
                                                  (r["id"],)))
        docs = tuple(WorkDoc(d["id"], d["work_id"], d["path"], d["original_name"], d["added_by"], d["added_at"])
                     for d in conn.execute("SELECT * FROM fund_work_doc WHERE work_id = ? ORDER BY id", (r["id"],)))
        return Work(r["id"], r["year"], r["seq"], r["site"], r["township"], r["budget_fen"], WorkStatus(r["status"]),
                    r["started_on"], r["finished_on"], r["accepted_on"], r["contractor"], r["note"], points, docs)

    def next_work_seq(self, conn: sqlite3.Connection, year: int) -> int:
        return conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM fund_work WHERE year = ?", (year,)).fetchone()[0]

    def insert_work(self, conn: sqlite3.Connection, w: Work) -> int:
        cur = conn.execute("INSERT INTO fund_work (id, year, seq, site, township, budget_fen, status, started_on, finished_on,"
                           " accepted_on, contractor, note) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                           (w.id or None, w.year, w.seq, w.site, w.township, w.budget_fen, w.status.value, w.started_on,
                            w.finished_on, w.accepted_on, w.contractor, w.note))
        work_id = cur.fetchone()[0]
        self.set_work_points(conn, work_id, w.points)
        return work_id

    def delete_work(self, conn: sqlite3.Connection, work_id: int) -> None:
        """Only the undo of an add (a work with no documents and no spending)."""
        conn.execute("DELETE FROM fund_work_point WHERE work_id = ?", (work_id,))
        conn.execute("DELETE FROM fund_work WHERE id = ?", (work_id,))

    def update_work(self, conn: sqlite3.Connection, work_id: int, values: dict[str, object]) -> None:
        """Work.values() keys -> new values (column names from a fixed tuple, never from input)."""
        cols = {k: v for k, v in values.items() if k in _WORK_COLUMNS}
        if cols:
            conn.execute(f"UPDATE fund_work SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?",
                         (*cols.values(), work_id))
        if "points" in values:
            self.set_work_points(conn, work_id, values["points"])  # type: ignore[arg-type]

    def set_work_points(self, conn: sqlite3.Connection, work_id: int, points: Sequence[int]) -> None:
        conn.execute("DELETE FROM fund_work_point WHERE work_id = ?", (work_id,))
        conn.executemany("INSERT INTO fund_work_point (work_id, point_seq) VALUES (?,?)",
                         [(work_id, p) for p in sorted(set(points))])

    def work_has_records(self, conn: sqlite3.Connection, work_id: int) -> bool:
        return bool(conn.execute("SELECT (SELECT COUNT(*) FROM fund_work_doc WHERE work_id = ?) +"
                                 " (SELECT COUNT(*) FROM fund_spending WHERE work_id = ?)", (work_id, work_id)).fetchone()[0])

    def add_work_docs(self, conn: sqlite3.Connection, work_id: int, docs: Sequence[tuple[str, str]], *, by: str,
                      at: str) -> list[int]:
        return [conn.execute("INSERT INTO fund_work_doc (work_id, path, original_name, added_by, added_at) VALUES (?,?,?,?,?)"
                             " RETURNING id", (work_id, rel, name, by, at)).fetchone()[0] for rel, name in docs]

    def delete_work_docs(self, conn: sqlite3.Connection, doc_ids: Sequence[int]) -> None:
        conn.executemany("DELETE FROM fund_work_doc WHERE id = ?", [(i,) for i in doc_ids])

    def restore_work_docs(self, conn: sqlite3.Connection, docs: Sequence[WorkDoc]) -> None:
        conn.executemany("INSERT INTO fund_work_doc (id, work_id, path, original_name, added_by, added_at) VALUES (?,?,?,?,?,?)",
                         [(d.id, d.work_id, d.path, d.original_name, d.added_by, d.added_at) for d in docs])

    def add_work_change(self, conn: sqlite3.Connection, work_id: int, before: dict | None, after: dict | None, *, by: str,
                        at: str) -> None:
        conn.execute("INSERT INTO fund_work_change (work_id, before_json, after_json, changed_by, changed_at) VALUES (?,?,?,?,?)",
                     (work_id, None if before is None else json.dumps(before, ensure_ascii=False),
                      None if after is None else json.dumps(after, ensure_ascii=False), by, at))

    def work_changes(self, conn: sqlite3.Connection, work_id: int) -> list[tuple[dict | None, dict | None, str, str]]:
        return [(json.loads(r[0]) if r[0] else None, json.loads(r[1]) if r[1] else None, r[2], r[3])
                for r in conn.execute("SELECT before_json, after_json, changed_by, changed_at FROM fund_work_change"
                                      " WHERE work_id = ? ORDER BY id", (work_id,))]

    # ---- 三查
    def checks(self, conn: sqlite3.Connection, year: int) -> list[CheckRecord]:
        return [_check(r) for r in conn.execute("SELECT * FROM fund_check WHERE year = ? ORDER BY township, phase", (year,))]

    def check(self, conn: sqlite3.Connection, year: int, township: str, phase: Phase) -> CheckRecord | None:
        r = conn.execute("SELECT * FROM fund_check WHERE year = ? AND township = ? AND phase = ?",
                         (year, township, phase.value)).fetchone()
        return None if r is None else _check(r)

    def insert_check(self, conn: sqlite3.Connection, c: CheckRecord) -> None:
        conn.execute("INSERT INTO fund_check (year, township, phase, done_on, done_by, points_checked, problems, note,"
                     " recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                     (c.year, c.township, c.phase.value, c.done_on, c.done_by, c.points_checked, c.problems, c.note,
                      c.recorded_by, c.recorded_at))

    def delete_check(self, conn: sqlite3.Connection, year: int, township: str, phase: Phase) -> None:
        conn.execute("DELETE FROM fund_check WHERE year = ? AND township = ? AND phase = ?", (year, township, phase.value))

    # ---- monitor replacements
    def replacements(self, conn: sqlite3.Connection, year: int) -> list[MonitorReplacement]:
        return [_replacement(r) for r in conn.execute("SELECT * FROM fund_monitor_change WHERE year = ?"
                                                      " ORDER BY point_seq, effective_on", (year,))]

    def insert_replacement(self, conn: sqlite3.Connection, m: MonitorReplacement) -> int:
        return conn.execute("INSERT INTO fund_monitor_change (id, year, point_seq, effective_on, monitor, phone, note,"
                            " recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
                            (m.id or None, m.year, m.point_seq, m.effective_on, m.monitor, m.phone, m.note, m.recorded_by,
                             m.recorded_at)).fetchone()[0]

    def replacement(self, conn: sqlite3.Connection, rid: int) -> MonitorReplacement | None:
        r = conn.execute("SELECT * FROM fund_monitor_change WHERE id = ?", (rid,)).fetchone()
        return None if r is None else _replacement(r)

    def delete_replacement(self, conn: sqlite3.Connection, rid: int) -> None:
        conn.execute("DELETE FROM fund_monitor_change WHERE id = ?", (rid,))

    def patrol_counts(self, conn: sqlite3.Connection, point_seq: int, start: str, end: str) -> int:
        """Live patrol entries at a point from start to end (dates, inclusive)."""
        return conn.execute("SELECT COUNT(*) FROM patrol_log WHERE point_seq = ? AND deleted_at IS NULL"
                            " AND patrolled_at >= ? AND patrolled_at < ?",
                            (point_seq, start, end + "\uffff")).fetchone()[0]
