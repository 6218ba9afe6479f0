"""Distribution pieces: selftest command, About dialog, build.spec and installer script sanity."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def test_selftest_passes_from_the_source_tree(home):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    res = subprocess.run([sys.executable, "-m", "hazardmap", "selftest"], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    lines = [line for line in res.stdout.splitlines() if line.startswith("[")]
    assert lines and all(line.startswith("[通过]") for line in lines)
    assert "自检通过" in res.stdout
    assert not (home / "hazardmap.sqlite3").exists()  # never touches the user's database


def test_selftest_reports_a_failed_check_by_name(capsys):
    from hazardmap.qt.selftest import SelfTest, require

    test = SelfTest()

    def broken() -> str:
        require(False, "标记未出现")
        return "不应到这里"

    def crashing() -> str:
        raise KeyError("points")

    code = test.run([("地图", broken), ("另一项", lambda: "好"), ("明白卡", crashing)])
    out = capsys.readouterr().out
    assert code == 1
    assert "[失败] 地图：标记未出现" in out and "[通过] 另一项：好" in out
    assert "[失败] 明白卡：意外错误（KeyError）：'points'" in out
    assert "2 项失败（地图、明白卡）" in out
    assert [(r.name, r.ok) for r in test.results] == [("地图", False), ("另一项", True), ("明白卡", False)]


SELFTEST_UNDER_O = """
import sys
from hazardmap.services import points
real = points.list_points
points.list_points = lambda store: real(store)[:-1]  # a damaged copy: one point missing
from hazardmap.qt.selftest import SelfTest
test = SelfTest()
sys.exit(test.run([("数据库", test.check_database)]))
"""


def test_selftest_reports_a_failing_check_under_python_O():
    """python -O strips `assert`; the frozen build may run optimised. A wrong count must still fail."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-O", "-c", SELFTEST_UNDER_O], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=120)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "[失败] 数据库：应有 16 处隐患点，实际 15 处" in res.stdout
    assert "自检未通过：1 项失败（数据库）" in res.stdout


def test_selftest_has_no_bare_assert():
    import ast

    import hazardmap.qt.selftest as selftest

    tree = ast.parse(open(selftest.__file__, encoding="utf-8").read())
    assert not [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)]


def test_about_dialog_shows_version_licences_and_data_folder(qtbot, store):
    from PySide6.QtWidgets import QLabel

    from hazardmap import __version__
    from hazardmap.qt import about
    from tests.shell_double import ShellDouble

    window = ShellDouble(store)
    qtbot.addWidget(window)
    action = about.attach(window)
    assert action in window.menus["help"].actions()
    dialog = about.AboutDialog(store, window)
    qtbot.addWidget(dialog)
    text = dialog.licences.toPlainText()
    assert "Vonng/adcode" in text and "CC BY 4.0" in text
    assert dialog.data_folder.text() == str(store.home)
    labels = " ".join(w.text() for w in dialog.findChildren(QLabel))
    assert f"版本 {__version__}" in labels


def test_build_spec_bundles_what_the_app_needs():
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    for needle in ('"data"', '"resources"', "xstatic.pkg.leaflet", 'collect_data_files("pyproj")',
                   "COLLECT(", "console=False"):
        assert needle in spec
    assert "onefile" not in spec.lower()


def _spec_excludes() -> list[str]:
    import ast

    tree = ast.parse((ROOT / "build.spec").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["EXCLUDES"]:
            return ast.literal_eval(node.value)
    raise AssertionError("build.spec has no EXCLUDES list")


IMPORT_ALL_WITHOUT = """
import importlib, importlib.abc, pkgutil, sys
blocked = set(sys.argv[1:])

class Block(importlib.abc.MetaPathFinder):  # what the frozen app lacks: importing it fails
    def find_spec(self, name, path=None, target=None):
        if name in blocked or any(name.startswith(b + ".") for b in blocked):
            raise ImportError(f"{name} is excluded from the frozen build")

sys.meta_path.insert(0, Block())
import hazardmap
for mod in pkgutil.walk_packages(hazardmap.__path__, "hazardmap."):
    if not mod.name.endswith("__main__"):  # __main__ starts the program
        importlib.import_module(mod.name)
import folium  # the map page builder imports pandas only if it is there
print("imported all")
"""


def test_the_frozen_build_excludes_nothing_the_app_imports():
    """build.spec leaves out unused Qt bindings and libraries: every hazardmap module must import without them.
    GDAL (pyogrio, geopandas, pandas) is shipped: layers come in and go out through it."""
    excludes = _spec_excludes()
    assert "PySide6.QtQuick" in excludes
    assert not {"pandas", "pyogrio", "geopandas", "pyproj"} & set(excludes)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-c", IMPORT_ALL_WITHOUT, *excludes], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=300)
    assert res.returncode == 0 and "imported all" in res.stdout, res.stdout + res.stderr


def test_windows_installer_script_keeps_its_promises():
    """The promises of scripts/windows/hazardmap.nsi that a later edit could quietly break (the real
    proof is scripts/windows/test-wine.sh, too slow for this suite)."""
    import re

    nsi = (ROOT / "scripts" / "windows" / "hazardmap.nsi").read_text(encoding="utf-8")
    assert "\nTarget amd64-unicode\n" in nsi  # Chinese names need a Unicode build; the app is 64-bit
    assert 'InstallDir "$PROGRAMFILES64\\${APPNAME}"' in nsi
    assert '!define DISPLAYNAME "衡南县地质灾害隐患点监测"' in nsi and '"$SMPROGRAMS\\${DISPLAYNAME}.lnk"' in nsi
    # One fixed identity: a literal GUID names the uninstall key, so upgrades find the installed copy.
    assert re.search(r'!define PRODUCT_GUID "\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}"', nsi)
    assert "Uninstall\\${PRODUCT_GUID}" in nsi and "WriteUninstaller" in nsi
    code = [line.split(";")[0] for line in nsi.splitlines()]  # without comments
    # User data is never named, so neither install, upgrade nor uninstall can touch it.
    assert "appdata" not in "\n".join(code).lower()
    # Recursive deletes only ever take the program's own library folder, never $INSTDIR itself.
    assert [line.strip() for line in code if "RMDir /r" in line] == ['RMDir /r "$INSTDIR\\_internal"'] * 2


def test_selftest_skipped_checks_are_reported_as_skipped_not_passed(home):
    """What test-wine.sh runs under Wine: the two Chromium-based checks skipped by name, the rest run."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    res = subprocess.run([sys.executable, "-m", "hazardmap", "selftest", "--skip-map", "--skip-pdf-view"],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "[跳过] 离线地图：已按 --skip-map 跳过" in res.stdout
    assert "[跳过] 明白卡回读：已按 --skip-pdf-view 跳过" in res.stdout
    assert "[通过] 防灾工作明白卡" in res.stdout  # the export itself still runs
    assert "[通过] 离线地图" not in res.stdout and "全部通过" not in res.stdout
    assert "自检通过：4 项通过，2 项跳过未检查（离线地图、明白卡回读）" in res.stdout
