"""Exports are data, not code: text a user typed (monitor names, patrol notes, actions, patroller names)
is written to .xlsx as strings (no formula cell anywhere) and to .csv neutralised as OWASP's CSV
injection page advises, and importing the export gives back exactly what was typed."""
from __future__ import annotations

import csv
import random

import pytest
from openpyxl import load_workbook

from bad_sheets import formula_cells
from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.patrol import PatrolDraft
from hazardmap.domain.validation import check_phone
from hazardmap.services import patrol as svc
from hazardmap.services import patrol_excel as xl
from hazardmap.services.points import set_monitor
from hazardmap.services.spreadsheet import neutralise, unneutralise

# Text that Excel (or LibreOffice) would run or show as something else if written as typed.
PAYLOADS = ["=1+1", "+1", "-1", "@SUM(A1)", "=cmd|' /C calc'!A0", '=HYPERLINK("http://x.invalid","点")',
            "'=已加引号", "#N/A", "-", "=", "''", "+86 备注", "-坡脚有水", "@全体"]


def fill(store):
    for seq, text in enumerate(PAYLOADS, start=1):
        set_monitor(store, seq, name=text)
        svc.record(store, PatrolDraft(seq, f"2025-06-{seq:02d} 08:00", text[:40], "正常", note=text, action=text))


def contents(store):
    return sorted(e.draft().content() for e in svc.list_entries(store))


def test_xlsx_export_holds_no_formula_and_every_text_as_typed(store, tmp_path):
    fill(store)
    out = tmp_path / "台账.xlsx"
    xl.export_logs(store, out)
    assert formula_cells(out) == 0
    wb = load_workbook(out)   # formulas as formulas: a cell written as a formula would show here
    texts = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    assert c.data_type == "s", (ws.title, c.coordinate, c.value)
                    texts.setdefault(c.value, 0)
                    texts[c.value] += 1
    for text in PAYLOADS:
        # note, action and patroller on 巡查记录, monitor there and on 汇总 (5 times), except where the
        # same text is used for several fields of other rows too
        assert texts.get(text, 0) >= 5, (text, texts.get(text))


def test_csv_export_neutralises_formula_starts(store, tmp_path):
    fill(store)
    out = tmp_path / "台账.csv"
    xl.export_logs(store, out)
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    keys = list(xl.ENTRY_COLUMNS)
    fields = [r[keys.index(k)] for r in rows[1:] for k in ("by", "action", "note", "monitor")]
    assert fields and not [f for f in fields if f[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=1+1" in fields and "'@SUM(A1)" in fields and "''=已加引号" in fields
    # Numbers stay numbers (a negative change is no formula): the point column is not quoted.
    assert all(r[keys.index("point")].isdigit() for r in rows[1:])


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_gives_back_what_was_typed(store, tmp_path, suffix):
    from hazardmap.services.store import open_store

    fill(store)
    before = contents(store)
    out = tmp_path / f"台账{suffix}"
    xl.export_logs(store, out)
    other = open_store(tmp_path / "other-home")
    try:
        result = xl.import_logs(other, out)
        assert len(result.added) == len(PAYLOADS) and not result.bad
        assert contents(other) == before
        notes = {e.point_seq: e.note for e in svc.list_entries(other)}
        assert notes[1] == "=1+1" and notes[7] == "'=已加引号" and notes[8] == "#N/A"
    finally:
        other.close()


def test_control_characters_stored_earlier_do_not_stop_the_xlsx_export(store, tmp_path):
    changes = svc.record(store, PatrolDraft(1, "2025-06-01 08:00", "罗金春", "正常", note="坡脚渗水"))
    # Typed entry now refuses control characters; a database written by an older version may hold them.
    with store.db.write() as conn:
        conn.execute("UPDATE patrol_log SET note = ? WHERE id = ?", ("坡脚\x07渗水", changes.entry_ids[0]))
    out = tmp_path / "台账.xlsx"
    xl.export_logs(store, out)   # openpyxl refuses \x07: the export used to fail as a whole
    notes = [r[list(xl.ENTRY_COLUMNS).index("note")] for r in load_workbook(out)["巡查记录"].iter_rows(values_only=True)]
    assert notes[1] == "坡脚\ufffd渗水"


def test_neutralise_is_undone_exactly():
    rng = random.Random(7)
    alphabet = "=+-@'\t\r a1中"
    samples = PAYLOADS + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 5))) for _ in range(2000)]
    for text in samples:
        written = neutralise(text)
        assert written[:1] not in ("=", "+", "-", "@", "\t", "\r")
        assert unneutralise(written) == text, repr(text)


def test_phones_cannot_start_like_a_formula():
    """Phones are validated (a mobile starts with 1, a landline with 0), so no phone needs quoting."""
    for bad in ("=13800000000", "+8613800000000", "-13800000000", "@13800000000"):
        with pytest.raises(InvalidInput):
            check_phone(bad)
    assert check_phone("0734-1234567") == "0734-1234567"


def test_cli_csv_listings_neutralise_typed_text_too(store, cli):
    set_monitor(store, 1, name="=1+1")
    store.close()
    code, out, _ = cli("points", "--format", "csv")
    assert code == 0
    rows = list(csv.reader(out.splitlines()))
    assert "'=1+1" in rows[1] and not [f for r in rows for f in r if f[:1] in ("=", "+", "@")]
