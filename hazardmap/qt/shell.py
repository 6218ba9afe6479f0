"""What the window offers a feature, declared in one place (like QGIS's iface and Spyder's mainmenu
api): the store, menus by id and section, a details tab, a dock, the selected point, running an
operation through the one undo road, and one map click asked for by a dialog.

A feature is a module with `attach(shell: Shell) -> object`; the window imports each feature
explicitly, calls attach, and keeps what it returns in its feature registry. Features never set
attributes on the window and never reach past this interface; tests hand them a double that
implements the same Protocol."""
from __future__ import annotations

from typing import Any, Callable, Protocol, runtime_checkable

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QDialog, QDockWidget, QMenu, QMenuBar, QWidget

from hazardmap.domain.errors import HazardmapError
from hazardmap.domain.key_lists import View
from hazardmap.services.store import Store


class MenuId:
    FILE = "file"
    EDIT = "edit"
    VIEW = "view"
    PRINT = "print"
    HELP = "help"


MENU_TITLES = {MenuId.FILE: "文件(&F)", MenuId.EDIT: "编辑(&E)", MenuId.VIEW: "视图(&V)",
               MenuId.PRINT: "打印/导出(&P)", MenuId.HELP: "帮助(&H)"}


class Section:
    """Named groups inside a menu, in the order they appear (a separator between non-empty ones)."""
    # 文件
    DATA = "data"          # import/export of records
    BACKUP = "backup"
    SERVER = "server"      # 连接服务器… (the bureau's shared database)
    QUIT = "quit"          # 退出, always last
    # 编辑
    UNDO = "undo"
    POINTS = "points"      # the register: add, edit, retire, restore a point
    # 视图
    MAP = "map"
    PANELS = "panels"      # the docks' show/hide toggles
    # 打印/导出
    PRODUCTS = "products"
    BATCH = "batch"
    PAGE = "page"          # the offline map page
    # 帮助
    ABOUT = "about"


MENU_SECTIONS: dict[str, tuple[str, ...]] = {
    MenuId.FILE: (Section.DATA, Section.BACKUP, Section.SERVER, Section.QUIT),
    MenuId.EDIT: (Section.UNDO, Section.POINTS),
    MenuId.VIEW: (Section.MAP, Section.PANELS),
    MenuId.PRINT: (Section.PRODUCTS, Section.BATCH, Section.PAGE),
    MenuId.HELP: (Section.ABOUT,),
}


class SectionedMenus:
    """The menu bar's menus, each cut into its declared sections. An action added to a section goes
    after that section's earlier actions, whatever order features attach in."""

    def __init__(self, bar: QMenuBar) -> None:
        self.menus: dict[str, QMenu] = {}
        self._marks: dict[tuple[str, str], QAction] = {}  # separator that opens each section but the first
        for menu_id, title in MENU_TITLES.items():
            menu = bar.addMenu(title)
            menu.setSeparatorsCollapsible(True)  # empty sections leave no double lines
            self.menus[menu_id] = menu
            for section in MENU_SECTIONS[menu_id][1:]:
                self._marks[(menu_id, section)] = menu.addSeparator()

    def _before(self, menu_id: str, section: str) -> QAction | None:
        sections = MENU_SECTIONS[menu_id]
        if section not in sections:
            raise KeyError(f"menu {menu_id!r} has no section {section!r}")
        later = sections[sections.index(section) + 1:]
        return self._marks[(menu_id, later[0])] if later else None

    def add_action(self, menu_id: str, action: QAction, section: str) -> None:
        menu = self.menus[menu_id]
        before = self._before(menu_id, section)
        if before is None:
            menu.addAction(action)
        else:
            menu.insertAction(before, action)

    def add_menu(self, menu_id: str, title: str, section: str) -> QMenu:
        sub = QMenu(title, self.menus[menu_id])
        self.add_action(menu_id, sub.menuAction(), section)
        return sub


