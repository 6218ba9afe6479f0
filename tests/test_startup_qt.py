"""The window's start-up: a damaged database, an unusable data folder or an unexpected error is said in
a Chinese message box (the windowed build has no console); a damaged database offers the newest good
backup; a failing start-up backup does not stop the window. The boxes never block: show_box is replaced."""
from __future__ import annotations

import argparse
import errno
import shutil

import pytest

pytest.importorskip("PySide6.QtWidgets")

from hazardmap.qt import startup  # noqa: E402
from hazardmap.services import backup  # noqa: E402
from hazardmap.services import patrol as patrol_service  # noqa: E402
from hazardmap.services.store import db_path  # noqa: E402
from tests.test_shell_window import wait_until  # noqa: E402
from tests.test_integrity import DAMAGE, ENTRIES, _populate, digest, no_part_files, snapshot  # noqa: E402


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    home = tmp_path_factory.mktemp("template_qt") / "home"
    _populate(home)
    return home


@pytest.fixture
def populated(template, home):
    shutil.copytree(template, home)
    return home


class Boxes:
    """Records every box shown and answers with the button named `answer`."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.shown: list[dict] = []

    def __call__(self, box):
        buttons = {b.objectName(): b.text() for b in box.buttons()}
        self.shown.append({"title": box.windowTitle(), "text": box.text(), "info": box.informativeText(),
                           "buttons": buttons})
        chosen = [b for b in box.buttons() if b.objectName() == self.answer]
        return chosen[0] if chosen else None


@pytest.fixture
def boxes(monkeypatch, qapp):
    def answer(name: str) -> Boxes:
        b = Boxes(name)
        monkeypatch.setattr(startup, "show_box", b)
        return b
    return answer


def _window_args() -> argparse.Namespace:
    return argparse.Namespace(command="gui", face="qt")


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_damaged_database_box_quit_changes_nothing(populated, boxes, kind):
    db = db_path(populated)
    DAMAGE[kind](db)
    damaged, good = digest(db), snapshot(backup.backup_dir(populated))
    shown = boxes("quit")
    assert startup.open_store_for_window(backup_on_open=True) is None
    (box,) = shown.shown
    assert box["title"] == "数据库已损坏" and "没有对它做任何写入" in box["text"]
    assert sorted(good)[-1] in box["info"] and set(box["buttons"].values()) == {"恢复此备份", "退出"}
    assert digest(db) == damaged and snapshot(backup.backup_dir(populated)) == good


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_damaged_database_box_restores_the_newest_good_backup(populated, boxes, kind):
    db = db_path(populated)
    DAMAGE[kind](db)
    damaged = digest(db)
    shown = boxes("restore")
    store = startup.open_store_for_window(backup_on_open=True)
    try:
        assert store is not None and len(shown.shown) == 1
        assert len(patrol_service.list_entries(store)) == ENTRIES
        assert any(w.startswith("已从备份 auto-") and "损坏的数据库已另存为" in w for w in store.warnings)
    finally:
        store.close()
    kept = list(backup.backup_dir(populated).glob("damaged-before-restore-*.sqlite3"))
    assert len(kept) == 1 and digest(kept[0]) == damaged
    assert no_part_files(populated)


def test_no_good_backup_says_so_and_only_offers_to_quit(home, boxes):
    home.mkdir(parents=True)
    db_path(home).write_bytes(b"")
    shown = boxes("restore")
    assert startup.open_store_for_window(backup_on_open=True) is None
    (box,) = shown.shown
    assert "没有找到完好的备份" in box["info"] and list(box["buttons"].values()) == ["退出"]
    assert db_path(home).stat().st_size == 0


def test_the_gui_command_on_a_damaged_database_shows_the_box_and_builds_no_window(populated, boxes, monkeypatch):
    from hazardmap.qt import entry, main_window

    DAMAGE["flipped"](db_path(populated))
    monkeypatch.setattr(main_window, "MainWindow", lambda *a: pytest.fail("no window over a damaged database"))
    shown = boxes("quit")
    assert entry.run_window_command(_window_args()) == 2
    assert shown.shown[0]["title"] == "数据库已损坏"


@pytest.mark.parametrize("inside", [False, True])
def test_hazardmap_home_that_is_a_file_is_said_in_a_box(tmp_path, monkeypatch, boxes, inside):
    from hazardmap.qt import entry

    target = tmp_path / "file"
    target.write_text("x")
    monkeypatch.setenv("HAZARDMAP_HOME", str(target / "sub" if inside else target))
    shown = boxes("quit")
    assert entry.run_window_command(_window_args()) == 2
    (box,) = shown.shown
    assert box["title"] == "hazardmap 无法启动" and "不是文件夹" in box["text"] and "HAZARDMAP_HOME" in box["text"]


def test_an_unexpected_error_is_logged_in_the_data_folder_and_the_box_says_where(home, boxes, monkeypatch):
    from hazardmap.qt import entry

    def broken(*a, **k):
        raise RuntimeError("测试用的意外错误")

    monkeypatch.setattr(startup, "open_store", broken)
    shown = boxes("quit")
    assert entry.run_window_command(_window_args()) == 1
    log = home / startup.ERROR_LOG
    assert "测试用的意外错误" in log.read_text(encoding="utf-8") and "Traceback" in log.read_text(encoding="utf-8")
    (box,) = shown.shown
    assert "意外错误" in box["text"] and str(log) in box["info"] and "Traceback" not in box["info"]


def test_a_full_disk_at_the_start_up_backup_still_shows_the_window_with_the_problem(populated, boxes, monkeypatch):
    """Simulated full disk (ENOSPC once the copy is written): the window opens and its banner says why."""
    from PySide6.QtWidgets import QApplication, QLabel

    from hazardmap.qt import entry, main_window
    from hazardmap.storage import backups as files

    def full(path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "_fsync", full)
    seen = {}
    real_show = main_window.MainWindow.show

    def show(window):
        real_show(window)
        seen["window"] = window

    def exec_(*_):  # instead of the event loop: wait for the map, then read what a person sees
        window = seen["window"]
        assert entry.wait_for_map(QApplication.instance(), window)

        def labels():
            return [lbl.text() for lbl in window.findChildren(QLabel) if lbl.isVisible()]
        # The backup is taken in a thread while the window starts: its banner comes when it is done.
        wait_until(lambda: any("启动时自动备份失败" in t for t in labels()))
        seen["labels"] = labels()
        return 0

    monkeypatch.setattr(main_window.MainWindow, "show", show)
    monkeypatch.setattr(QApplication, "exec", exec_)
    shown = boxes("quit")
    assert entry.run_window_command(_window_args()) == 0
    assert shown.shown == []
    assert any("启动时自动备份失败" in t and "磁盘空间不足" in t for t in seen["labels"]), seen["labels"]
    assert no_part_files(populated)
