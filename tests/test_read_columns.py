"""read_columns (the column-wise csv road for big rain files) gives exactly what read_table gives: the same
rows, row numbers, values and refused rows, whether it takes its fast road or falls back."""
from __future__ import annotations

import pytest

from hazardmap.services import spreadsheet
from hazardmap.services.spreadsheet import read_columns, read_table

KEYS = {"站码": "code", "时间": "time", "雨量": "mm"}


def _both(path):
    kw = dict(anchor="time", no_header="找不到表头", describe=lambda v: str(v.get("code") or ""))
    cols = read_columns(path, KEYS.get, **kw)
    table = read_table(path, KEYS.get, **kw)
    return cols, table


def _same(cols, table):
    assert cols.headers == table.headers
    assert cols.lines == [r.line for r in table.rows]
    for k in table.headers:
        assert [v or None for v in cols.values[k]] == [r.values.get(k) or None for r in table.rows]
    assert [(b.line, b.reason) for b in cols.bad] == [(b.line, b.reason) for b in table.bad]


@pytest.mark.parametrize("body, fast", [
    ("标题：某站雨量\n站码,时间,雨量,备注\n1,2024-06-01 01:00,3\n\n ,  ,\n2,2024-06-01 01:00,'-1,x\n", True),
    ("站码,时间,雨量\n1,2024-06-01 01:00,3\n2,\"2024-06-01\n02:00\",4\n", True),       # a quoted line break
    ("站码,时间,雨量\n1,2024-06-01 01:00,3\u200b\n2,2024-06-01 02:00,4\n", False),     # zero-width space: row 2 refused
    ("站码,时间,雨量\n1,2024-06-01 01:00,3\n1,\"2024\n", True),                         # quote never closed (csv reads on)
    ("站码,时间,雨量\n1,2024-06-01 01:00\n,,\n", True),                                # a short row
    ("站码,时间,雨量\r\n1,2024-06-01 01:00,3\r\n\r\n2,2024-06-01 01:00,4\r\n\r\n", True),   # Windows lines, blank ones
    ("站码,时间,雨量\r1,2024-06-01 01:00,3\r2,2024-06-01 02:00,4", True),             # old Mac lines: csv.reader's road
    ("站码\t时间\t雨量\n1\t2024-06-01 01:00\t3\n", True),                           # Excel's tab-separated text
])
def test_same_rows_as_read_table(tmp_path, monkeypatch, body, fast):
    path = tmp_path / "雨量.csv"
    path.write_text(body, encoding="utf-8")
    calls = []
    real = spreadsheet.read_table
    monkeypatch.setattr(spreadsheet, "read_table", lambda *a, **k: calls.append(1) or real(*a, **k))
    try:
        cols = read_columns(path, KEYS.get, anchor="time", no_header="找不到表头")
    except Exception as exc:        # a file refused as a whole is refused alike
        with pytest.raises(type(exc), match=str(exc)[:10]):
            read_table(path, KEYS.get, anchor="time", no_header="找不到表头")
        return
    assert (not calls) is fast
    monkeypatch.undo()
    _same(cols, read_table(path, KEYS.get, anchor="time", no_header="找不到表头"))


def test_invisible_character_is_refused_by_row_in_a_big_file(tmp_path):
    rows = [f"{1 + i % 3},2024-06-01 {i % 24:02d}:00,{i % 7}" for i in range(3000)]
    rows[1234] = rows[1234].replace(",", ",\u200b", 1)
    path = tmp_path / "雨量.csv"
    path.write_text("站码,时间,雨量\n" + "\n".join(rows) + "\n", encoding="utf-8")
    cols, table = _both(path)
    _same(cols, table)
    assert [b.line for b in cols.bad] == [1236] and "看不见的字符" in cols.bad[0].reason
