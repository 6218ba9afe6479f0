"""Leaflet and friends copied from their Python packages beside the page: never a CDN."""
from __future__ import annotations

from pathlib import Path

import xstatic.pkg.jquery as xs_jquery
import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_cluster

from hazardmap.files import copy_file

ASSET_DIR = "hazardmap_assets"
STATIC = Path(__file__).resolve().parent / "static"

# (source file, name beside the page)
_FILES = [
    (Path(xs_leaflet.BASE_DIR) / "leaflet.js", "leaflet.js"),
    (Path(xs_leaflet.BASE_DIR) / "leaflet.css", "leaflet.css"),
    (Path(xs_jquery.BASE_DIR) / "jquery.min.js", "jquery.min.js"),
    (Path(xs_cluster.BASE_DIR) / "leaflet.markercluster.js", "leaflet.markercluster.js"),
    (Path(xs_cluster.BASE_DIR) / "MarkerCluster.css", "MarkerCluster.css"),
    (Path(xs_cluster.BASE_DIR) / "MarkerCluster.Default.css", "MarkerCluster.Default.css"),
    (STATIC / "hazardmap.js", "hazardmap.js"),
    (STATIC / "hazardmap.css", "hazardmap.css"),
]
_IMAGES = Path(xs_leaflet.BASE_DIR) / "images"  # leaflet.css refers to images/ relatively

JS = ["leaflet.js", "jquery.min.js", "leaflet.markercluster.js", "hazardmap.js"]
CSS = ["leaflet.css", "MarkerCluster.css", "MarkerCluster.Default.css", "hazardmap.css"]


def _copy_if_changed(src: Path, dst: Path) -> None:
    # The window rebuilds its page on every start: skip files already in place.
    if dst.exists() and dst.stat().st_size == src.stat().st_size and dst.stat().st_mtime >= src.stat().st_mtime:
        return
    copy_file(src, dst, force=True)  # never a half-copied script beside a page


def copy_assets(page_dir: Path) -> Path:
    """Copy the assets into page_dir/hazardmap_assets and return that folder."""
    out = page_dir / ASSET_DIR
    (out / "images").mkdir(parents=True, exist_ok=True)
    for src, name in _FILES:
        _copy_if_changed(src, out / name)
    for img in _IMAGES.glob("*.png"):
        _copy_if_changed(img, out / "images" / img.name)
    return out
