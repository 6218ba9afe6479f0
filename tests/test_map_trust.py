"""The map page trusts no text: template syntax, markup and script-closing text typed into any field
that reaches the map (and the 天地图 key) arrive as the same text, evaluate nothing and run nothing;
and the page shows what matters first (severity on top, no symbol hidden under another)."""
from __future__ import annotations

import dataclasses
import json
import re
from urllib.parse import unquote

import pytest

from hazardmap.mapping import page as page_module
from hazardmap.mapping.options import MapOptions
from hazardmap.mapping.page import build_map_page, collect_payload
from hazardmap.services import points as point_service, register

pytestmark = pytest.mark.both_backends  # service tests: SQLite and a real PostgreSQL server

# Each must arrive as typed. "李…" payloads would show as 李49 if a template evaluated them.
EXPR = "李{{7*7}}"
STMT = "李{%print(7*7)%}"
SCRIPT = "</script><script>alert(1)</script>"
MARKUP = "<img src=x onerror=alert(1)>"
# Code execution through Jinja, each leaving a file or folder P or PWNED in the working folder or at
# an absolute path. Quote-free ones survive HTML escaping; SPLIT_EXEC is two names of ≤ 40 characters
# (point 1 sets a variable that later points use: the old page rendered all points in one template).
SHORT_EXEC = "{{lipsum.__globals__.os.popen('id>P')}}"
NOQUOTE_EXEC = "{{ cycler.__init__.__globals__.os.mkdir(dict(PWNED=1)|first) }}"
SPLIT_EXEC = ("{%set o=lipsum.__globals__.os%}", "{{o.mkdir(dict(P=1)|first)}}")


def long_exec(target) -> str:
    return "{{ cycler.__init__.__globals__.os.popen('touch %s').read() }}" % target


def payloads(tmp_path) -> dict[str, tuple[str, str]]:
    """name -> (text for point 1, text for the other points)."""
    single = {"expr": EXPR, "stmt": STMT, "script": SCRIPT, "markup": MARKUP, "short_exec": SHORT_EXEC,
              "noquote_exec": NOQUOTE_EXEC, "long_exec": long_exec(tmp_path / "PWNED")}
    return {**{k: (v, v) for k, v in single.items()}, "split_exec": SPLIT_EXEC}


PAYLOAD_NAMES = ["expr", "stmt", "script", "markup", "short_exec", "noquote_exec", "long_exec", "split_exec"]


# Point fields the page shows; monitor through the service (as a user would type it), the others
# put into the points the page reads (the services validate or never write them).
POINT_FIELDS = ("monitor", "threatened", "hazard_type", "township", "village_group", "source")
FIELDS = POINT_FIELDS + ("tianditu_key",)

DATA_BLOCK = re.compile(r'<script type="application/json" id="hazardmap-data">(.*?)</script>', re.S)


def data_of(html: str) -> dict:
    blocks = DATA_BLOCK.findall(html)
    assert len(blocks) == 1, "the page must hold exactly one data block"
    return json.loads(blocks[0])


def with_field(monkeypatch, store, field: str, texts: tuple[str, str]) -> None:
    """Point 1's `field` reads as texts[0], every other point's as texts[1], when the page is built."""
    if field == "tianditu_key":
        return
    if field == "monitor" and max(map(len, texts)) <= 40:
        for seq in (1, 2, 3):
            point_service.set_monitor(store, seq, name=texts[0] if seq == 1 else texts[1])
        return
    real = register.points_in_view   # the one seam every view of points reads (services/views.py)
    monkeypatch.setattr(register, "points_in_view", lambda s, *view: [
        dataclasses.replace(p, **{field: texts[0] if p.seq == 1 else texts[1]}) for p in real(s, *view)])


def build(store, tmp_path, field: str, texts: tuple[str, str]):
    key = texts[0] if texts[0] == texts[1] else "".join(texts)
    options = MapOptions(basemap="tianditu", tianditu_key=key) if field == "tianditu_key" else MapOptions()
    path = build_map_page(store, tmp_path / "out" / "map.html", options, force=True)  # built twice per test
    return path.read_text(encoding="utf-8"), key


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("name", PAYLOAD_NAMES)
def test_no_user_text_is_evaluated_or_breaks_out(store, tmp_path, monkeypatch, field, name):
    monkeypatch.chdir(tmp_path)  # where the relative payloads would write
    texts = payloads(tmp_path)[name]
    clean_scripts = build(store, tmp_path, "none", ("", ""))[0].count("<script")
    with_field(monkeypatch, store, field, texts)
    html, key = build(store, tmp_path, field, texts)
    assert "李49" not in html
    assert not (tmp_path / "P").exists() and not (tmp_path / "PWNED").exists()
    # Nothing closes the data block or opens an element: the page has only its own script tags.
    assert html.count("<script") == clean_scripts
    block = DATA_BLOCK.search(html).group(1)
    assert "<" not in block and ">" not in block and "\u2028" not in block
    data = data_of(html)
    if field == "tianditu_key":
        url = data["tiles"]["url"]
        # One query value: no '&' to add a parameter, no '{' Leaflet would read as a placeholder.
        sent = url.split("&tk=")[1]
        assert unquote(sent) == key.strip() and re.fullmatch(r"[A-Za-z0-9%._~-]*", sent)
        return
    for seq, text in ((1, texts[0]), (2, texts[1])):
        p = next(p for p in data["points"] if p["seq"] == seq)
        if field != "source":  # the source is not shown on the map; it must still evaluate nothing
            assert text in "\n".join(p["tooltip"] + p["popup"])
    if field in ("township", "village_group"):
        assert any(texts[1] in u["name"] for u in data["unlocated"])


def test_line_separators_are_escaped_for_the_script_context(store, tmp_path, monkeypatch):
    with_field(monkeypatch, store, "threatened", ("甲\u2028乙\u2029丙<!--丁",) * 2)
    html = build_map_page(store, tmp_path / "m.html").read_text(encoding="utf-8")
    block = DATA_BLOCK.search(html).group(1)
    assert "\u2028" not in block and "\u2029" not in block and "<!--" not in block
    p1 = next(p for p in data_of(html)["points"] if p["seq"] == 1)
    assert "威胁对象：甲\u2028乙\u2029丙<!--丁" in p1["popup"]


def test_map_html_can_mask_phones(cli, store, tmp_path):
    phones = {p.seq: p.phone for p in point_service.list_points(store)}
    out = tmp_path / "masked.html"
    code, stdout, err = cli("map-html", "--out", str(out), "--mask-phones")
    assert code == 0, err
    assert "电话已隐去中间四位" in stdout
    html = out.read_text(encoding="utf-8")
    assert not any(ph in html for ph in phones.values())
    p1 = next(p for p in data_of(html)["points"] if p["seq"] == 1)
    masked = phones[1][:3] + "****" + phones[1][-4:]
    assert any(masked in line for line in p1["tooltip"]) and any(masked in line for line in p1["popup"])
    code, _, err = cli("map-html", "--out", str(tmp_path / "plain.html"))
    assert code == 0 and phones[1] in (tmp_path / "plain.html").read_text(encoding="utf-8")


def test_window_update_masks_phones_too(store):
    from hazardmap.mapping.page import points_update

    phones = {p.seq: p.phone for p in point_service.list_points(store)}
    text = json.dumps(points_update(store, MapOptions(mask_phones=True)), ensure_ascii=False)
    assert not any(ph in text for ph in phones.values())
    text = json.dumps(collect_payload(store, MapOptions()), ensure_ascii=False)
    assert all(ph in text for seq, ph in phones.items() if seq != 3)  # 3 has no position: not drawn
