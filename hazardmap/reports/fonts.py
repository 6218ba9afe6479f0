"""The CJK font for every PDF. reportlab embeds only TrueType outlines (not the CFF of Noto CJK), so
we bundle WenQuanYi Micro Hei (Apache-2.0 / GPLv3 with font exception, resources/fonts/) and output
looks the same on Windows. System TrueType fonts are a fallback for a build without the bundle."""
from __future__ import annotations

import os
import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from hazardmap.domain.errors import HazardmapError
from hazardmap.paths import resources_dir

FONT_NAME = "HazardmapCJK"

_SYSTEM_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    # Windows: YaHei and SimHei are TrueType collections / fonts; SimSun is TrueType too.
    os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts", "msyh.ttc"),
    os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts", "simhei.ttf"),
    os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts", "simsun.ttc"),
]

_lock = threading.Lock()
_registered_from: Path | None = None


def font_candidates() -> list[Path]:
    return [resources_dir() / "fonts" / "wqy-microhei.ttc"] + [Path(p) for p in _SYSTEM_CANDIDATES]


def ensure_font() -> str:
    """Register the CJK font once per process (about 0.3 s); returns its reportlab name."""
    global _registered_from
    with _lock:
        if _registered_from is not None:
            return FONT_NAME
        for path in font_candidates():
            if path.is_file():
                try:
                    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
                except Exception:  # a CFF or damaged font: try the next one
                    continue
                _registered_from = path
                return FONT_NAME
        raise HazardmapError("找不到可嵌入 PDF 的中文字体（应随程序安装在 resources/fonts/wqy-microhei.ttc）")


def font_path() -> Path | None:
    return _registered_from
