"""Coordinate text as people type it -> degrees. The location dialog and `hazardmap locate` both read
longitude and latitude here.

Accepted: decimal degrees (112.612345, -112.5, 112.6°); degrees-minutes-seconds (112°36'36",
112°36′36″, 112度36分36秒, 112°36.6', 112 36 36); a hemisphere before or after (26°45'N, E112.61,
北纬26.75, 西经 ...: S and W are negative); full-width digits and punctuation (１１２．６１, ＋, －).
Range and plausibility (China, swapped lon/lat) are checked later by domain.validation.check_lon_lat.
"""
from __future__ import annotations

import enum
import math
import re
import unicodedata

from hazardmap.domain.errors import InvalidInput


class Axis(enum.Enum):
    LON = "经度"
    LAT = "纬度"


EXAMPLES = {Axis.LON: "112.612345 或 112°36'44\"", Axis.LAT: "26.751234 或 26°45'04\""}

# Marks before NFKC: it would turn º into "o" and ˚ into a space plus a combining ring.
_BEFORE_NFKC = str.maketrans({"º": "°", "˚": "°", "−": "-", "–": "-", "—": "-"})
# After NFKC: prime marks and Chinese units to ' and " (″ has become ′′ by then).
_MARKS = (("′′", '"'), ("''", '"'), ("′", "'"), ("’", "'"), ("‘", "'"), ("`", "'"), ("´", "'"),
          ("”", '"'), ("“", '"'), ("度", "°"), ("分", "'"), ("秒", '"'))

_HEMISPHERES = {"东经": "E", "西经": "W", "北纬": "N", "南纬": "S", "东": "E", "西": "W", "北": "N", "南": "S"}
_HEMI_AXIS = {"E": Axis.LON, "W": Axis.LON, "N": Axis.LAT, "S": Axis.LAT}

_NUM = r"\d+(?:\.\d+)?"
_DMS = re.compile(rf"^(?P<d>{_NUM})\s*°\s*(?:(?P<m>{_NUM})\s*'?\s*(?:(?P<s>{_NUM})\s*\"?)?)?$")
_SPACED = re.compile(rf"^(?P<d>\d+)\s+(?P<m>{_NUM})(?:\s+(?P<s>{_NUM}))?$")
_DECIMAL = re.compile(rf"^{_NUM}$|^\.\d+$")


def normalise(text: str) -> str:
    t = unicodedata.normalize("NFKC", str(text).translate(_BEFORE_NFKC)).strip()
    for old, new in _MARKS:
        t = t.replace(old, new)
    return t.strip(" ,;、，；")


def parse_coordinate(text: str | float | None, axis: Axis) -> float:
    """Degrees (negative for S and W) from what a person typed; InvalidInput in Chinese otherwise."""
    what = axis.value
    if isinstance(text, (int, float)):
        if not math.isfinite(text):
            raise InvalidInput(f"{what}必须是有限的数字")
        return float(text)
    original = (text or "").strip()
    if not original:
        raise InvalidInput(f"请填写{what}（例如 {EXAMPLES[axis]}）")
    t = normalise(original)
    hemi = None
    for word, letter in _HEMISPHERES.items():
        if t.startswith(word) or t.endswith(word):
            hemi, t = letter, (t[len(word):] if t.startswith(word) else t[:-len(word)]).strip()
            break
    else:
        # One letter before or after a number; "nan", "1e5" or "abc" stay letters and are refused below.
        m = re.fullmatch(r"([NSEWnsew])\s*([^A-Za-z]*)|([^A-Za-z]*?)\s*([NSEWnsew])", t)
        if m:
            hemi = (m[1] or m[4]).upper()
            t = (m[2] if m[1] else m[3]).strip()
    if hemi is not None and _HEMI_AXIS[hemi] is not axis:
        other = "纬度" if axis is Axis.LON else "经度"
        raise InvalidInput(f"{what}“{original}”带的是{other}的方向（{hemi}）：是否填反了经度和纬度？")
    sign = 1.0
    if t[:1] in ("+", "-"):
        sign, t = (-1.0 if t[0] == "-" else 1.0), t[1:].strip()
        if hemi is not None and sign < 0:
            raise InvalidInput(f"{what}“{original}”既有负号又有方向 {hemi}：请只用其中一种")
    if hemi in ("S", "W"):
        sign = -1.0
    value = _degrees(t, what, original, axis)
    return sign * value


def _degrees(t: str, what: str, original: str, axis: Axis) -> float:
    if _DECIMAL.match(t):
        return float(t)
    if t.endswith("°") and _DECIMAL.match(t[:-1].strip()):
        return float(t[:-1].strip())
    m = _DMS.match(t) or _SPACED.match(t)
    if not m:
        if re.search(r"[^\d\s.°'\"]", t):
            bad = next(ch for ch in t if not (ch.isdigit() or ch in " .°'\""))
            raise InvalidInput(f"{what}“{original}”不是数字或度分秒（看不懂“{bad}”）：请填写如 {EXAMPLES[axis]}")
        raise InvalidInput(f"{what}“{original}”不是数字或度分秒：请填写如 {EXAMPLES[axis]}")
    d, mins, secs = m["d"], m["m"], m["s"]
    if mins is not None and "." in d:
        raise InvalidInput(f"{what}“{original}”：度带小数时不能再写分秒")
    if secs is not None and "." in mins:
        raise InvalidInput(f"{what}“{original}”：分带小数时不能再写秒")
    minutes = float(mins) if mins is not None else 0.0
    seconds = float(secs) if secs is not None else 0.0
    if minutes >= 60:
        raise InvalidInput(f"{what}“{original}”的分是 {minutes:g}：分应小于 60")
    if seconds >= 60:
        raise InvalidInput(f"{what}“{original}”的秒是 {seconds:g}：秒应小于 60")
    return float(d) + minutes / 60 + seconds / 3600


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine; ample for checks at county scale)."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))