class MapClickTool(QObject):
    """One click on the map, asked for by the dialog that needs it (a QGIS map tool): the dialog
    creates the tool, hides itself and hands the tool to `shell.request_map_click`. The shell shows
    the prompt and sends each click here; the dialog's handler calls `finish()` when the click will do
    or `set_prompt()` to keep picking. Esc calls `cancel()`: the dialog comes back unchanged."""

    sig_clicked = Signal(float, float)  # CGCS2000 lon, lat
    sig_prompt_changed = Signal(str)
    sig_finished = Signal()              # picking is over (clicked, or cancelled)
    sig_cancelled = Signal()

    def __init__(self, prompt: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.prompt = prompt
        self.active = False

    def set_prompt(self, text: str) -> None:
        self.prompt = text
        self.sig_prompt_changed.emit(text)

    def click(self, lon: float, lat: float) -> None:
        if self.active:
            self.sig_clicked.emit(lon, lat)

    def finish(self) -> None:
        if self.active:
            self.active = False
            self.sig_finished.emit()

    def cancel(self) -> None:
        if self.active:
            self.active = False
            self.sig_finished.emit()
            self.sig_cancelled.emit()


class PicksOnMap:
    """For a dialog that asks for one map click (mixed in before QDialog): it hides, the window hands
    the click to the dialog's own MapClickTool, and Esc or a finished pick brings it back. The dialog
    defines _on_map_clicked(lon, lat) and calls finish_pick() once the click is what it needed."""

    map_tool: MapClickTool | None = None

    def ask_map_click(self, shell: "Shell", prompt: str) -> None:
        self.map_tool = tool = MapClickTool(prompt, self)
        tool.sig_clicked.connect(self._on_map_clicked)
        tool.sig_cancelled.connect(self._come_back)
        self.hide()
        shell.request_map_click(tool)

    def finish_pick(self) -> None:
        self.map_tool.finish()
        self._come_back()

    def _come_back(self) -> None:
        self.show()
        self.raise_()

    def done(self, result: int) -> None:
        if self.map_tool is not None:
            self.map_tool.finish()  # closing the dialog ends its pick
        super().done(result)


@runtime_checkable
class Shell(Protocol):
    """What a feature may use of the window."""

    @property
    def store(self) -> Store: ...

    @property
    def undo_stack(self) -> QUndoStack:
        """The names and position of the steps; read it, but undo and redo through undo()/redo()."""
        ...

    def undo(self) -> None: ...

    def redo(self) -> None: ...

    @property
    def sig_point_selected(self) -> SignalInstance: ...  # seq of the selected point, 0 when none

    @property
    def sig_point_menu(self) -> SignalInstance:
        """(QMenu, seq) as the points table's context menu opens (seq 0 off the rows): a feature
        adds its actions to that menu."""
        ...

    def widget(self) -> QWidget:
        """The window itself, as the parent for a feature's dialogs."""
        ...

    def add_action(self, menu_id: str, action: QAction, section: str) -> None: ...

    def add_menu(self, menu_id: str, title: str, section: str) -> QMenu: ...

    def add_details_tab(self, widget: QWidget, title: str) -> None: ...

    def show_details_tab(self, widget: QWidget) -> None: ...

    def add_dock(self, dock: QDockWidget, area: Qt.DockWidgetArea = Qt.DockWidgetArea.BottomDockWidgetArea) -> None:
        """Also puts the dock's show/hide toggle in 视图."""
        ...

    def select_point(self, seq: int | None) -> None: ...

    def current_point_seq(self) -> int | None: ...

    def run_operation(self, op: Callable[[Store], Any], *, title: str, slow: str | None = None,
                      parent: QWidget | None = None, resets_undo: bool = False,
                      on_refused: Callable[[HazardmapError], None] | None = None,
                      from_version: Callable[[int], Callable[[Store], Any]] | None = None) -> Any:
        """hazardmap.qt.operations.OperationRunner.run: the one road for every edit (from_version: an edit
        made from the version a form showed, resolved through the conflict dialog)."""
        ...

    def request_map_click(self, tool: MapClickTool) -> None: ...

    @property
    def sig_view_changed(self) -> SignalInstance: ...  # the view chooser's new choice, as View.key()

    def current_view(self) -> View:
        """Which points the window shows (a year's key list, 全部在册, 已核销), resolved against the data:
        the table, map, overview and printing follow it (services/views.py)."""
        ...

    def set_view(self, view: View) -> None: ...

    def reopen(self) -> None:
        """Close the window and open it again on the data chosen now (文件 → 连接服务器…): every feature
        starts over on the new store; the undo steps of the old data go with it."""
        ...

class ShellPlumbing:
    """The parts of the Shell that are the same in the window and in the test double: menus, the undo
    road, details tabs and docks. Needs `runner` (an OperationRunner), `_menus` (SectionedMenus),
    `details_tabs` (a QTabWidget) and to be a QMainWindow."""

    @property
    def undo_stack(self) -> QUndoStack:
        return self.runner.undo_stack

    def widget(self) -> QWidget:
        return self

    def undo(self) -> None:
        self.runner.undo()

    def redo(self) -> None:
        self.runner.redo()

    def add_action(self, menu_id: str, action: QAction, section: str) -> None:
        self._menus.add_action(menu_id, action, section)

    def add_menu(self, menu_id: str, title: str, section: str) -> QMenu:
        return self._menus.add_menu(menu_id, title, section)

    def add_details_tab(self, widget: QWidget, title: str) -> None:
        self.details_tabs.addTab(widget, title)

    def show_details_tab(self, widget: QWidget) -> None:
        if self.details_tabs.indexOf(widget) >= 0:
            self.details_tabs.setCurrentWidget(widget)

    def add_dock(self, dock: QDockWidget, area: Qt.DockWidgetArea = Qt.DockWidgetArea.BottomDockWidgetArea) -> None:
        self.addDockWidget(area, dock)
        self.add_action(MenuId.VIEW, dock.toggleViewAction(), Section.PANELS)

    def run_operation(self, op: Callable[[Store], Any], **kwargs) -> Any:
        """hazardmap.qt.operations.OperationRunner.run (title=, slow=, parent=, resets_undo=, on_refused=,
        from_version=)."""
        return self.runner.run(op, **kwargs)


def run_in_form(shell: Shell, form: QWidget, op: Callable[[Store], Any], title: str,
                from_version: Callable[[int], Callable[[Store], Any]] | None = None) -> bool:
    """Run an edit from a dialog or tab whose `error` label shows a refusal in place (the form stays
    open to be corrected) instead of a message box. True when the edit was done."""
    refused: list[HazardmapError] = []
    done = shell.run_operation(op, title=title, parent=form, on_refused=refused.append, from_version=from_version)
    if refused:
        form.error.setText(str(refused[0]))
        return False
    return done is not None


class ShellDialog(QDialog):
    """A feature's dialog: over the window unless another parent is given, with its shell and store."""

    def __init__(self, shell: Shell, title: str, size: tuple[int, int], parent: QWidget | None = None) -> None:
        super().__init__(parent or shell.widget())
        self.shell, self.store = shell, shell.store
        self.setWindowTitle(title)
        self.resize(*size)


class DialogFeature:
    """A feature that is one menu entry opening one dialog (an import, an export); the dialog last opened
    stays in `dialog` (tests drive it there)."""

    def __init__(self, shell: Shell, dialog_type: Callable[[Shell], QWidget], text: str, *, tip: str = "",
                 menu: MenuId = MenuId.FILE, section: Section = Section.DATA) -> None:
        self.shell, self.dialog_type = shell, dialog_type
        self.dialog: Any = None
        self.action = QAction(text, shell.widget())
        self.action.triggered.connect(self.open)
        if tip:
            self.action.setToolTip(tip)
        shell.add_action(menu, self.action, section)

    def open(self, *_args) -> Any:
        self.dialog = self.dialog_type(self.shell)
        self.dialog.show()
        return self.dialog
