"""Checks on what users type. Each failure raises InvalidInput with a Chinese reason."""
from __future__ import annotations

import enum
import math
import re
import unicodedata

from hazardmap.domain.errors import InvalidInput

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-\d{7,8}$")

# Rough bounding box of China, for telling swapped or foreign coordinates apart.
CHINA_LON = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)


class Datum(str, enum.Enum):
    WGS84 = "wgs84"
    CGCS2000 = "cgcs2000"
    GCJ02 = "gcj02"

    @property
    def label(self) -> str:
        return {"wgs84": "WGS-84（GPS）", "cgcs2000": "CGCS2000（国家2000）",
                "gcj02": "GCJ-02（高德/腾讯地图）"}[self.value]

    @classmethod
    def parse(cls, text: str) -> "Datum":
        key = text.strip().lower().replace("-", "").replace("_", "")
        for d in cls:
            if d.value == key:
                return d
        raise InvalidInput(f"未知的坐标系“{text}”：只能是 wgs84、cgcs2000 或 gcj02")


def check_phone(phone: str) -> str:
    phone = phone.strip().replace(" ", "")
    if not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
        from hazardmap.domain.errors import BadPhone

        raise BadPhone(phone)
    return phone


# ---- characters a person cannot see: refused wherever text is typed or imported -------------------

_NAMED_INVISIBLE = {
    "\x00": "空字符 NUL", "\u200b": "零宽空格 U+200B", "\u200c": "零宽非连接符 U+200C",
    "\u200d": "零宽连接符 U+200D", "\u2060": "零宽不换行符 U+2060", "\ufeff": "字节顺序标记 BOM U+FEFF",
}
_FILLERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}   # Hangul fillers, braille blank: look empty
_FILLER_RE = re.compile("[" + "".join(sorted(_FILLERS)) + "]")
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}                            # line breaks inside a cell are normal


def invisible_character(text: str) -> str | None:
    """A description of the first character in text that a person cannot see or that Excel cannot
    store (control characters, zero-width and other format characters, fillers), or None."""
    if text.isprintable() and not _FILLER_RE.search(text):
        return None   # the usual case, decided in C: no control, format or unassigned character
    for ch in text:
        if ch in _ALLOWED_CONTROLS:
            continue
        if ch in _NAMED_INVISIBLE:
            return _NAMED_INVISIBLE[ch]
        cat = unicodedata.category(ch)
        if cat == "Cc":
            return f"控制字符 U+{ord(ch):04X}"
        if cat == "Cf":
            return f"格式控制字符 U+{ord(ch):04X}"
        if ch in _FILLERS:
            return f"空白填充字符 U+{ord(ch):04X}"
        if cat == "Cs":
            return f"无效字符 U+{ord(ch):04X}"
    return None


def check_visible(text: str, what: str) -> str:
    """Refuse text carrying control or invisible characters (a NUL breaks every later Excel export;
    a name of zero-width spaces looks empty but is not)."""
    bad = invisible_character(text)
    if bad:
        raise InvalidInput(f"{what}含有看不见的字符（{bad}），请删去后再保存")
    return text


def check_name(name: str) -> str:
    name = check_visible(name, "姓名").strip()
    if not name:
        raise InvalidInput("姓名不能为空")
    if len(name) > 40:
        raise InvalidInput("姓名过长（最多40个字）")
    return name


def check_lon_lat(lon: float, lat: float) -> tuple[float, float]:
    """Range and plausibility: refuse impossible values and likely swapped lon/lat."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise InvalidInput("经纬度必须是数字")
    in_china = CHINA_LON[0] <= lon <= CHINA_LON[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]
    swapped_in_china = CHINA_LON[0] <= lat <= CHINA_LON[1] and CHINA_LAT[0] <= lon <= CHINA_LAT[1]
    if not in_china and swapped_in_china:
        raise InvalidInput(f"经纬度可能填反了：经度 {lon}、纬度 {lat}。衡南县约为经度 112～113、纬度 26～27")
    if not -180.0 <= lon <= 180.0:
        raise InvalidInput(f"经度 {lon} 超出范围（-180～180）")
    if not -90.0 <= lat <= 90.0:
        raise InvalidInput(f"纬度 {lat} 超出范围（-90～90）")
    if not in_china:
        raise InvalidInput(f"坐标（经度 {lon}，纬度 {lat}）不在中国境内，请检查")
    return lon, lat


def number_in_range(value: object, what: str, low: float, high: float, *, unit: str = "", whole: bool = False,
                    hint: str = "") -> float | int:
    """A number a user typed (a trailing unit allowed), checked to lie within [low, high] inclusive, with
    one Chinese sentence for each way it can be wrong. `hint` follows the "not a number" sentence."""
    text = str(value).strip()
    if unit:
        text = text.lower().removesuffix(unit.lower()).strip()
    try:
        number = int(text) if whole else float(text)
    except ValueError:
        raise InvalidInput(f"{what}“{value}”不是{'整数' if whole else '数字'}{hint}") from None
    tail = f" {unit}" if unit else ""
    tail += " " if unit.isascii() else ""  # a space between Latin letters or digits and Chinese
    if not math.isfinite(number) or not low <= number <= high:
        raise InvalidInput(f"{what} {text}{tail}不合理：应在 {low}～{high}{tail}之间")
    return number


YEAR_MIN, YEAR_MAX = 2000, 2100   # the years a list or a fund plan can be for


def check_year(year: object, what: str = "年份") -> int:
    """A year a user typed (a key list's, a fund plan's)."""
    return number_in_range(year, what, YEAR_MIN, YEAR_MAX, whole=True, hint="：请写四位数字，如 2023")
