"""Undoable patrol edits: each command only calls the patrol services (which audit every step).
Undoing an add moves the entry to the 回收站; undoing a delete restores it; undoing an edit writes the
previous content back. Nothing is ever destroyed by undo."""
from __future__ import annotations

from typing import Callable

from PySide6.QtGui import QUndoCommand

from hazardmap.domain.errors import HazardmapError
from hazardmap.domain.patrol import PatrolDraft
from hazardmap.services import patrol as svc
from hazardmap.services.store import Store

ErrorSink = Callable[[str], None]


class _PatrolCommand(QUndoCommand):
    def __init__(self, store: Store, text: str, on_error: ErrorSink | None) -> None:
        super().__init__(text)
        self.store = store
        self.on_error = on_error
        self.failed: str | None = None

    def _run(self, fn, *args, **kw):
        try:
            return fn(*args, **kw)
        except HazardmapError as exc:  # e.g. another copy of the app changed the entry meanwhile
            self.failed = str(exc)
            self.setObsolete(True)
            if self.on_error:
                self.on_error(str(exc))
            return None


class RecordEntry(_PatrolCommand):
    def __init__(self, store: Store, draft: PatrolDraft, photos=(), on_error: ErrorSink | None = None) -> None:
        super().__init__(store, f"新增巡查记录（第 {draft.point_seq} 号点 {draft.at}）", on_error)
        self.draft, self.photos = draft, tuple(photos)
        self.entry_id: int | None = None

    def redo(self) -> None:
        if self.entry_id is None:
            changes = self._run(svc.record, self.store, self.draft, photos=self.photos)
            if changes:
                self.entry_id = changes.entry_ids[0]
        else:
            self._run(svc.restore, self.store, self.entry_id)

    def undo(self) -> None:
        if self.entry_id is not None:
            self._run(svc.delete, self.store, self.entry_id)


class EditEntry(_PatrolCommand):
    def __init__(self, store: Store, entry_id: int, before: PatrolDraft, after: PatrolDraft,
                 on_error: ErrorSink | None = None) -> None:
        super().__init__(store, f"修改巡查记录 {entry_id}", on_error)
        self.entry_id, self.before, self.after = entry_id, before, after

    def redo(self) -> None:
        self._run(svc.edit, self.store, self.entry_id, self.after)

    def undo(self) -> None:
        self._run(svc.edit, self.store, self.entry_id, self.before)


class DeleteEntry(_PatrolCommand):
    def __init__(self, store: Store, entry_id: int, on_error: ErrorSink | None = None) -> None:
        super().__init__(store, f"删除巡查记录 {entry_id}", on_error)
        self.entry_id = entry_id

    def redo(self) -> None:
        self._run(svc.delete, self.store, self.entry_id)

    def undo(self) -> None:
        self._run(svc.restore, self.store, self.entry_id)


class RestoreEntry(_PatrolCommand):
    def __init__(self, store: Store, entry_id: int, on_error: ErrorSink | None = None) -> None:
        super().__init__(store, f"恢复巡查记录 {entry_id}", on_error)
        self.entry_id = entry_id

    def redo(self) -> None:
        self._run(svc.restore, self.store, self.entry_id)

    def undo(self) -> None:
        self._run(svc.delete, self.store, self.entry_id)
