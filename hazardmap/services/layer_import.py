"""Points from a GIS file or a spreadsheet into the register: field mapping (guessed, remembered per
file layout), the coordinate system (from the file or chosen), checks for the usual mistakes (X/Y
swapped, zone number missing or wrong, points far outside the county), duplicates against the
register, then one all-or-nothing write with one undo step.

preview_points() reads nothing from disk and writes nothing: it is what the dialog and `--check` show.
import_points() writes the preview's good rows (or refuses when any row is bad, unless skip_bad).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import CrsNeeded, FieldInvalid, ImportRefused, InvalidInput, StaleEdit
from hazardmap.domain.points import POINT_FIELDS, HazardPoint, PointAction, Precision, check_point_fields
from hazardmap.domain.settings import Setting
from hazardmap.geodata import crs as crsmod
from hazardmap.geodata.crs import CrsChoice
from hazardmap.services.layer_read import LayerData, norm_header
from hazardmap.services.spreadsheet import BadRow, short
from hazardmap.services.store import Store, current_user, now_iso

# What a column can be mapped to: the register's fields, with the village given by name.
TARGETS: dict[str, str] = {
    "unified_code": "统一编号", "field_code": "野外编号", "given_name": "名称", "kind": "灾害类型",
    "volume_m3": "体积（m³）", "township": "乡镇", "village": "村", "place": "组/地点", "village_group": "村组",
    "threatened": "威胁对象", "households": "威胁户数", "people": "威胁人数", "property_wan": "威胁财产（万元）",
    "monitor": "监测人", "phone": "联系电话",
}
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "unified_code": ("统一编号", "灾害点编号", "隐患点编号", "编号", "tybh", "code", "id编号"),
    "field_code": ("野外编号", "ywbh"),
    "given_name": ("名称", "隐患点名称", "灾害点名称", "点名", "name", "名字"),
    "kind": ("灾害类型", "类型", "灾种", "隐患类型", "type", "zhlx"),
    "volume_m3": ("体积", "方量", "规模方量", "volume"),
    "township": ("乡镇", "乡镇街道", "所在乡镇", "乡镇名称", "镇", "乡镇名", "xz", "township"),
    "village": ("村", "村名", "行政村", "所在村", "村社区", "village"),
    "place": ("组地点", "组", "地点", "位置", "具体位置", "组名"),
    "village_group": ("村组",),
    "threatened": ("威胁对象", "威胁", "受威胁对象"),
    "households": ("威胁户数", "户数"),
    "people": ("威胁人数", "人数", "威胁人口"),
    "property_wan": ("威胁财产", "财产", "威胁资产"),
    "monitor": ("监测人", "监测员", "群测群防员", "监测责任人", "监测人姓名", "monitor"),
    "phone": ("联系电话", "电话", "手机", "监测人电话", "手机号", "phone", "tel"),
}
FAR_KM = 3.0             # further than this outside the county outline: refused as a likely mistake
DUPLICATE_M = 30.0       # same name this close: the same point
SETTING_PREFIX = "layer_fields."


def guess_mapping(columns: list[str]) -> dict[str, str]:
    """field -> column, from the headers (whole-word matches first, so 监测人电话 goes to phone)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    normed = {c: norm_header(c).replace("/", "").replace("（", "").replace("）", "") for c in columns}
    for target, words in _SYNONYMS.items():
        for word in words:
            hit = next((c for c in columns if c not in used and normed[c] == word), None)
            if hit:
                out[target] = hit
                used.add(hit)
                break
    return out


def layout_key(columns: list[str]) -> str:
    return SETTING_PREFIX + hashlib.sha1("\x1f".join(sorted(columns)).encode("utf-8")).hexdigest()[:16]


