"""hazardmap import layer | export layer: GIS files in and out (services/layer_*.py)."""
from __future__ import annotations

import sys

from hazardmap.cli import command_group
from hazardmap.cli.parser import add_command, operator_option, output_options
from hazardmap.services import layer_import, layer_read
from hazardmap.services.store import Store

CRS_HELP = ("坐标系：wgs84、cgcs2000、gcj02（高德/腾讯）、bd09（百度）或 EPSG:N（如 EPSG:4526 国家2000 3度带第38带"
            "带号，EPSG:4547 中央经线114°不带带号）；文件自带坐标系（.prj 等）时可不填")


def print_point_preview(p: layer_import.PointPreview, out=None) -> None:
    out = out or sys.stdout
    d = p.data
    print(f"文件：{d.name}" + (f"，图层 {d.layer}" if d.layer else "") + f"，共 {p.total} 行；坐标系：{p.crs.label}",
          file=out)
    print("字段对应：" + ("、".join(f"{layer_import.TARGETS[k]}←“{v}”" for k, v in p.mapping.items()) or "（无）"),
          file=out)
    for w in p.warnings:
        print(f"注意：{w}", file=out)
    print(f"【可导入】{len(p.rows)} 处", file=out)
    for c in p.rows[:20]:
        print(f"  第 {c.line} 行 {c.name}：经度 {c.lon:.6f}，纬度 {c.lat:.6f}", file=out)
    if len(p.rows) > 20:
        print(f"  ……另有 {len(p.rows) - 20} 处", file=out)
    if p.duplicates:
        print(f"【已在册，不导入】{len(p.duplicates)} 处", file=out)
        for dup in p.duplicates[:20]:
            print(f"  第 {dup.line} 行 {dup.name}：{dup.reason}", file=out)
    for b in p.bad[:50]:
        print(f"错误：{b}", file=sys.stderr)
    if len(p.bad) > 50:
        print(f"错误：另有 {len(p.bad) - 50} 行不能导入", file=sys.stderr)


def cmd_import_layer(args, store: Store) -> int:
    data = layer_read.read_layer(args.file, layer=args.layer, encoding=args.encoding,
                                 columns=tuple(args.columns) if args.columns else None)
    if args.reference or data.geometry_type in ("line", "polygon"):
        return _import_reference(args, store, data)
    mapping = layer_import.mapping_for(store, data)
    if args.map:
        mapping.update(layer_import.parse_map_options(args.map, data.columns))
    preview = layer_import.preview_points(store, data, crs=args.crs, mapping=mapping)
    print_point_preview(preview)
    if args.check:
        print("只检查，未写入")
        return 0 if not preview.bad else 2
    changes = layer_import.import_points(store, preview, skip_bad=args.skip_bad, by=args.by)
    skipped = f"，跳过有误的 {len(preview.bad)} 行" if preview.bad else ""
    print(f"已导入 {len(changes.points)} 个隐患点{skipped}（编号 {min(changes.points)}～{max(changes.points)}）")
    return 0


def cmd_export_layer(args, store: Store) -> int:
    from hazardmap.services import layer_export
    from hazardmap.services.views import parse_view

    what = args.what or "points"
    if what == "points":
        layer = layer_export.points_layer(store, parse_view(store, args.view), mask_phones=args.mask_phones)
    elif what == "gauges":
        layer = layer_export.gauges_layer(store, mask_phones=args.mask_phones)
    elif what == "patrol":
        layer = layer_export.patrol_layer(store, mask_phones=args.mask_phones)
    else:
        layer = layer_export.reference_export(store, what)
    written = layer_export.export_layer(layer, args.out, fmt=args.format, gcj02=args.gcj02,
                                        encoding=args.encoding or "UTF-8", force=args.force)
    for note in layer.notes:
        print(note)
    print(f"已导出“{layer.name}”{len(layer.rows)} 个要素到 " + "、".join(str(p) for p in written)
          + ("（电话已打码）" if args.mask_phones else "") + ("（GCJ-02 坐标）" if args.gcj02 else ""))
    return 0


