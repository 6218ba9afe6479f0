"""The map page's shell: folium renders the Leaflet page around our script, with constants only (see
page.py for why no data passes through its templates). The shell depends only on whether the page talks to
the window, so it is rendered once per process, and the window keeps it on disk beside its page: folium
(with pandas and numpy under it, about a second) is then not imported at all on a start."""
from __future__ import annotations

import json
import sys
from importlib.util import find_spec
from pathlib import Path

from hazardmap import __version__
from hazardmap.domain.errors import HazardmapError
from hazardmap.files import write_text
from hazardmap.mapping.assets import ASSET_DIR, CSS, JS

DATA_ID = "hazardmap-data"  # also named in _Init's template
# Stands in for the payload while folium renders; the finished HTML has the payload in its place.
DATA_SLOT = "@@HAZARDMAP_DATA_SLOT@@"
CACHE_FILE = "shell.json"

_rendered: dict[bool, tuple[str, str]] = {}   # qt_bridge -> (head, tail), this process


def render_shell(qt_bridge: bool) -> tuple[str, str]:
    """folium's page split at the data slot: (before, after)."""
    import folium
    from branca.element import Element, MacroElement
    from jinja2 import Template

    class _Init(MacroElement):
        """Added to the map last, so the Leaflet map variable exists when our script starts. Its
        template holds only the map's generated name: the data comes from the JSON block."""
        _template = Template("""
            {% macro script(this, kwargs) %}
            hazardmap.init({{ this._parent.get_name() }}, hazardmap.readData("hazardmap-data"));
            {% endmacro %}
        """)

        def __init__(self) -> None:
            super().__init__()
            self._name = "HazardmapInit"

    # The start view is refitted to the county outline by the script.
    m = folium.Map(location=[26.76, 112.64], zoom_start=10, tiles=None, control_scale=False,
                   zoom_control=True, prefer_canvas=False)
    # The Map's own asset lists: local files only; folium's defaults load from CDNs and show nothing offline.
    m.default_js = [(name, f"{ASSET_DIR}/{name}") for name in JS]
    if qt_bridge:
        m.default_js.insert(0, ("qwebchannel", "qrc:///qtwebchannel/qwebchannel.js"))
    m.default_css = [(name, f"{ASSET_DIR}/{name}") for name in CSS]
    root = m.get_root()
    root.header.add_child(Element("<title>衡南县地质灾害隐患点分布图</title>"), name="hm_title")
    root.html.add_child(Element(f'<script type="application/json" id="{DATA_ID}">{DATA_SLOT}</script>'),
                        name="hm_data")
    _Init().add_to(m)
    shell = root.render()
    if shell.count(DATA_SLOT) != 1:  # folium changed how it renders: refuse rather than guess
        raise RuntimeError("map page shell has no single data slot")
    head, tail = shell.split(DATA_SLOT)
    return head, tail


def _installed(module: str) -> str:
    """What identifies the installed copy of a module without importing it (its file's size and time)."""
    spec = find_spec(module)
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    if origin is not None and origin.is_file():
        st = origin.stat()
        return f"{origin}:{st.st_size}:{st.st_mtime_ns}"
    # A frozen build: its modules live inside the program, which changes with every build.
    st = Path(sys.executable).stat()
    return f"{sys.executable}:{st.st_size}:{st.st_mtime_ns}"


def cache_key(qt_bridge: bool) -> str:
    """Changes when anything that shapes the shell may have: hazardmap, this file, folium, branca, jinja2."""
    here = Path(__file__)
    mine = f"{here.stat().st_size}:{here.stat().st_mtime_ns}" if here.is_file() else ""
    return "|".join([__version__, mine, *(_installed(m) for m in ("folium", "branca", "jinja2")),
                     str(qt_bridge), *JS, *CSS])


def page_shell(qt_bridge: bool, cache_dir: Path | None = None) -> tuple[str, str]:
    """The shell (before, after the data slot); with cache_dir, kept there for the next start."""
    if qt_bridge in _rendered:
        return _rendered[qt_bridge]
    cache = Path(cache_dir) / CACHE_FILE if cache_dir is not None else None
    key = cache_key(qt_bridge) if cache is not None else ""
    if cache is not None:
        try:
            kept = json.loads(cache.read_text(encoding="utf-8")).get(key)
            if isinstance(kept, list) and len(kept) == 2 and all(isinstance(x, str) for x in kept):
                _rendered[qt_bridge] = (kept[0], kept[1])
                return _rendered[qt_bridge]
        except (OSError, ValueError, AttributeError):
            pass   # none yet, or unreadable: rendered again below
    _rendered[qt_bridge] = render_shell(qt_bridge)
    if cache is not None:
        try:
            write_text(cache, json.dumps({key: list(_rendered[qt_bridge])}, ensure_ascii=False), force=True)
        except (OSError, HazardmapError):
            pass   # a folder that cannot be written: rendered again next start, nothing lost
    return _rendered[qt_bridge]
