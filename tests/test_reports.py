"""Printed products rendered without Qt: text against the database, fonts, page sizes, page counts."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from hazardmap.domain.patrol_status import MACRO_SIGNS, STATUS_COLOURS, Judgement, LatestPatrol, PatrolSummary
from hazardmap.domain.points import Precision
from hazardmap.reports import maps, sheets
from hazardmap.reports.data import ATTRIBUTION, collect
from hazardmap.reports.mapdraw import MM, MapFrame
from hazardmap.services import patrol_status

pytestmark = [pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed"),
              pytest.mark.both_backends]

A4 = (595.28, 841.89)
A3 = (841.89, 1190.55)


def pdftext(path: Path, *extra: str) -> str:
    return subprocess.run(["pdftotext", "-layout", *extra, str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_sizes(path: Path) -> list[tuple[float, float]]:
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(path)], check=True, capture_output=True,
                         text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out)]


def fonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def assert_sizes(path: Path, size: tuple[float, float], pages: int) -> None:
    sizes = page_sizes(path)
    assert len(sizes) == pages
    for w, h in sizes:
        assert (round(w, 1), round(h, 1)) == (round(size[0], 1), round(size[1], 1))


def assert_font_embedded(path: Path) -> None:
    rows = fonts(path)
    assert rows, "no fonts listed"
    for row in rows:
        emb = row[-5]  # columns: name type [encoding…] emb sub uni object ID
        assert emb == "yes", f"font not embedded: {row}"
    assert any("WenQuanYi" in row[0] for row in rows)


def assert_vector(path: Path) -> None:
    out = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True).stdout
    assert len(out.strip().splitlines()) <= 2, "the PDF contains raster images"


@pytest.fixture(scope="module")
def module_store(tmp_path_factory):
    from hazardmap.services.store import open_store

    s = open_store(tmp_path_factory.mktemp("home"))
    yield s
    s.close()


@pytest.fixture(scope="module")
def all_sheets(module_store, tmp_path_factory):
    """Every point's full sheet set, rendered once for the module."""
    data = collect(module_store)
    data.printed_on = date(2026, 5, 3)
    out = tmp_path_factory.mktemp("sheets")
    written = sheets.export_sheets(data, out, month=(2026, 5))
    return data, out, written


def test_every_point_gets_four_sheets(all_sheets):
    data, out, written = all_sheets
    assert len(written) == 4 * len(data.points) == 64
    assert all(p.exists() and p.stat().st_size > 10_000 for p in written)
    assert not list(out.glob("*.part")) and not list(out.glob(".*"))


def test_each_work_card_names_its_own_monitor_and_phone(all_sheets):
    data, out, _ = all_sheets
    monitors = {p.monitor for p in data.points}
    for p in data.points:
        text = flat(pdftext(out / sheets.sheet_filename(p, sheets.WORK_CARD)))
        assert p.monitor in text and p.phone in text, p.seq
        assert flat(p.threatened) in text
        assert f"第{p.seq}号" in text
        assert [m for m in monitors if m != p.monitor and m in text] == []  # no other point's monitor
        assert p.precision.print_note in text
        if p.located:
            assert f"{p.lon:.6f}" in text and f"{p.lat:.6f}" in text


def test_work_card_lists_every_field_and_no_placeholders(all_sheets):
    data, out, _ = all_sheets
    p = data.point(1)  # hazard type unknown: its cell must be blank, not a made-up value
    text = flat(pdftext(out / sheets.sheet_filename(p, sheets.WORK_CARD)))
    for field in ("名称", "野外编号", "统一编号", "灾害位置", "类型及规模", "诱发因素", "威胁对象", "监测负责人", "电话",
                  "监测的主要迹象", "监测的主要", "手段和方法", "临灾预报的判据", "预定避灾地点", "预定疏散路线",
                  "预定报警信号", "疏散命令发布人", "值班电话", "抢排险", "治安保卫", "医疗救护", "单位", "负责人",
                  "本卡发放单位", "发放日期", "持卡单位或个人", "持卡日期"):
        assert field in text, field
    for placeholder in ("None", "未知", "待填", "XXX", "无数据", "nan"):
        assert placeholder not in text
    assert "衡南县自然资源局" in text


def test_known_hazard_type_is_printed(all_sheets):
    data, out, _ = all_sheets
    p = data.point(5)
    assert p.hazard_type == "滑坡"
    assert "滑坡" in flat(pdftext(out / sheets.sheet_filename(p, sheets.WORK_CARD)))


def test_unlocated_point_card_says_so_and_draws_no_map(all_sheets):
    data, out, _ = all_sheets
    p = data.point(3)
    assert p.precision is Precision.NONE
    text = flat(pdftext(out / sheets.sheet_filename(p, sheets.WORK_CARD)))
    assert "位置未知，待实地测定" in text
    assert "比例尺" not in text  # no map, so no scale bar


