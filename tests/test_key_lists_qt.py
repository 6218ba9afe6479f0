"""The window's view chooser (a year's key list, 全部在册, 已核销) and the key-list import dialog.

The window test adds one made-up point to the register (test input) so that 全部在册 differs from the
2023 list, and retires another (test edit), then checks that the table, the map page, the legend and
the overview follow the chooser, and that the choice is remembered in ui.ini."""
from __future__ import annotations


import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")


from hazardmap.domain.key_lists import View, ViewKind  # noqa: E402
from hazardmap.services import key_lists as kl, register, views  # noqa: E402
from hazardmap.services.store import open_store  # noqa: E402
from tests.test_key_lists import rows_2024, write_xlsx  # noqa: E402
from tests.test_shell_window import js, wait_until  # noqa: E402  (the page helpers, one copy)

def table_seqs(window) -> list[int]:
    m = window.points_table.proxy
    return sorted(int(m.data(m.index(r, 0))) for r in range(m.rowCount()))


def choose(window, label_start: str) -> None:
    box = window.view_chooser
    index = next(i for i in range(box.count()) if box.itemText(i).startswith(label_start))
    box.setCurrentIndex(index)
    box.activated.emit(index)


def test_view_chooser_filters_table_map_legend_and_overview_and_is_remembered(qapp, tmp_path):
    from hazardmap.qt.entry import close_window
    from hazardmap.qt.main_window import MainWindow

    home = tmp_path / "home"
    store = open_store(home)
    register.add_point(store, {"township": "栗江镇", "village_code": "430422118215", "place": "测试组",
                               "monitor": "测试甲", "phone": "13900000031"}, by="测试")
    register.retire_point(store, 16, date="2024-05-03", reason="测试：已治理", by="测试")
    window = MainWindow(store)
    window.resize(1400, 900)
    window.show()
    try:
        wait_until(lambda: window.map_view.ready)
        box = window.view_chooser
        assert [box.itemText(i) for i in range(box.count())] == [
            "2023年度重点地质灾害隐患点（15 处，另 1 处已核销）", "全部在册（16 处）", "已核销（1 处）"]
        assert window.current_view() == View(ViewKind.KEY_LIST, 2023)
        assert table_seqs(window) == list(range(1, 16))          # retired 16 is hidden, as everywhere
        legend = js(window, "JSON.stringify(document.querySelector('.hm-shown').textContent)")
        assert legend == "2023年度重点地质灾害隐患点：15 处（图上 14 处）"
        overview = window.features["patrol"].overview
        assert "2023年度重点地质灾害隐患点共 15 处" in overview.summary.text()

        choose(window, "全部在册")
        assert table_seqs(window) == [*range(1, 16), 17]
        drawn = sum(1 for p in views.points_in_view(store, View(ViewKind.REGISTERED)) if p.located)
        assert drawn == 15   # point 3 has no position; 16 is retired; 17 sits at its village's centre
        wait_until(lambda: js(window, "JSON.stringify(hazardmap.stats().points)") == drawn)
        wait_until(lambda: js(window, "JSON.stringify(document.querySelector('.hm-shown').textContent)")
                   == f"全部在册隐患点：16 处（图上 {drawn} 处）")
        assert "全部在册隐患点共 16 处" in overview.summary.text()
        snapshot = window.features["printing"].snapshot()
        assert sorted(p.seq for p in snapshot.points) == [*range(1, 16), 17]

        choose(window, "已核销")
        assert table_seqs(window) == [16]
        assert window.settings.value("view/points") == "已核销"
    finally:
        close_window(qapp, window)
        store.close()

    store = open_store(home)
    from hazardmap.qt.view_chooser import ViewChooser
    from PySide6.QtCore import QSettings

    chooser = ViewChooser(store, QSettings(str(home / "ui.ini"), QSettings.Format.IniFormat))
    assert chooser.view == View(ViewKind.RETIRED)
    chooser.deleteLater()
    store.close()


def test_import_dialog_previews_confirms_and_undoes_in_one_step(qapp, store, tmp_path):
    from hazardmap.qt import key_list_import
    from tests.shell_double import ShellDouble

    shell = ShellDouble(store)
    feature = key_list_import.attach(shell)
    assert feature.action.text() in [a.text() for a in shell.menus["file"].actions()]
    dlg = feature.open()
    assert dlg.year.value() == 2024 and dlg.name.text() == "2024年度重点地质灾害隐患点"
    dlg.load(write_xlsx(tmp_path / "2024.xlsx", rows_2024()))
    titles = [dlg.tree.topLevelItem(i).text(0) for i in range(dlg.tree.topLevelItemCount())]
    assert titles == ["新增（2 处）", "有变化（1 处）", "无变化（14 处）", "不在新名单（仍在册）（1 处）"]
    changed = dlg.groups["有变化"].child(0)
    assert changed.text(6) == "第 2 号：监测人 李新菊 → 测试新监测人；联系电话 13875790008 → 13900000002"
    assert dlg.confirm_button.isEnabled()
    assert [k.year for k in kl.list_lists(store)] == [2023]          # nothing written by the preview
    assert dlg.confirm()
    assert [k.year for k in kl.list_lists(store)] == [2023, 2024]
    assert shell.current_view() == View(ViewKind.KEY_LIST, 2024)
    assert shell.undo_stack.count() == 1
    shell.undo()
    assert [k.year for k in kl.list_lists(store)] == [2023]
    shell.redo()
    assert [k.year for k in kl.list_lists(store)] == [2023, 2024]
    shell.deleteLater()


def test_import_dialog_near_match_is_answered_in_the_dialog(qapp, store, tmp_path):
    from hazardmap.qt import key_list_import
    from tests.shell_double import ShellDouble
    from tests.test_key_lists import write_csv

    shell = ShellDouble(store)
    dlg = key_list_import.attach(shell).open()
    dlg.load(write_csv(tmp_path / "near.csv", [[1, "花桥镇", "金石村石塘", "胡社初等居民及学校师生", "胡桂初",
                                                "13142383046"]]))
    assert dlg.tree.topLevelItem(0).text(0) == "待确认（1 行）"
    assert "不在新名单（仍在册）（15 处）" in [dlg.tree.topLevelItem(i).text(0)   # 4 is not called dropped
                                        for i in range(dlg.tree.topLevelItemCount())]
    assert not dlg.confirm_button.isEnabled()
    combo = dlg.tree.itemWidget(dlg.groups["待确认"].child(0), 6)
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "请选择…", "是第 4 号 花桥镇金石村石塘组", "不是，作为新增"]
    combo.setCurrentIndex(1)
    combo.activated.emit(1)
    assert dlg.groups["无变化"].childCount() == 1 and dlg.confirm_button.isEnabled()
    shell.deleteLater()


def test_import_dialog_bad_file_says_why_in_chinese_and_offers_no_confirm(qapp, store, tmp_path):
    from hazardmap.qt import key_list_import
    from tests.shell_double import ShellDouble

    shell = ShellDouble(store)
    dlg = key_list_import.attach(shell).open()
    bad = tmp_path / "list.xlsx"
    bad.write_bytes(b"not a spreadsheet")
    dlg.load(bad)
    assert "不是有效的 Excel 文件" in dlg.error_label.text()
    assert not dlg.confirm_button.isEnabled() and dlg.tree.topLevelItemCount() == 0
    assert [k.year for k in kl.list_lists(store)] == [2023]
    shell.deleteLater()
