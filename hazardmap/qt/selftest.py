"""`hazardmap selftest`: proves an installed (or frozen) copy works end to end, offline.

Each check prints one line, 通过 or 失败 and why; exit 0 only when all pass. Runs on a fresh temporary
database made from the bundled data, so it never touches the user's own. Checks say what they expect
with require(), never `assert`: `python -O` (and an optimised frozen build) strips asserts, and a
check that cannot fail proves nothing.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication


class CheckFailed(Exception):
    """What a check expected and did not find, in Chinese."""


def require(condition: object, message: str) -> None:
    """The check's expectation; unlike `assert` it still runs under `python -O`."""
    if not condition:
        raise CheckFailed(message)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str  # what was found (passed) or what was wrong (failed), in Chinese
    ms: float
    skipped: bool = False  # asked not to run: neither passed nor failed

    @property
    def line(self) -> str:
        if self.skipped:
            return f"[跳过] {self.name}：{self.detail}"
        return f"[{'通过' if self.ok else '失败'}] {self.name}：{self.detail}（{self.ms:.0f} ms）"


class SelfTest:
    def __init__(self, out=None) -> None:
        self.out = out or sys.stdout
        self.results: list[CheckResult] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="hazardmap-selftest-"))
        self.store = None
        self.card: tuple[int, Path] | None = None  # (point, file) of the exported card, read back next

    def check(self, name: str, fn: Callable[[], str]) -> CheckResult:
        started = time.perf_counter()
        try:
            detail, ok = fn() or "", True
        except CheckFailed as exc:
            detail, ok = str(exc), False
        except Exception as exc:  # a failed check names what failed and goes on to the next
            detail, ok = f"意外错误（{type(exc).__name__}）：{exc}", False
            if os.environ.get("HAZARDMAP_SELFTEST_TRACE"):
                traceback.print_exc()
        result = CheckResult(name, ok, detail, (time.perf_counter() - started) * 1000)
        self.results.append(result)
        print(result.line, file=self.out, flush=True)
        return result

    # -- checks -------------------------------------------------------------------------------
    def check_database(self) -> str:
        from hazardmap.services import points, rain_gauges
        from hazardmap.services.store import open_store
        from hazardmap.storage.schema import SCHEMA_VERSION

        self.store = open_store(self.tmp / "home")
        # A new database holds exactly the bundled 2023 list and programme (counts from the data).
        rows = self.store.bundled.key_point_rows
        want, want_located = len(rows), sum(1 for r in rows if r["lon"])
        self.want_located = want_located
        slots = int(self.store.bundled.rain_gauge_programme["slots"])
        pts = points.list_points(self.store)
        require(len(pts) == want, f"应有 {want} 处隐患点，实际 {len(pts)} 处")
        located = sum(1 for p in pts if p.located)
        require(located == want_located, f"应有 {want_located} 处已定位，实际 {located} 处")
        gauges = rain_gauges.assigned_count(self.store)
        require(gauges == (0, slots), f"新数据库的雨量计应为 0/{slots} 已落实，实际 {gauges[0]}/{gauges[1]}")
        integrity = self.store.db.integrity()
        require(integrity == "ok", f"数据库完整性检查未通过：{integrity}")
        return f"新建数据库 schema {SCHEMA_VERSION}，{want} 处隐患点（{want_located} 处已定位），雨量计 0/{slots}"

    def check_bundled_layers(self) -> str:
        b = self.store.bundled
        require(b.county_outline.is_valid and b.county_outline.area > 0.1, "县界图形无效或面积不对")
        require(len(b.townships) == 23, f"应有 23 个乡镇（街道），实际 {len(b.townships)} 个")
        require(len(b.villages) == 446, f"应有 446 个村，实际 {len(b.villages)} 个")
        return f"县界、{len(b.neighbours_geojson()['features'])} 个相邻县区、23 个乡镇、446 个村"

    def check_map(self) -> str:
        """The offline map page in QtWebEngine: its assets are bundled, it draws the points, and it
        asks for nothing outside the computer."""
        from PySide6.QtCore import QEvent

        from hazardmap.qt.map_view import MapView
        from hazardmap.qt.offline_guard import RequestRecorder

        view = MapView(self.store)
        recorder = RequestRecorder()
        view.page().profile().setUrlRequestInterceptor(recorder)
        try:
            view.resize(900, 600)
            view.show()
            view.load_map()
            require(wait_until(lambda: view.ready, 30), "地图在 30 秒内未就绪")
            points = view.stats.get("points")
            want = self.want_located
            require(points == want, f"地图上应有 {want} 个隐患点，实际 {points}")
            require(not recorder.remote(), f"离线地图请求了网络：{'、'.join(recorder.remote()[:3])}")
            return f"地图就绪，{points} 个隐患点，{view.stats.get('villages')} 个村庄点，无网络请求"
        finally:
            view.page().profile().setUrlRequestInterceptor(None)
            view.deleteLater()
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)

    def check_work_card(self) -> str:
        """Export one 防灾工作明白卡 with the bundled font embedded (reportlab, no Qt)."""
        from hazardmap.paths import resources_dir
        from hazardmap.reports import fonts
        from hazardmap.reports.data import collect
        from hazardmap.reports.output import write_atomic
        from hazardmap.reports.sheets import work_card_pdf

        seq = 5
        pdf = work_card_pdf(collect(self.store), seq)
        require(pdf.startswith(b"%PDF"), "导出的明白卡不是 PDF 文件")
        require(b"/FontFile2" in pdf, "明白卡中未嵌入中文字体")
        font = fonts.font_path()
        require(font is not None and resources_dir() in font.parents, f"未使用内置字体：{font}")
        self.card = (seq, write_atomic(self.tmp / "work_card.pdf", pdf))
        return f"第 {seq} 号点明白卡已导出，字体已嵌入（{font.name}）"

    def check_gis_files(self) -> str:
        """GDAL in this build: the points written to a GeoPackage and read back, Chinese names intact."""
        from hazardmap.services.layer_export import export_layer, points_layer
        from hazardmap.services.layer_read import read_layer
        from hazardmap.services.points import get_point

        out = self.tmp / "points.gpkg"
        export_layer(points_layer(self.store), out)
        back = read_layer(out)
        names = {str(row.get("名称") or "") for row in back.rows}
        want = get_point(self.store, 5).name
        require(len(back.rows) >= 15, f"GeoPackage 读回 {len(back.rows)} 个点，应至少 15 个")
        require(want in names, f"GeoPackage 中找不到“{want}”（中文字段可能损坏）")
        return f"GeoPackage 写出并读回 {len(back.rows)} 个点（GDAL）"

    def check_work_card_view(self) -> str:
        """Read the exported card back with QtPdf (no poppler needed on Windows): page, size, text."""
        from PySide6.QtPdf import QPdfDocument

        from hazardmap.services import points

        require(self.card is not None, "明白卡未导出，无法回读")
        seq, path = self.card
        point = points.get_point(self.store, seq)
        doc = QPdfDocument()
        doc.load(str(path))
        require(doc.pageCount() == 1, f"明白卡应为 1 页，实际 {doc.pageCount()} 页")
        size = doc.pagePointSize(0)
        require(abs(size.width() - 595.28) < 1 and abs(size.height() - 841.89) < 1,
                f"纸张应为 A4 纵向，实际 {size.width():.0f}×{size.height():.0f} 点")
        text = doc.getAllText(0).text()
        doc.close()
        for needle in ("防灾工作明白卡", point.monitor, point.phone):
            require(needle in text, f"卡片中找不到“{needle}”")
        return f"A4 1 页，含监测人 {point.monitor} 及电话"

    def skip(self, name: str, reason: str) -> CheckResult:
        result = CheckResult(name, False, reason, 0.0, skipped=True)
        self.results.append(result)
        print(result.line, file=self.out, flush=True)
        return result

    def run(self, checks: list[tuple[str, Callable[[], str]]], skip: dict[str, str] | None = None) -> int:
        """Runs each check; `skip` names checks not to run, with the reason printed for each."""
        skip = skip or {}
        for name, fn in checks:
            if name in skip:
                self.skip(name, skip[name])
            else:
                self.check(name, fn)
        failed = [r.name for r in self.results if not r.ok and not r.skipped]
        skipped = [r.name for r in self.results if r.skipped]
        if self.store is not None:
            self.store.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        if failed:
            print(f"自检未通过：{len(failed)} 项失败（{'、'.join(failed)}）", file=self.out)
            return 1
        if skipped:  # said plainly: a skipped check proved nothing
            print(f"自检通过：{len(self.results) - len(skipped)} 项通过，{len(skipped)} 项跳过未检查"
                  f"（{'、'.join(skipped)}）", file=self.out)
        else:
            print(f"自检通过：{len(self.results)} 项全部通过", file=self.out)
        return 0


