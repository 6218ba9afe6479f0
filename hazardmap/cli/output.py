"""Printing records as an aligned table (CJK-width aware), CSV or JSON."""
from __future__ import annotations

import csv
import json
import sys
import unicodedata
from typing import Any, Sequence

from hazardmap.services.spreadsheet import neutralise

FORMATS = ("table", "csv", "json")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}"
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    return str(value)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - display_width(v)) for v, w in zip(values, widths)).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def emit(records: list[dict[str, Any]], fmt: str, headers: dict[str, str], out=None) -> None:
    """records: dicts keyed by the JSON keys; headers: JSON key -> Chinese column title."""
    out = out or sys.stdout
    if fmt == "json":
        json.dump(records, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(headers.values())
        for r in records:  # typed text never starts like a formula when the csv is opened in Excel (OWASP)
            w.writerow([neutralise(r[k]) if isinstance(r[k], str) else _cell(r[k]) for k in headers])
    else:
        out.write(render_table(list(headers.values()), [[r[k] for k in headers] for r in records]) + "\n")