def remembered_mapping(store: Store, columns: list[str]) -> dict[str, str] | None:
    key = layout_key(columns)
    with store.db.read() as s:
        found = store.db.settings.get(s, (key,)).get(key)
    if found is None:
        return None
    try:
        mapping = json.loads(found.value)
    except ValueError:
        return None
    return {k: v for k, v in mapping.items() if k in TARGETS and v in columns}


def mapping_for(store: Store, data: LayerData) -> dict[str, str]:
    """What the dialog starts with: the mapping used last time for this layout, else the guess."""
    return remembered_mapping(store, data.columns) or guess_mapping(data.columns)


def parse_map_options(items: list[str], columns: list[str]) -> dict[str, str]:
    """`--map FIELD=COLUMN`: FIELD as its key (township) or its Chinese name (乡镇); COLUMN as written,
    or empty to map nothing."""
    out: dict[str, str] = {}
    by_label = {v: k for k, v in TARGETS.items()}
    for item in items:
        if "=" not in item:
            raise InvalidInput(f"--map 应写成 字段=列名（如 乡镇=所在乡镇），“{item}”不是")
        name, column = (t.strip() for t in item.split("=", 1))
        target = name if name in TARGETS else by_label.get(name)
        if target is None:
            raise InvalidInput(f"没有“{name}”这一项：可用 {'、'.join(TARGETS.values())}")
        if column and column not in columns:
            raise InvalidInput(f"文件中没有“{column}”列：有 {'、'.join(columns[:30])}")
        out[target] = column
    return out


# ---- the preview --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """A row ready to become a point."""
    line: int
    values: dict[str, object]       # checked POINT_FIELDS values
    lon: float
    lat: float
    name: str


@dataclass(frozen=True)
class Duplicate:
    line: int
    name: str
    seq: int                        # the register's point
    reason: str                     # Chinese


@dataclass
class PointPreview:
    data: LayerData
    crs: CrsChoice
    mapping: dict[str, str]
    rows: list[Candidate] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.bad) + len(self.duplicates)


def resolve_crs(data: LayerData, chosen: str | CrsChoice | None) -> CrsChoice:
    if isinstance(chosen, CrsChoice):
        return chosen
    if chosen:
        return crsmod.parse_crs(chosen)
    if data.file_crs is not None:
        return data.file_crs
    raise CrsNeeded(data.name, *_suggest(data))


def suggested_crs(data: LayerData) -> str:
    """What a dialog preselects for a file that does not say its system: a parse_crs key read from the
    numbers (lon/lat -> cgcs2000, an 8-digit easting -> its zone), or "" when they say nothing."""
    key, _why = _suggest(data)
    return "cgcs2000" if key.startswith("cgcs2000") else key


def _suggest(data: LayerData) -> tuple[str, str]:
    xs, ys = data.xs[np.isfinite(data.xs)], data.ys[np.isfinite(data.ys)]
    if not len(xs):
        return "", ""
    x, y = float(np.median(xs)), float(np.median(ys))
    if 73 <= x <= 136 and 3 <= y <= 54:
        return "cgcs2000 或 wgs84", "经纬度；若来自高德/腾讯地图选 gcj02，百度地图选 bd09"
    zone = crsmod.zone_of_easting(x)
    if zone and 1_900_000 <= y <= 6_100_000:
        return crsmod.cgcs2000_gk(zone, prefixed=True), f"东坐标带有带号 {zone}，国家2000 3度带"
    if 100_000 <= x <= 900_000 and 1_900_000 <= y <= 6_100_000:
        return crsmod.cgcs2000_gk(crsmod.HENGNAN_ZONE, prefixed=False), "6 位东坐标，衡南县在中央经线 114° 的 3 度带"
    return "", ""