def wait_until(predicate: Callable[[], bool], timeout_s: float, step_ms: int = 50) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        loop = QEventLoop()
        QTimer.singleShot(step_ms, loop.quit)
        loop.exec()
    return predicate()


def eval_js(view, script: str, timeout_s: float = 10.0):
    """runJavaScript returns '' for JS objects in PySide6 6.12, so scripts return JSON strings, parsed here."""
    box: list = []
    view.page().runJavaScript(script, 0, lambda value: box.append(value))
    if not wait_until(lambda: bool(box), timeout_s):
        raise TimeoutError("页面脚本无响应")
    value = box[0]
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def run_selftest(args) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841
    test = SelfTest()
    # Under Wine 8.0 neither Chromium-based part of Qt runs (QtWebEngine does not load; QtPdf's pdfium
    # stops on a breakpoint): these options skip those checks by name, reported as 跳过, never 通过.
    skip = {}
    if getattr(args, "skip_map", False):
        skip["离线地图"] = "已按 --skip-map 跳过，未检查地图（QtWebEngine）"
    if getattr(args, "skip_pdf_view", False):
        skip["明白卡回读"] = "已按 --skip-pdf-view 跳过，未用 QtPdf 回读明白卡"
    return test.run([
        ("数据库", test.check_database),
        ("内置图层", test.check_bundled_layers),
        ("离线地图", test.check_map),
        ("防灾工作明白卡", test.check_work_card),
        ("GIS 文件", test.check_gis_files),
        ("明白卡回读", test.check_work_card_view),
    ], skip=skip)
