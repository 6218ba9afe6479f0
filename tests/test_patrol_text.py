"""One 裂缝读数 and one entry text: the patrol tab, the Excel 台账, the CLI and the printed 巡查记录表 show
the same values, and a 台账 read back gives the same gauges."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.patrol import (
    Measurement, MeasureKind, PatrolDraft, PatrolEntry, SignObservation, main_crack, merge_crack_column,
    other_measurements, set_main_crack,
)
from hazardmap.domain.patrol_status import Judgement
from hazardmap.domain.patrol_text import entry_text
from hazardmap.services import patrol as svc
from hazardmap.services import patrol_excel as xl

GAUGE = MeasureKind.CRACK_GAUGE


def gauge(label, reading):
    return Measurement(GAUGE, label, reading)


STAKE = Measurement(MeasureKind.STAKE, "1号桩", 12.0)


@pytest.mark.parametrize("measurements,expected", [
    ((), None),
    ((STAKE,), None),
    ((gauge("", 30.0),), 30.0),
    ((gauge("东侧", 30.0),), 30.0),                         # the only gauge is labelled: still the 裂缝读数
    ((gauge("东侧", 25.0), gauge("", 30.0)), 30.0),          # the unlabelled one wins wherever it stands
    ((STAKE, gauge("1号", 25.0), gauge("2号", 30.0)), 25.0),  # else the first entered
])
def test_main_crack(measurements, expected):
    main = main_crack(measurements)
    assert (main.reading_mm if main else None) == expected
    assert PatrolDraft(5, "2026-05-01 08:00", "某", Judgement.NORMAL, measurements=measurements).crack_mm == expected


def test_entry_text_cells():
    e = PatrolEntry(5, "2026-05-02 07:30", "巡查人甲", Judgement.ABNORMAL, weather="大雨", rain_mm=56.5,
                    signs=(SignObservation("拉张裂缝", "后缘", "宽约2厘米"), SignObservation("坡体鼓胀")),
                    measurements=(STAKE, replace_change(gauge("东侧", 30.0), 1.5)), action="加密巡查",
                    note="两行\n备注", id=7)
    t = entry_text(e)
    assert (t.id, t.point, t.judgement, t.rain, t.crack, t.crack_change) == ("7", "5", "异常", "56.5", "30", "+1.5")
    assert t.signs == "拉张裂缝、坡体鼓胀"
    assert t.signs_detail == "拉张裂缝（部位：后缘；特征：宽约2厘米）\n坡体鼓胀"
    assert t.other_measurements == ("埋桩 1号桩：12 mm", "裂缝计 东侧：30 mm")  # its label stays visible
    assert t.note_line() == "两行 备注"


def replace_change(m, change):
    from dataclasses import replace

    return replace(m, change_mm=change)


@pytest.mark.parametrize("measurements", [
    (gauge("", 30.0),),
    (gauge("东侧", 30.0),),
    (gauge("", 30.0), gauge("东侧", 30.0)),      # equal readings: the column alone could not tell them apart
    (gauge("东侧", 25.0), gauge("", 30.0), STAKE),
    (gauge("1号", 25.0), gauge("2号", 30.0)),
    (STAKE,),
])
def test_other_measurements_and_crack_column_give_the_gauges_back(measurements):
    main = main_crack(measurements)
    back = merge_crack_column(other_measurements(measurements), main.reading_mm if main else None)
    assert sorted(m.key + (m.reading_mm,) for m in back) == sorted(m.key + (m.reading_mm,) for m in measurements)


def test_crack_column_that_contradicts_the_listed_main_gauge_is_refused():
    with pytest.raises(InvalidInput, match="裂缝读数 35 mm 与其他测量中的“裂缝计：30 mm”不一致"):
        merge_crack_column((gauge("", 30.0),), 35.0)
    # A hand-typed 台账 with a labelled gauge of another reading: the column is a gauge of its own.
    assert merge_crack_column((gauge("东侧", 25.0),), 30.0) == (gauge("", 30.0), gauge("东侧", 25.0))


def test_set_main_crack_keeps_the_gauge_label():
    assert set_main_crack((STAKE, gauge("东侧", 30.0)), 31.0) == (STAKE, gauge("东侧", 31.0))
    assert set_main_crack((STAKE,), 31.0) == (gauge("", 31.0), STAKE)
    assert set_main_crack((gauge("东侧", 30.0), STAKE), None) == (STAKE,)


def test_labelled_only_gauge_round_trips_through_the_xlsx(store, tmp_path):
    from hazardmap.services.store import open_store

    svc.record(store, PatrolDraft(5, "2026-05-01 08:00", "某", Judgement.NORMAL,
                                  measurements=(gauge("东侧", 30.0), STAKE)))
    svc.record(store, PatrolDraft(5, "2026-05-02 08:00", "某", Judgement.NORMAL,
                                  measurements=(gauge("", 30.0), gauge("东侧", 30.0))))
    before = sorted(e.draft().content() for e in svc.list_entries(store))
    out = tmp_path / "台账.xlsx"
    xl.export_logs(store, out)
    other = open_store(tmp_path / "other")
    try:
        assert len(xl.import_logs(other, out).added) == 2
        assert sorted(e.draft().content() for e in svc.list_entries(other)) == before
        assert len(xl.import_logs(other, out).duplicates) == 2  # read again: recognised, not doubled
    finally:
        other.close()


def test_cli_edit_crack_sets_the_labelled_main_gauge(store, cli):
    entry_id = svc.record(store, PatrolDraft(5, "2026-05-01 08:00", "某", Judgement.NORMAL,
                                             measurements=(gauge("东侧", 30.0),))).entry_ids[0]
    code, _, err = cli("patrol", "edit", str(entry_id), "--crack-mm", "31")
    assert code == 0, err
    assert svc.get_entry(store, entry_id).measurements == (gauge("东侧", 31.0),)


# ---- an entry whose only crack gauge is labelled: the same 裂缝读数 in every face ----------------------

def window_host(store, qtbot):
    """What the window's parts are built on: the shell double (tests/shell_double.py) where the shell
    interface exists, else the store itself."""
    try:
        from tests.shell_double import ShellDouble
    except ImportError:
        return store
    double = ShellDouble(store)
    qtbot.addWidget(double)
    return double


def _column(model, title):
    from PySide6.QtCore import Qt

    return next(c for c in range(model.columnCount())
                if model.headerData(c, Qt.Horizontal, Qt.DisplayRole) == title)


def table_cell(table: str, title: str) -> str:
    """The first row's cell under title in the CLI's aligned table (columns line up by display width)."""
    from hazardmap.cli.output import display_width

    header, _rule, row = table.splitlines()[:3]
    start = display_width(header[:header.index(title)])
    width = 0
    for i, ch in enumerate(row):
        if width >= start:
            return row[i:].split("  ")[0].strip()
        width += display_width(ch)
    return ""


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_labelled_only_crack_gauge_reads_the_same_in_tab_excel_cli_and_pdf(store, cli, qtbot, tmp_path):
    pytest.importorskip("PySide6")
    from openpyxl import load_workbook

    from hazardmap.qt.patrol.patrol_tab import PatrolTab

    svc.record(store, PatrolDraft(5, "2026-05-01 08:00", "巡查人甲", Judgement.ABNORMAL,
                                  measurements=(gauge("东侧", 30.7),)))

    tab = PatrolTab(window_host(store, qtbot))
    qtbot.addWidget(tab)
    tab.set_point(5)
    model = tab.table.model()
    assert model.data(model.index(0, _column(model, "裂缝读数(mm)"))) == "30.7"

    out = tmp_path / "台账.xlsx"
    xl.export_logs(store, out)
    rows = list(load_workbook(out)[xl.ENTRY_SHEET].iter_rows(values_only=True))
    assert rows[1][rows[0].index("裂缝读数(mm)")] == 30.7

    code, table, err = cli("patrol", "list", "--point", "5")
    assert code == 0, err
    assert table_cell(table, "裂缝读数(mm)") == "30.7"
    code, out_json, err = cli("patrol", "list", "--point", "5", "--format", "json")
    assert json.loads(out_json)[0]["crack_mm"] == 30.7

    folder = tmp_path / "pdf"
    code, _, err = cli("export", "sheets", "--out", str(folder), "--point", "5", "--kind", "patrol-form",
                       "--with-history", "--month", "2026-05")
    assert code == 0, err
    (pdf,) = folder.iterdir()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    line = next(line for line in text.splitlines() if "2026-05-01 08:00" in line)
    assert "30.7" in line.split()
