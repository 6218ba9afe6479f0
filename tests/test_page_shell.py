"""The map page's shell (mapping/shell.py): rendered by folium once, kept beside the window's page and used
from there on the next start while nothing that shapes it has changed; the pages built from it are the pages
folium builds."""
from __future__ import annotations

import re

import pytest

from hazardmap.mapping import shell
from hazardmap.mapping.options import MapOptions
from hazardmap.mapping.page import render_page


@pytest.fixture
def fresh(monkeypatch):
    """As in a new process: nothing rendered yet."""
    monkeypatch.setattr(shell, "_rendered", {})


def _same_but_name(a: str, b: str) -> bool:
    """folium names the map with a random id: equal once every id is the same."""
    norm = lambda s: re.sub(r"map_[0-9a-f]{32}", "map_X", s)  # noqa: E731
    return norm(a) == norm(b)


def test_kept_and_used_on_the_next_start(fresh, tmp_path, monkeypatch):
    first = shell.page_shell(True, tmp_path)
    assert (tmp_path / shell.CACHE_FILE).is_file()
    monkeypatch.setattr(shell, "_rendered", {})
    monkeypatch.setattr(shell, "render_shell", lambda _b: pytest.fail("rendered again although kept"))
    assert shell.page_shell(True, tmp_path) == first


def test_rendered_again_when_what_shapes_it_changed(fresh, tmp_path, monkeypatch):
    shell.page_shell(True, tmp_path)
    monkeypatch.setattr(shell, "_rendered", {})
    key = shell.cache_key(True)
    monkeypatch.setattr(shell, "cache_key", lambda b: key + "|folium upgraded")
    calls = []
    real = shell.render_shell
    monkeypatch.setattr(shell, "render_shell", lambda b: calls.append(b) or real(b))
    shell.page_shell(True, tmp_path)
    assert calls == [True]


def test_a_damaged_cache_is_rendered_again(fresh, tmp_path):
    (tmp_path / shell.CACHE_FILE).write_text("{not json", encoding="utf-8")
    head, tail = shell.page_shell(False, tmp_path)
    assert "hazardmap.init(" in tail and "qwebchannel" not in head


def test_the_kept_shell_gives_the_page_folium_gives(fresh, tmp_path, monkeypatch):
    options = MapOptions(qt_bridge=True)
    payload = {"points": [{"seq": 1, "name": "李{{7*7}}</script>"}]}
    shell.page_shell(True, tmp_path)
    monkeypatch.setattr(shell, "_rendered", {})
    from_cache = render_page(payload, options, tmp_path)
    monkeypatch.setattr(shell, "_rendered", {})
    fresh_page = render_page(payload, options)
    assert _same_but_name(from_cache, fresh_page)
    assert "李{{7*7}}\\u003c/script\\u003e" in from_cache
