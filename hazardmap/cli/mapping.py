"""hazardmap map-html: the page the window shows, written as a file that opens offline anywhere."""
from __future__ import annotations

from pathlib import Path

from hazardmap.cli.parser import output_options
from hazardmap.domain.errors import InvalidInput
from hazardmap.files import check_not_existing
from hazardmap.mapping.options import BASEMAPS, MapOptions
from hazardmap.services.store import Store
from hazardmap.services.views import VIEW_HELP, parse_view


def cmd_map_html(args, store: Store) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise InvalidInput(f"输出文件“{args.out}”应以 .html 结尾")
    if out.exists() and out.is_dir():
        raise InvalidInput(f"“{args.out}”是一个文件夹，请给出 .html 文件名")
    check_not_existing([out], force=args.force)  # before folium and Leaflet load
    if args.basemap == "tianditu" and not (args.tianditu_key or "").strip():
        raise InvalidInput("天地图底图需要密钥：请用 --tianditu-key 给出")
    from hazardmap.mapping.assets import ASSET_DIR  # folium and Leaflet load only for this command
    from hazardmap.mapping.page import build_map_page

    build_map_page(store, out, MapOptions(basemap=args.basemap, tianditu_key=args.tianditu_key or "",
                                          mask_phones=args.mask_phones, view=parse_view(store, args.view)),
                   force=args.force)
    note = "离线可用" if args.basemap == "offline" else f"底图：{BASEMAPS[args.basemap]}（需联网）"
    if args.mask_phones:
        note += "；电话已隐去中间四位"
    print(f"已写出 {out}（资源文件在 {out.parent / ASSET_DIR}；{note}）")
    return 0


def register(sub) -> None:
    p = sub.add_parser("map-html", help="写出离线地图网页（与窗口中的地图相同）")
    output_options(p, "输出的 .html 文件；资源文件写在同一文件夹的 hazardmap_assets 中", mask_phones="送局外的网页")
    p.add_argument("--basemap", choices=list(BASEMAPS), default="offline",
                   help="在线底图，默认 offline（不联网）")
    p.add_argument("--tianditu-key", help="天地图密钥（仅 --basemap tianditu）")
    p.add_argument("--view", metavar="范围", help=VIEW_HELP)
    p.set_defaults(handler=cmd_map_html)