def _import_reference(args, store: Store, data) -> int:
    from hazardmap.domain.errors import InvalidInput
    from hazardmap.services import reference_layers

    if not args.reference:
        kind = "面" if data.geometry_type == "polygon" else "线"
        raise InvalidInput(f"“{data.name}”是{kind}图层，只能作为参考图层导入：请加 --reference 图层名称（如 --reference 乡镇界）")
    if args.check:
        print(f"文件：{data.name}，{len(data.rows)} 个{'面' if data.geometry_type == 'polygon' else '线'}要素；只检查，未写入")
        return 0
    changes = reference_layers.import_reference(store, data, name=args.reference, crs=args.crs,
                                                label_column=args.label, by=args.by)
    layer = reference_layers.get_layer(store, args.reference)
    print(f"已{changes.label}" + ("；作为乡镇界，乡镇级位置的隐患点将以所在乡镇的范围表示" if layer.role.value == "township" else ""))
    return 0


def register(sub) -> None:
    from hazardmap.services.layer_export import FORMATS
    from hazardmap.services.views import VIEW_HELP

    exp = command_group(sub, "export", "导出")
    e = add_command(exp, "layer", "把隐患点、雨量站点、巡查情况或参考图层导出为 GIS 文件（GeoPackage、Shapefile、KML/KMZ、"
                                  "GeoJSON、CSV、.xlsx）", cmd_export_layer)
    output_options(e, "输出文件；格式按扩展名（.gpkg .shp .kml .kmz .geojson .csv .xlsx）",
                   mask_phones="发给局外的文件")
    e.add_argument("--what", metavar="内容", help="points（隐患点，默认）、gauges（雨量站点）、patrol（巡查情况）或参考图层名")
    e.add_argument("--format", choices=list(FORMATS), help="输出格式（默认按扩展名）")
    e.add_argument("--view", metavar="范围", help=VIEW_HELP)
    e.add_argument("--gcj02", action="store_true", help="坐标转为 GCJ-02（高德/腾讯等手机地图用；仅 KML/KMZ、GeoJSON、CSV、Excel）")
    e.add_argument("--encoding", choices=["GBK", "UTF-8"], help="Shapefile 的文字编码（默认 UTF-8；旧版 ArcGIS 用 GBK）")

    imp = command_group(sub, "import", "导入")
    i = add_command(imp, "layer", "从 GIS 文件或表格导入隐患点或参考图层：GeoPackage、Shapefile、KML/KMZ、GeoJSON、"
                                  ".xlsx/.csv（经纬度或 X/Y 列）", cmd_import_layer)
    i.add_argument("file", help="要导入的文件")
    i.add_argument("--layer", metavar="图层", help="文件有多个图层时，要导入的图层名")
    i.add_argument("--crs", metavar="坐标系", help=CRS_HELP)
    i.add_argument("--map", action="append", metavar="字段=列名",
                   help="指定某一项取自哪一列，如 --map 乡镇=所在乡镇 --map 统一编号=TYBH；可多次使用")
    i.add_argument("--encoding", metavar="编码", help="Shapefile 的文字编码（GBK 或 UTF-8）；默认按 .cpg 或内容判断")
    i.add_argument("--columns", nargs=2, metavar=("X列", "Y列"),
                   help="表格中坐标所在的两列（东/经度列 北/纬度列），列名认不出时使用")
    i.add_argument("--reference", metavar="图层名称",
                   help="把线或面图层作为参考图层导入（如乡镇界、道路、河流），在地图和打印图上显示")
    i.add_argument("--label", metavar="列名", help="参考图层中作为名称的列（默认自动判断；乡镇名称列使其成为乡镇界）")
    i.add_argument("--check", action="store_true", help="只预览和检查，不写入")
    i.add_argument("--skip-bad", action="store_true", help="跳过有误的行，只导入正确的行（默认有误即全部不导入）")
    operator_option(i)