def preview_points(store: Store, data: LayerData, *, crs: str | CrsChoice | None = None,
                   mapping: Mapping[str, str] | None = None) -> PointPreview:
    if data.geometry_type not in ("point", "none") or (data.geometry_type == "none" and data.coordinate_columns
                                                       is None):
        kind = {"line": "线", "polygon": "面", "mixed": "混合", "none": "没有几何"}[data.geometry_type]
        raise InvalidInput(f"“{data.name}”的图层是{kind}要素，不是点：隐患点只能从点图层导入"
                           "（线和面请作为参考图层导入）")
    choice = resolve_crs(data, crs)
    mapping = dict(guess_mapping(data.columns) if mapping is None else mapping)
    mapping = {k: v for k, v in mapping.items() if v}
    preview = PointPreview(data, choice, mapping, bad=list(data.bad))
    preview.warnings.extend(data.notes)
    if data.encoding_note:
        preview.warnings.append(data.encoding_note)
    if choice.warning:
        preview.warnings.append(choice.warning)
    if "township" not in mapping:
        preview.warnings.append("没有指定“乡镇”列：每个隐患点都需要所在乡镇，请在字段对应中选择")
    positions = _positions(store, data, choice, preview)
    existing = _register_index(store)
    seen_codes: dict[str, int] = {}
    for i, (line, rec) in enumerate(zip(data.lines, data.rows)):
        problem = positions[i]
        if isinstance(problem, str):
            preview.bad.append(BadRow(line, problem, _describe(rec, mapping)))
            continue
        lon, lat = problem
        try:
            values = _values(store, rec, mapping)
        except InvalidInput as exc:
            preview.bad.append(BadRow(line, str(exc), _describe(rec, mapping)))
            continue
        code = str(values.get("unified_code") or "")
        name = str(values.get("given_name") or "") or f"{values['township']}{values.get('village_group') or ''}"
        if code and code in seen_codes:
            preview.bad.append(BadRow(line, f"统一编号“{code}”与第 {seen_codes[code]} 行重复", name))
            continue
        if code:
            seen_codes[code] = line
        dup = existing.duplicate(code, name, lon, lat)
        if dup:
            preview.duplicates.append(Duplicate(line, name, *dup))
            continue
        preview.rows.append(Candidate(line, values, lon, lat, name))
    preview.bad.sort(key=lambda b: b.line)
    return preview


def _describe(rec: dict, mapping: Mapping[str, str]) -> str:
    for key in ("given_name", "unified_code", "village", "township"):
        col = mapping.get(key)
        if col and rec.get(col) not in (None, ""):
            return short(str(rec[col]))
    return ""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _township(store: Store, text: str) -> str:
    name = text.replace("衡南县", "").strip()
    if not name:
        raise FieldInvalid("township", "缺少乡镇（街道）")
    names = [t.name for t in store.bundled.townships]
    for candidate in (name, name + "镇", name + "乡", name + "街道"):
        if candidate in names:
            return candidate
    raise FieldInvalid("township", f"乡镇“{text}”不是衡南县现有的乡镇（街道）：可用 {'、'.join(names)}")


def _values(store: Store, rec: dict, mapping: Mapping[str, str]) -> dict[str, object]:
    raw = {k: _text(rec.get(col)) for k, col in mapping.items()}
    township = _township(store, raw.pop("township", ""))
    village_text = raw.pop("village", "")
    village_code = ""
    if village_text:
        found = store.bundled.villages_named(village_text, township)
        if len(found) == 1:
            village_code = found[0].code
    if "village_group" not in raw or not raw["village_group"]:
        raw["village_group"] = village_text + raw.get("place", "")
    fields = {k: v for k, v in raw.items() if k in POINT_FIELDS}
    values = check_point_fields(fields)
    values["township"] = township
    values["village_code"] = village_code
    if not values.get("village_group") and not values.get("given_name"):
        raise FieldInvalid("village_code", "没有村、组/地点或名称，认不出是哪个隐患点")
    return values