def test_household_card_prefills_what_is_known(all_sheets):
    data, out, _ = all_sheets
    for p in data.points:
        path = out / sheets.sheet_filename(p, sheets.HOUSEHOLD_CARD)
        text = flat(pdftext(path))
        assert p.monitor in text and p.phone in text
        for field in ("户主姓名", "家庭住址", "家庭人数", "房屋类别", "姓名", "性别", "年龄", "灾害类型", "灾害规模",
                      "灾害体与本住户", "的位置关系", "本住户注意事项", "监测人", "预警信号", "预警信号发布人", "撤离路线",
                      "安置单位", "救护单位", "户主签名", "第一联", "第二联", "第三联"):
            assert field in text, field
        assert_sizes(path, A4, 3)


def test_household_copies_make_three_pages_per_household(module_store, tmp_path):
    data = collect(module_store)
    path = tmp_path / "h.pdf"
    path.write_bytes(sheets.household_card_pdf(data, 5, copies=4))
    assert_sizes(path, A4, 12)
    assert "本批第4户，共4户" in flat(pdftext(path, "-f", "12", "-l", "12"))


def test_patrol_form_month_grid(all_sheets):
    data, out, _ = all_sheets
    p = data.point(8)
    path = out / sheets.sheet_filename(p, sheets.PATROL_FORM)
    landscape_a4 = (A4[1], A4[0])
    assert_sizes(path, landscape_a4, 2)  # May: 31 rows over two pages
    text = flat(pdftext(path))
    assert "2026年5月" in text
    for sign in MACRO_SIGNS:
        for part in sign.split("/"):
            assert all(ch in text for ch in part)
    assert p.monitor in text and p.phone in text
    for j in ("正常", "异常", "危险"):
        assert j in text


def test_patrol_form_page_count_follows_month(module_store, tmp_path):
    data = collect(module_store)
    path = tmp_path / "feb.pdf"
    path.write_bytes(sheets.patrol_form_pdf(data, 1, month=(2026, 2)))
    assert len(page_sizes(path)) == 2
    path.write_bytes(sheets.patrol_form_pdf(data, 1, month=(2026, 2), with_history=True))
    assert len(page_sizes(path)) == 3


def test_with_history_prints_the_latest_entries_first(module_store, tmp_path, monkeypatch):
    entries = [
        PatrolSummary(point_seq=4, at="2026-05-02 08:30", by="胡桂初", weather="中雨", rain_mm=32.5,
                      signs=("拉张裂缝",), crack_mm=12.0, judgement=Judgement.ABNORMAL, action="加密巡查、上报",
                      note="后缘裂缝加宽"),
        PatrolSummary(point_seq=4, at="2026-04-28 17:10", by="胡桂初", weather="晴"),
    ]
    monkeypatch.setattr(patrol_status, "recent_patrols", lambda store, seq, limit=10: list(entries) if seq == 4 else [])
    data = collect(module_store, with_history=True)
    path = tmp_path / "p4.pdf"
    path.write_bytes(sheets.patrol_form_pdf(data, 4, month=(2026, 5), with_history=True))
    first = flat(pdftext(path, "-f", "1", "-l", "1"))
    assert "2026-05-0208:30" in first and "加密巡查、上报" in first and "后缘裂缝加宽" in first
    assert "32.5" in first and "拉张裂缝" in first and "异常" in first
    assert first.index("2026-05-02") < first.index("2026-04-28")  # newest first
    assert len(page_sizes(path)) == 3
    # The empty point says so instead of inventing rows.
    path.write_bytes(sheets.patrol_form_pdf(data, 5, month=(2026, 5), with_history=True))
    assert "系统中暂无该点的巡查记录" in flat(pdftext(path, "-f", "1", "-l", "1"))


def test_sheets_embed_the_font_and_are_vector(all_sheets):
    data, out, _ = all_sheets
    for kind in sheets.SHEET_KINDS.values():
        path = out / sheets.sheet_filename(data.point(1), kind)
        assert_font_embedded(path)
        assert_vector(path)
    assert_sizes(out / sheets.sheet_filename(data.point(1), sheets.WORK_CARD), A4, 1)


@pytest.mark.parametrize("paper,orientation,size", [
    ("A4", "landscape", (A4[1], A4[0])), ("A4", "portrait", A4), ("A3", "landscape", (A3[1], A3[0])),
    ("A3", "portrait", A3)])
