"""The one road every edit takes in the window (the pattern of Anki's CollectionOp).

An operation is a callable(store) returning a Changes record (or a result carrying one as `.changes`,
like an import report). The runner
  1. runs it: inline when quick, or in a worker thread with a progress dialog and 取消 when slow
     (the worker opens its own store: a SQLite connection is used by one thread at a time);
  2. shows a refusal (HazardmapError) in a Chinese message box with its text; any other exception is
     logged and shown as a generic Chinese message, never as raw exception text;
  3. pushes the step onto the window's one QUndoStack when the Changes say how to undo it
     (`changes.undo` performs the inverse and returns Changes whose own `undo` re-applies the step);
  4. publishes the Changes once, on the window's store, after the step and after each undo/redo.
This is the only place in the window that publishes: services return what changed, they do not
announce it, so the CLI (which has no listeners) works the same without this module."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QAction, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton, QWidget

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import EditConflict, HazardmapError
from hazardmap.qt.conflict_dialog import APPLY_MINE, ConflictDialog
from hazardmap.services.store import Store, open_store

log = logging.getLogger(__name__)

T = TypeVar("T")
Operation = Callable[[Store], Any]  # returns Changes, or a result with a .changes attribute

INTERNAL_ERROR = "操作未完成：程序内部出错（详情已记入日志）。数据未被改动的部分保持原样，请重试或联系维护人员。"
CANCELLED = "已取消，未做任何改动"
UNDO_LIMIT = 200  # steps kept; older ones drop off the bottom of 编辑 > 撤销


class Cancelled(Exception):
    """The user pressed 取消 on the progress dialog."""


@dataclass
class Feedback:
    """What a slow job sees of the progress dialog (QGIS's feedback object): report progress, ask
    whether the user cancelled. Safe to call from the worker thread."""
    _stop: threading.Event = field(default_factory=threading.Event)
    _report: Callable[[int, int, str], None] = lambda done, total, text: None

    def progress(self, done: int, total: int, text: str = "") -> None:
        self._report(done, total, text)

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def cancel(self) -> None:
        self._stop.set()


def changes_of(result: Any) -> Changes | None:
    if isinstance(result, Changes):
        return result
    return getattr(result, "changes", None)


def _ignore(*_args) -> None:
    pass


class _Worker(QObject):
    done = Signal(object)
    progressed = Signal(int, int, str)

    def __init__(self, store: Store, fn: Callable[[Store, Feedback], Any], feedback: Feedback) -> None:
        super().__init__()
        self.home, self.bundled, self.fn, self.feedback = store.home, store.bundled, fn, feedback
        self.store: Store | None = None
        feedback._report = self.progressed.emit  # queued onto the UI thread: workers never touch widgets

    def run(self) -> None:
        try:
            # The window's own store checked this file when it opened: a worker does not read it all again.
            self.store = open_store(self.home, self.bundled, check=False)
            result = self.fn(self.store, self.feedback)
        except BaseException as exc:  # handed back to the UI thread, which shows it
            result = exc
        self.feedback._report = _ignore  # no cycle back to this object once the job is over
        # Back to the UI thread before the worker thread ends: a QObject must not outlive its thread.
        self.moveToThread(QCoreApplication.instance().thread())
        self.done.emit(result)


class _Relay(QObject):
    """Lives in the UI thread: the worker's signals arrive here queued, so the dialog and the
    event loop are only ever touched by the UI thread."""

    def __init__(self, progress: QProgressDialog, feedback: Feedback, loop: QEventLoop) -> None:
        super().__init__()
        self.progress, self.feedback, self.loop = progress, feedback, loop
        self.box: list = []

    @Slot(int, int, str)
    def on_progress(self, done: int, total: int, text: str) -> None:
        if self.feedback.should_stop():
            return
        self.progress.setMaximum(max(total, 0))
        self.progress.setValue(done)
        if text:
            self.progress.setLabelText(text)

    @Slot(object)
    def on_done(self, result) -> None:
        self.box.append(result)
        self.loop.quit()


def run_in_worker(parent: QWidget | None, store: Store, label: str, fn: Callable[[Store, Feedback], T], *,
                  cancellable: bool = True, keep_store: list | None = None) -> T:
    """Run fn(worker_store, feedback) in a worker thread behind a progress dialog; blocks the caller
    (not the event loop) until it returns, then returns its result or raises its error (Cancelled when
    the user cancelled and fn stopped). The worker's store is closed, unless keep_store is a list: then
    it is appended there, still open (an undo step made in the worker is bound to it)."""
    feedback = Feedback()
    thread = QThread()
    worker = _Worker(store, fn, feedback)
    worker.moveToThread(thread)
    loop = QEventLoop()
    progress = QProgressDialog(label, "取消" if cancellable else None, 0, 0, parent)
    progress.setWindowTitle("请稍候")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(400)  # quick jobs finish without a flash of a dialog
    progress.setAutoReset(False)
    progress.setAutoClose(False)
    progress.canceled.connect(feedback.cancel)
    progress.canceled.connect(lambda: progress.setLabelText("正在取消…"))
    relay = _Relay(progress, feedback, loop)
    worker.progressed.connect(relay.on_progress, Qt.ConnectionType.QueuedConnection)
    worker.done.connect(relay.on_done, Qt.ConnectionType.QueuedConnection)
    thread.started.connect(worker.run)
    progress.setValue(0)
    thread.start()
    if not relay.box:
        loop.exec()
    thread.quit()
    thread.wait()
    progress.close()
    progress.deleteLater()
    result = relay.box[0]
    if worker.store is not None:
        if keep_store is not None and not isinstance(result, BaseException):
            keep_store.append(worker.store)
        else:
            worker.store.close()
    if isinstance(result, BaseException):
        raise result
    return result


@dataclass
class _Step:
    """What undoing (or redoing) one step calls next: the `undo` the last Changes handed back."""
    next: Callable[[], Changes] | None


class OperationRunner(QObject):
    """Runs operations for one window: its store, its one undo stack, its error boxes."""


    def __init__(self, store: Store, parent: QWidget | None = None, undo_stack: QUndoStack | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.parent_widget = parent
        # The stack keeps the steps' names, order and position (for 编辑 > 撤销 and the buttons); its
        # commands are plain QUndoCommand markers and the work is done here, in undo() and redo().
        # (PySide6 6.12 on Python 3.11 loses a reference to None on every call of a Python
        # undo()/redo() override from C++, which ends in a crash after a few thousand steps.)
        # Use undo()/redo() or the actions from undo_actions(); a stack moved some other way (its own
        # undo()/setIndex(), a QUndoView) is followed by _on_index_changed.
        self.undo_stack = undo_stack or QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self._steps: list[_Step] = []  # one per command on the stack, same order
        self._index = 0                # where the data is, in stack positions
        self._moving = False           # the stack is being moved from here
        self.undo_stack.indexChanged.connect(self._on_index_changed)
        self.last_error = ""
        self.conflict_dialog: QWidget | None = None  # the last one shown
        self._worker_stores: list[Store] = []  # kept open while their steps can be undone

    # --- the road ---------------------------------------------------------------------------------
    def run(self, op: Operation, *, title: str, slow: str | None = None, parent: QWidget | None = None,
            resets_undo: bool = False, on_refused: Callable[[HazardmapError], None] | None = None,
            from_version: Callable[[int], Operation] | None = None) -> Any:
        """Run op; returns its result, or None when it was refused, failed or cancelled (already shown).
        title: the message boxes' title (and the undo text when the Changes bring no label).
        slow: the progress text, to run it in a worker thread. resets_undo: after it, no earlier step can
        be undone (a backup restore replaces the data those steps name). on_refused: the caller shows a
        HazardmapError itself (e.g. in its dialog's error line) instead of a message box.
        from_version: op is an edit made from the version a form showed, and from_version(v) the same edit
        made from version v. When another desk saved in between (EditConflict), the conflict dialog shows
        theirs and mine: 应用我的 runs the edit again from the version now stored; 保留对方的 leaves theirs
        and counts as a refusal (on_refused, when given, hears of it)."""
        parent = parent or self.parent_widget
        conflicts: list[EditConflict] = []

        def refuse_or_hold(exc: HazardmapError) -> None:
            if isinstance(exc, EditConflict):
                conflicts.append(exc)  # for the conflict dialog, once the operation is over
            elif on_refused is not None:
                on_refused(exc)
            else:
                self.show_error(title, str(exc), parent)
        refuse = on_refused if from_version is None else refuse_or_hold
        if slow is None:
            result = self.call(op, title, parent, refuse)
        else:
            result = self._call_in_worker(op, title, slow, parent, refuse)
        if conflicts:
            return self._resolve(conflicts[0], from_version, title=title, slow=slow, parent=parent,
                                 resets_undo=resets_undo, on_refused=on_refused)
        if result is None:
            return None
        changes = changes_of(result)
        if resets_undo:
            self.clear_undo()
        elif changes is not None and changes.undo is not None:
            self._push(changes, changes.label or title)
        if changes is not None:
            self.publish(changes)
        return result

    def _resolve(self, exc: EditConflict, from_version: Callable[[int], Operation], **run: Any) -> Any:
        self.conflict_dialog = ConflictDialog(exc, run["parent"])  # kept: tests answer it
        if self.conflict_dialog.exec() == APPLY_MINE:
            return self.run(from_version(exc.current_version), from_version=from_version, **run)
        if run["on_refused"] is not None:
            run["on_refused"](exc)
        return None

    # --- the one undo stack -------------------------------------------------------------------------
    def _move(self, move: Callable[[], None]) -> None:
        self._moving = True
        try:
            move()
        finally:
            self._moving = False
            self._index = self.undo_stack.index()

    def _push(self, changes: Changes, text: str) -> None:
        del self._steps[self.undo_stack.index():]  # a new step drops the steps that could be redone
        self._steps.append(_Step(changes.undo))
        # The step has run already: the marker's own redo (called by push) does nothing.
        self._move(lambda: self.undo_stack.push(QUndoCommand(text)))
        dropped = len(self._steps) - self.undo_stack.count()  # the oldest fall off at the undo limit
        if dropped > 0:
            del self._steps[:dropped]

    def undo(self) -> None:
        i = self.undo_stack.index() - 1
        if i >= 0:
            self._replay(i, "撤销", self.undo_stack.undo)

    def redo(self) -> None:
        i = self.undo_stack.index()
        if i < self.undo_stack.count():
            self._replay(i, "重做", self.undo_stack.redo)

    def _run_step(self, i: int, verb: str) -> Changes | None:
        step = self._steps[i]
        if step.next is None:
            return None
        changes = self.call(lambda _store: step.next(), f"{verb}：{self.undo_stack.text(i)}")
        if changes is not None:
            step.next = changes.undo
        return changes

    def _replay(self, i: int, verb: str, move: Callable[[], None]) -> None:
        changes = self._run_step(i, verb)
        if changes is None:
            # The data moved on (e.g. another copy of the app changed the entry): this step cannot be
            # replayed, so it leaves the stack (Qt drops an obsolete command as the stack moves).
            self.undo_stack.command(i).setObsolete(True)
            del self._steps[i]
        self._move(move)
        if changes is not None:
            self.publish(changes)

    def _on_index_changed(self, index: int) -> None:
        """The stack was moved without undo()/redo(): do (or undo) the steps it passed over."""
        if self._moving:
            return
        at, self._index = self._index, index
        while at != index:
            going_back = index < at
            i = at - 1 if going_back else at
            changes = self._run_step(i, "撤销" if going_back else "重做")
            if changes is None:  # stop where the data is; the failed step stays (undo() drops it)
                self._move(lambda: self.undo_stack.setIndex(at))
                return
            self.publish(changes)
            at = i if going_back else at + 1

    def undo_actions(self, parent: QObject) -> tuple[QAction, QAction]:
        """编辑 menu actions: Qt's, named after the step (撤销 <step> / 重做 <step>), doing the work here."""
        undo = self.undo_stack.createUndoAction(parent, "撤销")
        redo = self.undo_stack.createRedoAction(parent, "重做")
        for action, slot in ((undo, self.undo), (redo, self.redo)):
            action.triggered.disconnect()  # Qt's own connection would only move the stack's position
            action.triggered.connect(lambda _checked=False, s=slot: s())
        return undo, redo

    def call(self, op: Operation, title: str, parent: QWidget | None = None,
             on_refused: Callable[[HazardmapError], None] | None = None) -> Any:
        """op(store) with errors shown in Chinese; None when it failed."""
        return self._guarded(lambda: op(self.store), title, parent, on_refused)

    def _guarded(self, fn: Callable[[], Any], title: str, parent: QWidget | None,
                 on_refused: Callable[[HazardmapError], None] | None) -> Any:
        """fn() with its failure shown: a refusal in its own Chinese words, anything else logged and worded
        generically (never raw exception text); None when it failed or was cancelled."""
        try:
            return fn()
        except Cancelled:
            self.last_error = CANCELLED
        except HazardmapError as exc:
            self._refused(title, exc, parent, on_refused)
        except Exception:
            log.exception("operation %s failed", title)
            self.show_error(title, INTERNAL_ERROR, parent)
        return None

    def _call_in_worker(self, op: Operation, title: str, label: str, parent: QWidget | None,
                        on_refused: Callable[[HazardmapError], None] | None) -> Any:
        def job(store: Store, feedback: Feedback):
            result = op(store)
            changes = changes_of(result)
            if feedback.should_stop() and changes is not None and changes.undo is not None:
                changes.undo()  # 取消 pressed while it ran: put things back as they were
                raise Cancelled
            return result

        return self._guarded(lambda: run_in_worker(parent, self.store, label, job, keep_store=self._worker_stores),
                             title, parent, on_refused)

    def publish(self, changes: Changes) -> None:
        self.store.announce(changes)

    def clear_undo(self) -> None:
        self._move(self.undo_stack.clear)
        self._steps.clear()
        for store in self._worker_stores:
            store.close()
        self._worker_stores.clear()

    def close(self) -> None:
        self.clear_undo()

    # --- telling the user ----------------------------------------------------------------------------
    def _refused(self, title: str, exc: HazardmapError, parent: QWidget | None,
                 on_refused: Callable[[HazardmapError], None] | None) -> None:
        if on_refused is None:
            self.show_error(title, str(exc), parent)
        else:
            self.last_error = str(exc)
            on_refused(exc)

    def show_error(self, title: str, message: str, parent: QWidget | None = None) -> None:
        self.last_error = message
        parent = parent or self.parent_widget
        if parent is not None and parent.isVisible():
            QMessageBox.warning(parent, title, message)


def undo_button(road, parent: QWidget, *, redo: bool = False) -> QPushButton:
    """A short 撤销/重做 button for a panel: the window's one undo (编辑 > 撤销), its step named in the
    tooltip (a long step name would widen a narrow panel). No shortcut: Ctrl+Z belongs to the window."""
    stack = road.undo_stack  # road: the shell (or the runner): undo_stack, undo(), redo()
    verb = "重做" if redo else "撤销"
    button = QPushButton(verb, parent)

    def update(*_args) -> None:
        try:
            can = stack.canRedo() if redo else stack.canUndo()
            text = stack.redoText() if redo else stack.undoText()
        except RuntimeError:  # the stack emits while it is being destroyed with the window
            return
        button.setEnabled(can)
        button.setToolTip(f"{verb}：{text}" if can else f"没有可{verb}的操作")

    for signal in (stack.canUndoChanged, stack.canRedoChanged, stack.undoTextChanged, stack.redoTextChanged,
                   stack.indexChanged):
        signal.connect(update)
    button.clicked.connect(lambda _checked=False: road.redo() if redo else road.undo())
    update()
    return button