def _positions(store: Store, data: LayerData, choice: CrsChoice, preview: PointPreview) -> list:
    """Per row: (lon, lat) in CGCS2000, or why the position is refused (Chinese)."""
    import shapely

    n = len(data.rows)
    xs, ys = data.xs, data.ys
    out: list = [None] * n
    missing = ~(np.isfinite(xs) & np.isfinite(ys))
    for i in np.flatnonzero(missing):
        out[i] = "没有坐标"
    zone_problem = _zone_checks(data, choice, out)
    if zone_problem:
        raise InvalidInput(zone_problem)
    if not choice.projected:
        for i in range(n):
            if out[i] is None and not (-180 <= xs[i] <= 180 and -90 <= ys[i] <= 90):
                out[i] = f"经纬度超出范围（{xs[i]:g}, {ys[i]:g}）：是否选错了坐标系（平面坐标应选 EPSG 代码）？"
    todo = np.array([o is None for o in out], dtype=bool)
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    if todo.any():
        lon[todo], lat[todo] = crsmod.to_cgcs2000(choice, xs[todo], ys[todo])
    # Distances in metres: the county and the points in the printed maps' projection (CM 114°E).
    gk = CrsChoice("EPSG:4547", "", wkt=_gk_wkt(), projected=True)
    county = store.bundled.county_outline
    county_m = _project_geom(county, gk)
    ok = todo & np.isfinite(lon) & np.isfinite(lat)
    px, py = crsmod.from_cgcs2000(gk, lon[ok], lat[ok])
    dist = shapely.distance(county_m, shapely.points(px, py)) if ok.any() else np.array([])
    far_count = 0
    for j, i in enumerate(np.flatnonzero(ok)):
        d = float(dist[j])
        if d > FAR_KM * 1000:
            far_count += 1
            out[i] = _far_message(lon[i], lat[i], d, xs[i], ys[i], choice)
        else:
            out[i] = (float(lon[i]), float(lat[i]))
            if d > 0:
                preview.warnings.append(f"第 {data.lines[i]} 行在县界外约 {d:.0f} 米（在 {FAR_KM:g} 公里以内，仍导入）")
    for i in np.flatnonzero(todo & ~ok):
        out[i] = "坐标无法换算（数值不像所选坐标系的坐标）"
    if far_count and far_count == int(todo.sum()) and far_count > 1:
        preview.warnings.insert(0, f"全部 {far_count} 个点都不在衡南县内：多半是坐标系选错了（现为 {choice.label}）")
    return out


def _gk_wkt() -> str:
    return crsmod.parse_crs("EPSG:4547").wkt


def _project_geom(geom, choice: CrsChoice):
    import shapely

    coords = shapely.get_coordinates(geom)
    x, y = crsmod.from_cgcs2000(choice, coords[:, 0], coords[:, 1])
    return shapely.set_coordinates(geom, np.column_stack([x, y]))


def _far_message(lon: float, lat: float, d: float, x: float, y: float, choice: CrsChoice) -> str:
    where = f"经度 {lon:.5f}、纬度 {lat:.5f}"
    if not (73 <= lon <= 136 and 3 <= lat <= 54):
        return f"位置（{where}）不在中国境内（可能落在海上）：请检查坐标和坐标系（现为 {choice.label}）"
    if 73 <= lat <= 136 and 3 <= lon <= 54:
        return f"经纬度可能填反了（{where}）：衡南县约为经度 112～113、纬度 26～27"
    if choice.projected and _looks_swapped(x, y):
        return f"X、Y 可能填反了（{x:g}, {y:g}）：北坐标约 290 万米，东坐标为 6 位或带带号的 8 位数"
    return f"位置（{where}）在衡南县以外约 {d / 1000:.0f} 公里，不像县内的点：请检查坐标和坐标系（现为 {choice.label}）"


def _looks_swapped(x: float, y: float) -> bool:
    return 1_900_000 <= x <= 6_100_000 and not (1_900_000 <= y <= 6_100_000)


