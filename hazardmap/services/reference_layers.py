"""Reference layers: polygons and lines from the bureau's GIS files (township boundaries, roads, rivers,
zoning), kept in the database in CGCS2000, switchable on the map and drawn on printed maps.

Township boundaries (a layer whose names are the county's townships) also replace the ± ring drawn
around township-precision points: such a point lies somewhere in its township's polygon.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import InvalidInput, LayerNotFound, StaleEdit
from hazardmap.domain.reference_layers import LayerRole, ReferenceFeature, ReferenceLayer, check_layer_name
from hazardmap.geodata import crs as crsmod
from hazardmap.geodata.crs import CrsChoice
from hazardmap.services.layer_read import LayerData, norm_header
from hazardmap.services.store import Store, current_user, now_iso

NEAR_KM = 20.0   # a layer none of whose features comes this close to the county is in the wrong place
_LABEL_HEADERS = ("名称", "乡镇", "乡镇名称", "乡镇名", "xzmc", "name", "mc", "jdmc", "街道", "dlmc", "hlmc", "道路名称",
                  "河流名称")


@dataclass(frozen=True)
class LayerShapes:
    layer: ReferenceLayer
    shapes: list[tuple[str, object]]   # (label, shapely geometry in CGCS2000 lon/lat)


def list_layers(store: Store) -> list[ReferenceLayer]:
    with store.db.read() as s:
        return store.db.reference_layers.all(s)


def get_layer(store: Store, name: str) -> ReferenceLayer:
    with store.db.read() as s:
        found = store.db.reference_layers.by_name(s, name)
    if found is None:
        raise LayerNotFound(name, [layer.name for layer in list_layers(store)])
    return found


def shapes(store: Store, *, visible_only: bool = True) -> list[LayerShapes]:
    import shapely

    out = []
    with store.db.read() as s:
        repo = store.db.reference_layers
        for layer in repo.all(s):
            if visible_only and not layer.visible:
                continue
            feats = repo.features(s, layer.id)
            geoms = shapely.from_wkb([f.wkb for f in feats]) if feats else []
            out.append(LayerShapes(layer, [(f.label, g) for f, g in zip(feats, geoms)]))
    return out


def township_areas(store: Store) -> dict[str, object]:
    """Township name -> its boundary polygon, from the visible township-boundary layers."""
    areas: dict[str, object] = {}
    for ls in shapes(store):
        if ls.layer.role is LayerRole.TOWNSHIP:
            for label, geom in ls.shapes:
                if label and label not in areas:
                    areas[label] = geom
    return areas


def _label_column(store: Store, data: LayerData, chosen: str | None) -> tuple[str, LayerRole]:
    towns = {t.name for t in store.bundled.townships}
    if chosen:
        if chosen not in data.columns:
            raise InvalidInput(f"文件中没有“{chosen}”列：有 {'、'.join(data.columns[:30])}")
        candidates = [chosen]
    else:
        candidates = list(data.columns)
    for col in candidates:
        values = [_town_name(str(r.get(col) or ""), towns) for r in data.rows]
        if values and sum(1 for v in values if v in towns) * 2 >= len(values):
            return col, LayerRole.TOWNSHIP
    if chosen:
        return chosen, LayerRole.OTHER
    for col in data.columns:
        if norm_header(col) in _LABEL_HEADERS:
            return col, LayerRole.OTHER
    return "", LayerRole.OTHER


def _town_name(text: str, towns: set[str]) -> str:
    t = text.replace("衡南县", "").strip()
    for candidate in (t, t + "镇", t + "乡", t + "街道"):
        if candidate in towns:
            return candidate
    return t


def import_reference(store: Store, data: LayerData, *, name: str, crs: str | CrsChoice | None = None,
                     label_column: str | None = None, by: str | None = None) -> Changes:
    """A line or polygon layer as a named reference layer (one undo step)."""
    import shapely

    from hazardmap.services.layer_import import resolve_crs
    from hazardmap.services.layer_import import _project_geom as project

    name = check_layer_name(name)
    if data.geometry_type not in ("line", "polygon"):
        kind = {"point": "点", "mixed": "点线面混合", "none": "没有几何"}[data.geometry_type]
        raise InvalidInput(f"“{data.name}”的图层是{kind}要素：参考图层只能是线或面"
                           + ("（点请作为隐患点导入）" if data.geometry_type == "point" else ""))
    choice = resolve_crs(data, crs)
    col, role = _label_column(store, data, label_column)
    towns = {t.name for t in store.bundled.townships}
    feats, geoms = [], []
    for rec, geom in zip(data.rows, data.geometries or []):
        if geom is None or shapely.is_empty(geom):
            continue
        coords = shapely.get_coordinates(geom)
        lon, lat = crsmod.to_cgcs2000(choice, coords[:, 0], coords[:, 1])
        moved = shapely.set_coordinates(geom, np.column_stack([lon, lat]))
        if not shapely.is_valid(moved):
            moved = shapely.make_valid(moved)
        label = str(rec.get(col) or "").strip() if col else ""
        if role is LayerRole.TOWNSHIP:
            label = _town_name(label, towns)
        attrs = {k: (v if isinstance(v, (int, float, str)) or v is None else str(v)) for k, v in rec.items()}
        feats.append(ReferenceFeature(label, shapely.to_wkb(moved), json.dumps(attrs, ensure_ascii=False,
                                                                                default=str)))
        geoms.append(moved)
    if not feats:
        raise InvalidInput(f"“{data.name}”没有可用的几何要素")
    gk = CrsChoice("EPSG:4547", "", wkt=crsmod.parse_crs("EPSG:4547").wkt, projected=True)
    county = project(store.bundled.county_outline, gk)
    nearest = min(float(shapely.distance(county, project(g, gk))) for g in geoms[:2000])
    if nearest > NEAR_KM * 1000:
        raise InvalidInput(f"“{data.name}”的要素离衡南县最近也有约 {nearest / 1000:.0f} 公里：多半是坐标系选错了"
                           f"（现为 {choice.label}），未做任何改动")
    source = f"{data.name}" + (f"（图层 {data.layer}）" if data.layer else "") + f"，{choice.label}"
    who, at = by or current_user(), now_iso()
    with store.db.write() as tx:
        if store.db.reference_layers.by_name(tx, name) is not None:
            raise InvalidInput(f"已有名为“{name}”的参考图层：请换一个名称，或先删除原有图层")
        layer_id = store.db.reference_layers.insert(tx, name=name, kind=data.geometry_type, role=role,
                                                    source=source[:200], features=feats, by=who, at=at)
    label = f"导入参考图层“{name}”（{len(feats)} 个要素）"
    spec = dict(name=name, kind=data.geometry_type, role=role, source=source[:200], features=feats, by=who, at=at)
    return Changes(reference_layers=True, label=label, undo=lambda: _remove(store, layer_id, spec, label))


def _remove(store: Store, layer_id: int, spec: dict, label: str) -> Changes:
    with store.db.write() as tx:
        if store.db.reference_layers.get(tx, layer_id) is None:
            raise StaleEdit(f"参考图层“{spec['name']}”")
        store.db.reference_layers.delete(tx, layer_id)
    return Changes(reference_layers=True, label=label, undo=lambda: _readd(store, layer_id, spec, label))


def _readd(store: Store, layer_id: int, spec: dict, label: str) -> Changes:
    with store.db.write() as tx:
        if store.db.reference_layers.by_name(tx, spec["name"]) is not None:
            raise StaleEdit(f"参考图层“{spec['name']}”")
        store.db.reference_layers.insert(tx, layer_id=layer_id, **spec)
    return Changes(reference_layers=True, label=label, undo=lambda: _remove(store, layer_id, spec, label))


def remove_layer(store: Store, name: str) -> Changes:
    layer = get_layer(store, name)
    with store.db.read() as s:
        feats = store.db.reference_layers.features(s, layer.id)
    spec = dict(name=layer.name, kind=layer.kind, role=layer.role, source=layer.source, features=feats,
                by=layer.created_by, at=layer.created_at)
    return _remove(store, layer.id, spec, f"删除参考图层“{name}”")


def set_visible(store: Store, name: str, visible: bool) -> Changes:
    layer = get_layer(store, name)
    with store.db.write() as tx:
        store.db.reference_layers.set_visible(tx, layer.id, visible)
    label = f"{'显示' if visible else '隐藏'}参考图层“{name}”"
    return Changes(reference_layers=True, label=label, undo=lambda: set_visible(store, name, not visible))


def export_layer_of(store: Store, name: str):
    """The layer as services/layer_export.py writes it."""
    from hazardmap.services.layer_export import Column, ExportLayer, REFERENCE_COLOUR

    layer = get_layer(store, name)
    (found,) = [ls for ls in shapes(store, visible_only=False) if ls.layer.id == layer.id]
    rows = [{"label": label} for label, _ in found.shapes]
    return ExportLayer(layer.name, [Column("label", "名称", "名称")], rows, [g for _, g in found.shapes],
                       label=lambda r: r["label"], describe=lambda r: layer.name,
                       colour=lambda r: REFERENCE_COLOUR, geometry_kind=layer.kind)
