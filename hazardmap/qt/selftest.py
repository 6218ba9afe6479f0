"""`hazardmap selftest`: proves an installed (or frozen) copy works end to end, offline.

Each check prints one line; exit 0 only when all pass. Runs on a fresh temporary database made from
the bundled data, so it never touches the user's own.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication


class SelfTest:
    def __init__(self, out=None) -> None:
        self.out = out or sys.stdout
        self.results: list[tuple[str, bool, str]] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="hazardmap-selftest-"))
        self.store = None

    def check(self, name: str, fn: Callable[[], str]) -> bool:
        started = time.perf_counter()
        try:
            detail = fn() or ""
            ok = True
        except Exception as exc:  # a failed check names what failed and goes on to the next
            detail = f"{type(exc).__name__}: {exc}"
            if os.environ.get("HAZARDMAP_SELFTEST_TRACE"):
                traceback.print_exc()
            ok = False
        ms = (time.perf_counter() - started) * 1000
        self.results.append((name, ok, detail))
        print(f"[{'通过' if ok else '失败'}] {name}：{detail}（{ms:.0f} ms）", file=self.out, flush=True)
        return ok

    # -- checks -------------------------------------------------------------------------------
    def check_database(self) -> str:
        from hazardmap.services import points, rain_gauges
        from hazardmap.services.store import open_store
        from hazardmap.storage.schema import SCHEMA_VERSION

        self.store = open_store(self.tmp / "home")
        pts = points.list_points(self.store)
        assert len(pts) == 16, f"应有16处隐患点，实际 {len(pts)}"
        located = sum(1 for p in pts if p.located)
        assert located == 15, f"应有15处已定位，实际 {located}"
        assert rain_gauges.assigned_count(self.store) == (0, 15)
        integrity = self.store.db.integrity()
        assert integrity == "ok", integrity
        return f"新建数据库 schema {SCHEMA_VERSION}，16 处隐患点（15 处已定位），雨量计 0/15"

    def check_bundled_layers(self) -> str:
        b = self.store.bundled
        assert b.county_outline.is_valid and b.county_outline.area > 0.1
        assert len(b.villages) == 446 and len(b.townships) == 23
        return f"县界、{len(b.neighbours_geojson()['features'])} 个相邻县区、23 个乡镇、446 个村"

    def check_map(self) -> str:
        """The offline map page in QtWebEngine: its assets are bundled, it draws the points, and it
        asks for nothing outside the computer."""
        from PySide6.QtCore import QEvent
        from PySide6.QtWebEngineCore import QWebEngineUrlRequestInterceptor

        from hazardmap.qt.map_view import MapView

        class Recorder(QWebEngineUrlRequestInterceptor):
            def __init__(self) -> None:
                super().__init__()
                self.remote: list[str] = []

            def interceptRequest(self, info) -> None:  # noqa: N802
                url = info.requestUrl().toString()
                if not url.startswith(("file:", "qrc:", "data:")):
                    self.remote.append(url)
                    info.block(True)

        view = MapView(self.store)
        recorder = Recorder()
        view.page().profile().setUrlRequestInterceptor(recorder)
        try:
            view.resize(900, 600)
            view.show()
            view.load_map()
            assert wait_until(lambda: view.ready, 30), "地图在 30 秒内未就绪"
            points = view.stats.get("points")
            assert points == 15, f"地图上应有 15 个隐患点，实际 {points}"
            assert not recorder.remote, f"离线地图请求了网络：{recorder.remote[0]}"
            return f"地图就绪，15 个隐患点，{view.stats.get('villages')} 个村庄点，无网络请求"
        finally:
            view.page().profile().setUrlRequestInterceptor(None)
            view.deleteLater()
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)

    def check_work_card(self) -> str:
        """Export one 防灾工作明白卡 and read it back with QtPdf (no poppler needed on Windows)."""
        from PySide6.QtPdf import QPdfDocument

        from hazardmap.paths import resources_dir
        from hazardmap.reports import fonts
        from hazardmap.reports.data import collect
        from hazardmap.reports.output import write_atomic
        from hazardmap.reports.sheets import work_card_pdf
        from hazardmap.services import points

        seq = 5
        point = points.get_point(self.store, seq)
        pdf = work_card_pdf(collect(self.store), seq)
        assert pdf.startswith(b"%PDF"), "不是 PDF"
        assert b"/FontFile2" in pdf, "中文字体未嵌入"
        font = fonts.font_path()
        assert font is not None and resources_dir() in font.parents, f"未使用内置字体：{font}"
        path = write_atomic(self.tmp / "work_card.pdf", pdf)
        doc = QPdfDocument()
        doc.load(str(path))
        assert doc.pageCount() == 1, f"页数 {doc.pageCount()}"
        size = doc.pagePointSize(0)
        assert abs(size.width() - 595.28) < 1 and abs(size.height() - 841.89) < 1, f"纸张 {size}"
        text = doc.getAllText(0).text()
        doc.close()
        for needle in ("防灾工作明白卡", point.monitor, point.phone):
            assert needle in text, f"卡片中找不到“{needle}”"
        return f"第 {seq} 号点明白卡：A4 1 页，字体已嵌入（{font.name}），含监测人 {point.monitor} 及电话"

    def run(self, checks: list[tuple[str, Callable[[], str]]]) -> int:
        for name, fn in checks:
            self.check(name, fn)
        failed = [n for n, ok, _ in self.results if not ok]
        if self.store is not None:
            self.store.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        if failed:
            print(f"自检未通过：{len(failed)} 项失败（{'、'.join(failed)}）", file=self.out)
            return 1
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
    """runJavaScript returns '' for objects in PySide6 6.12: scripts return JSON strings (PLATFORM.md)."""
    box: list = []
    view.page().runJavaScript(script, 0, lambda value: box.append(value))
    if not wait_until(lambda: bool(box), timeout_s):
        raise TimeoutError("页面脚本无响应")
    value = box[0]
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def run_selftest(args) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841
    test = SelfTest()
    return test.run([
        ("数据库", test.check_database),
        ("内置图层", test.check_bundled_layers),
        ("离线地图", test.check_map),
        ("防灾工作明白卡", test.check_work_card),
    ])