def _zone_checks(data: LayerData, choice: CrsChoice, out: list) -> str | None:
    """Gauss–Krüger eastings against the chosen zone: the zone number missing, extra or another zone.
    Returns a message for the whole file when most rows share the mistake (the choice is wrong);
    single rows get their own reason."""
    gk = crsmod.gauss_kruger(choice)
    if gk is None:
        return None
    rows = [i for i in range(len(out)) if out[i] is None]
    if not rows:
        return None
    prefix = gk.zone_prefix
    reasons: dict[int, str] = {}
    for i in rows:
        x, y = float(data.xs[i]), float(data.ys[i])
        if _looks_swapped(x, y):
            reasons[i] = f"X、Y 可能填反了（{x:.1f}, {y:.1f}）：东坐标不应是 7 位数"
            continue
        zone = crsmod.zone_of_easting(x)
        if prefix is not None and zone is None:
            reasons[i] = f"东坐标 {x:.1f} 没有带号，而 {choice.label} 要求带号 {prefix}"
        elif prefix is not None and zone != prefix:
            reasons[i] = f"东坐标 {x:.1f} 的带号是 {zone}，与 {choice.label} 的第 {prefix} 带不符"
        elif prefix is None and zone is not None:
            reasons[i] = f"东坐标 {x:.1f} 带有带号 {zone}，而 {choice.label} 不带带号"
    if not reasons:
        return None
    if len(reasons) * 2 > len(rows):
        first = next(iter(reasons.values()))
        zone = crsmod.zone_of_easting(float(np.nanmedian(data.xs)))
        if prefix is not None and zone is None:
            hint = f"应选 {crsmod.cgcs2000_gk(prefix, prefixed=False)}（同一带、不带带号）"
        elif zone is not None:
            hint = f"应选 {crsmod.cgcs2000_gk(zone, prefixed=True)}（国家2000 3度带第 {zone} 带、带号）"
        else:
            hint = "请检查坐标系"
        return (f"“{data.name}”的 {len(reasons)} 个点与所选坐标系的带号不符（如：{first}）：{hint}。未做任何改动")
    for i, why in reasons.items():
        out[i] = why
    return None


class _RegisterIndex:
    def __init__(self, points: list[HazardPoint]) -> None:
        self.by_code = {p.unified_code: p.seq for p in points if p.unified_code}
        self.by_name: dict[str, list[HazardPoint]] = {}
        for p in points:
            if p.located:
                self.by_name.setdefault(p.name, []).append(p)

    def duplicate(self, code: str, name: str, lon: float, lat: float) -> tuple[int, str] | None:
        from hazardmap.domain.coordinates import distance_m

        if code and code in self.by_code:
            return self.by_code[code], f"统一编号“{code}”已在册（第 {self.by_code[code]} 号）"
        for p in self.by_name.get(name, ()):
            d = distance_m(lon, lat, p.lon, p.lat)
            if d <= DUPLICATE_M:
                return p.seq, f"与第 {p.seq} 号“{p.name}”同名且相距 {d:.0f} 米"
        return None


def _register_index(store: Store) -> _RegisterIndex:
    with store.db.read() as s:
        return _RegisterIndex(store.db.points.all(s))


# ---- the write ---------------------------------------------------------------------------------------------

