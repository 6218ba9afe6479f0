"""The 隐患点防灾预案表: saved per point as one undoable step, checked as typed, printed as two A4 pages
with the point's location map as the sketch and blank ruled lines for what is not written."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from hazardmap.domain.errors import InvalidInput, PointNotFound, StaleEdit
from hazardmap.domain.plan import PLAN_FIELDS, PLAN_KEYS
from hazardmap.reports import sheets
from hazardmap.reports.data import collect
from hazardmap.services import plan as svc

pytestmark = pytest.mark.both_backends  # tests with the store fixture run on SQLite and PostgreSQL

# Synthetic text, made up for the tests only (never shipped as data).
TYPED = {"past_events": "测试历史灾情甲", "refuge": "测试避灾点乙", "evacuation_route": "测试路线丙\n第二行",
         "monitoring_cycle": "测试周期丁", "responsible_township": "测试责任人戊", "alarm_signal": "测试信号己"}


def rows(store) -> list[tuple]:
    return [tuple(r) for r in store.db.conn.execute("SELECT * FROM point_plan ORDER BY point_seq")]


def test_a_point_starts_with_an_empty_plan(store):
    plan = svc.get_plan(store, 4)
    assert plan.empty and set(plan.values) == set(PLAN_KEYS) and plan.changed_by is None
    assert rows(store) == []


def test_save_is_one_step_with_undo_and_redo(store):
    changes = svc.save_plan(store, 4, TYPED, by="王某")
    plan = svc.get_plan(store, 4)
    assert plan.get("evacuation_route") == "测试路线丙\n第二行" and plan.changed_by == "王某"
    assert changes.points == {4} and changes.label == "修改第 4 号点防灾预案表"
    again = svc.save_plan(store, 4, {"refuge": "测试避灾点乙"})
    assert not again                                   # nothing changed, no step
    redo = changes.undo()
    assert rows(store) == []                           # the first save is undone whole
    redo.undo()
    assert svc.get_plan(store, 4).values == plan.values
    second = svc.save_plan(store, 4, {"refuge": "测试避灾点庚"})
    assert svc.get_plan(store, 4).get("past_events") == "测试历史灾情甲"   # the other fields stay
    second.undo()
    assert svc.get_plan(store, 4).get("refuge") == "测试避灾点乙"


def test_stale_undo_is_refused(store):
    changes = svc.save_plan(store, 4, TYPED)
    svc.save_plan(store, 4, {"refuge": "另一台电脑写的"})
    with pytest.raises(StaleEdit):
        changes.undo()
    assert svc.get_plan(store, 4).get("refuge") == "另一台电脑写的"


@pytest.mark.parametrize("values", [
    {"refuge": "村部\u200b"}, {"past_events": "第一行\n\u202e第二行"}, {"refuge": "两\n行"},
    {"alarm_by": "长" * 101}, {"geology": "长" * 1001}, {"nonsense": "x"},
])
def test_bad_text_is_refused_and_nothing_written(store, values):
    svc.save_plan(store, 4, TYPED)
    before = rows(store)
    with pytest.raises(InvalidInput) as info:
        svc.save_plan(store, 4, values)
    assert rows(store) == before and any("\u4e00" <= ch <= "\u9fff" for ch in str(info.value))


def test_unknown_point_is_refused(store):
    with pytest.raises(PointNotFound):
        svc.save_plan(store, 99, {"refuge": "x"})


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def pdf_text(tmp_path, pdf: bytes, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@needs_poppler
def test_plan_table_prints_what_is_written_and_every_field(store, tmp_path):
    svc.save_plan(store, 4, TYPED)
    data = collect(store)
    text = pdf_text(tmp_path, sheets.plan_table_pdf(data, 4), "p4.pdf")
    p = data.point(4)
    assert text.count("地质灾害隐患点防灾预案表") == 2 and "第1页/共2页" in text and "第2页/共2页" in text
    for typed in ("测试历史灾情甲", "测试避灾点乙", "测试路线丙", "第二行", "测试周期丁", "测试责任人戊", "测试信号己"):
        assert typed in text
    for fact in (p.threatened, p.monitor, p.phone, f"{p.lon:.6f}"):
        assert fact in text
    squeezed = text.replace(" ", "").replace("\n", "")
    for f in PLAN_FIELDS:
        assert f.label in squeezed, f.label
    for caption in ("位置及坐标", "类型", "规模", "险情等级", "威胁人数", "示意图", "监测人"):
        assert caption in squeezed
    assert "比例尺" in text                                 # the location map is drawn as the sketch


@needs_poppler
def test_plan_table_of_a_point_without_data_has_no_placeholders(store, tmp_path):
    data = collect(store)
    text = pdf_text(tmp_path, sheets.plan_table_pdf(data, 3), "p3.pdf")
    assert "测试" not in text and "未填写" not in text and "待填" not in text
    assert "位置未知" in text                               # point 3 has no position: no map is invented
    assert "本表空白栏目请按实际情况手工填写" in text


@needs_poppler
def test_plan_table_embeds_the_truetype_font(store, tmp_path):
    path = tmp_path / "p.pdf"
    path.write_bytes(sheets.plan_table_pdf(collect(store), 4))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    lines = [ln for ln in fonts.splitlines()[2:] if ln.strip()]
    assert lines and all("TrueType" in ln and " yes " in ln for ln in lines)
    assert all("WenQuanYi" in ln for ln in lines)


def test_cli_exports_the_plan_table(cli, tmp_path):
    out = tmp_path / "out"
    code, stdout, err = cli("export", "sheets", "--out", str(out), "--point", "4", "--kind", "plan-table")
    assert code == 0, err
    assert [p.name for p in out.iterdir()] == ["04_花桥镇金石村石塘组_防灾预案表.pdf"]
    code, _, err = cli("export", "sheets", "--out", str(out), "--kind", "nonsense")
    assert code == 2 and "plan-table" in err


def test_every_save_undo_and_redo_is_recorded(store):
    changes = svc.save_plan(store, 4, {"refuge": "测试避灾点"}, by="王某")
    redo = changes.undo()
    redo.undo()
    history = svc.plan_history(store, 4)
    assert [(h.before, h.after) for h in history] == [
        ({"refuge": ""}, {"refuge": "测试避灾点"}),
        ({"refuge": "测试避灾点"}, {"refuge": ""}),
        ({"refuge": ""}, {"refuge": "测试避灾点"}),
    ]
    assert history[0].changed_by == "王某" and history[0].changed_at