def test_county_map(module_store, tmp_path, paper, orientation, size):
    data = collect(module_store)
    path = tmp_path / "county.pdf"
    path.write_bytes(maps.county_map_pdf(data, paper, orientation))
    assert_sizes(path, size, 1)
    assert_font_embedded(path)
    assert_vector(path)
    text = pdftext(path)
    f = flat(text)
    assert flat(ATTRIBUTION) in f
    assert "比例尺1:" in f and "北" in f and "图例" in f
    assert "CGCS2000" in f and "EPSG:4547" in f
    assert re.search(r"11\d°\d\d′E", text) and re.search(r"2\d°\d\d′N", text)  # lon/lat ticks
    for p in data.points:
        assert flat(f"{p.township}{p.village_group}") in f
    assert "未定位" in f
    assert "制图日期" in f
    for status in STATUS_COLOURS:
        assert status in f
    assert "雨量计站点：共15处，已指定0处" in f


def test_county_map_labels_only_township_seats_that_exist(module_store, tmp_path):
    data = collect(module_store)
    path = tmp_path / "county.pdf"
    path.write_bytes(maps.county_map_pdf(data, "A3", "landscape"))
    f = flat(pdftext(path))
    seats = [t for t in data.townships if t.lon is not None]
    assert len(seats) == 20
    for t in seats:
        assert t.name in f


def test_map_is_drawn_at_the_stated_scale():
    """A ground distance measured on paper matches the stated scale (GK distortion here is < 0.05 %)."""
    from pyproj import Geod

    frame = MapFrame.fit(0, 0, 200 * MM, 150 * MM, (300_000, 2_900_000, 400_000, 2_950_000))
    assert frame.scale in (500_000, 600_000)
    for lon1, lat1, lon2, lat2 in ((112.15, 26.6, 112.25, 26.65), (113.0, 26.9, 113.1, 26.7)):
        a = frame.lonlat_to_page(lon1, lat1)
        b = frame.lonlat_to_page(lon2, lat2)
        ground_m = Geod(ellps="GRS80").inv(lon1, lat1, lon2, lat2)[2]
        paper_mm = ((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5 / MM
        assert paper_mm == pytest.approx(ground_m * 1000 / frame.scale, rel=5e-4)


def test_status_colours_come_from_the_latest_judgements(module_store, monkeypatch):
    monkeypatch.setattr(patrol_status, "latest_judgements",
                        lambda store: {5: LatestPatrol(5, Judgement.DANGER, "2026-05-02 08:30")})
    data = collect(module_store)
    assert maps.status_colour(data, 5) == STATUS_COLOURS["危险"]
    assert maps.status_colour(data, 6) == STATUS_COLOURS["未巡查"]


def test_atlas_has_one_page_per_township_with_points(module_store, tmp_path):
    data = collect(module_store)
    path = tmp_path / "atlas.pdf"
    path.write_bytes(maps.atlas_pdf(data))
    towns = data.townships_with_points()
    assert len(towns) == 10
    assert_sizes(path, (A4[1], A4[0]), len(towns))
    assert_font_embedded(path)
    for i, town in enumerate(towns, 1):
        page = flat(pdftext(path, "-f", str(i), "-l", str(i)))
        assert f"衡南县{town}重点地质灾害隐患点图" in page
        for p in data.points:
            if p.township == town:
                assert p.monitor in page and p.phone in page
        assert "比例尺1:" in page


def test_atlas_single_township_and_unknown_one(module_store, tmp_path):
    from hazardmap.domain.errors import NotFound

    data = collect(module_store)
    path = tmp_path / "one.pdf"
    path.write_bytes(maps.atlas_pdf(data, ["花桥镇"], "A3", "portrait"))
    assert_sizes(path, A3, 1)
    with pytest.raises(NotFound, match="火星镇"):
        maps.atlas_pdf(data, ["火星镇"])
    with pytest.raises(NotFound, match="茶市镇没有重点监测隐患点"):
        maps.atlas_pdf(data, ["茶市镇"])


def test_assigned_rain_gauge_appears_on_the_map(module_store, tmp_path):
    from hazardmap.services import rain_gauges

    village = next(v for v in module_store.bundled.villages if v.located and v.qa == "ok")
    rain_gauges.assign(module_store, 1, village.code)
    try:
        data = collect(module_store)
        path = tmp_path / "county.pdf"
        path.write_bytes(maps.county_map_pdf(data))
        f = flat(pdftext(path))
        assert "已指定1处，图上标绘1处" in f and "雨1" in f
    finally:
        rain_gauges.clear(module_store, 1)


def test_the_font_is_bundled_with_its_licence_and_used():
    from hazardmap.paths import resources_dir
    from hazardmap.reports.fonts import ensure_font, font_path

    font = resources_dir() / "fonts" / "wqy-microhei.ttc"
    assert font.is_file()
    licence = (resources_dir() / "fonts" / "wqy-microhei.LICENSE.txt").read_text(encoding="utf-8")
    assert "Apache-2.0" in licence and "Font exception" in licence
    ensure_font()
    assert font_path() == font  # the bundled copy, so Windows output matches Linux output