def import_points(store: Store, preview: PointPreview, *, skip_bad: bool = False, by: str | None = None) -> Changes:
    """Add the preview's good rows to the register in one transaction. Any bad row refuses the whole
    import (ImportRefused naming the rows) unless skip_bad. Duplicates are never added. The field
    mapping is remembered for files with the same columns."""
    if preview.bad and not skip_bad:
        raise ImportRefused(preview.data.name, preview.bad)
    if not preview.rows:
        raise InvalidInput(f"“{preview.data.name}”没有可导入的新隐患点"
                           + (f"（{len(preview.duplicates)} 个已在册）" if preview.duplicates else ""))
    who, at = by or current_user(), now_iso()
    source = f"导入：{preview.data.name}" + (f"（图层 {preview.data.layer}）" if preview.data.layer else "") + \
             f"，{preview.crs.label}"
    source = source[:200]
    with store.db.write() as tx:
        seq = store.db.points.next_seq(tx)
        taken = store.db.points.codes(tx)   # read inside the write: a code added since the preview is caught
        for code in (str(c.values.get("unified_code") or "") for c in preview.rows):
            if code in taken:
                raise StaleEdit(f"统一编号“{code}”（第 {taken[code]} 号已使用）")
        added: list[HazardPoint] = []
        for c in preview.rows:
            v = c.values
            kind = v.get("kind")
            point = HazardPoint(
                seq=seq, township=str(v["township"]), village_group=str(v.get("village_group") or ""),
                village_code=str(v.get("village_code") or ""), threatened=str(v.get("threatened") or ""),
                hazard_type=kind.value if kind else "", monitor=str(v.get("monitor") or ""),
                phone=str(v.get("phone") or ""), lon=c.lon, lat=c.lat, precision=Precision.SURVEYED,
                source=source, unified_code=str(v.get("unified_code") or ""),
                field_code=str(v.get("field_code") or ""), given_name=str(v.get("given_name") or ""), kind=kind,
                volume_m3=v.get("volume_m3"), place=str(v.get("place") or ""), households=v.get("households"),
                people=v.get("people"), property_wan=v.get("property_wan"))
            added.append(point)
            seq += 1
        _insert(store, tx, added, who, at)
        store.db.settings.put(tx, [Setting(layout_key(preview.data.columns),
                                           json.dumps(preview.mapping, ensure_ascii=False), False,
                                           "导入图层时的字段对应", changed_by=who, changed_at=at)])
    label = f"从“{preview.data.name}”导入 {len(added)} 个隐患点"
    return _changes(store, added, by, label)


def _insert(store: Store, tx, points: list[HazardPoint], who: str, at: str) -> None:
    store.db.points.insert_many(tx, points)
    audit = []
    for p in points:
        after = {**p.field_values(), "status": p.status.value, "lon": p.lon, "lat": p.lat, "source": p.source}
        audit.append((p.seq, PointAction.ADD, {k: [None, v] for k, v in after.items() if v not in (None, "")}))
    store.db.points.add_point_changes(tx, audit, by=who, at=at)


def _changes(store: Store, added: list[HazardPoint], by: str | None, label: str, *, present: bool = True) -> Changes:
    """The step's record; its undo takes the imported points out when present, puts them back when not."""
    return Changes(points=frozenset(p.seq for p in added), label=label,
                   undo=lambda: _take_out_or_put_back(store, added, by, label, put_back=not present))


def _take_out_or_put_back(store: Store, added: list[HazardPoint], by: str | None, label: str, *,
                          put_back: bool) -> Changes:
    """The undo takes every imported point out, if none has been edited or recorded against since; its
    redo puts them back, if their numbers and 统一编号 are still free."""
    who, at = by or current_user(), now_iso()
    with store.db.write() as tx:
        for p in added:
            now = store.db.points.get(tx, p.seq)
            if put_back and now is not None:
                raise StaleEdit(f"第 {p.seq} 号隐患点")
            if put_back and p.unified_code and store.db.points.seq_with_code(tx, p.unified_code) is not None:
                raise StaleEdit(f"统一编号“{p.unified_code}”")
            if not put_back and (now != p or store.db.points.has_history(tx, p.seq)):
                raise StaleEdit(f"第 {p.seq} 号隐患点（导入后已改动）")
        if put_back:
            _insert(store, tx, added, who, at)
        else:
            for p in added:
                store.db.points.delete(tx, p.seq)
            store.db.points.add_point_changes(tx, [(p.seq, PointAction.REMOVE, {"source": [p.source, None]})
                                                   for p in added], by=who, at=at)
    return _changes(store, added, by, label, present=put_back)
