"""The window's choice of points: a year's key list (default the newest), 全部在册, or 已核销.

A combo box filled from services.views.view_choices (each entry counted from the data); the choice is
remembered in ui.ini as View.key() and resolved against the data when read back (a list that no longer
exists falls back to the newest)."""
from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QComboBox, QWidget

from hazardmap.domain.key_lists import View
from hazardmap.services import views
from hazardmap.services.store import Store

SETTING = "view/points"


class ViewChooser(QComboBox):
    sig_view_chosen = Signal(object)   # View

    def __init__(self, store: Store, settings: QSettings | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setToolTip("表格、地图、图例、巡查情况和打印都只含所选的隐患点")
        saved = str(settings.value(SETTING, "") or "") if settings is not None else ""
        self._view = views.resolve(store, View.parse(saved))
        self.refresh()
        self.activated.connect(self._on_activated)

    @property
    def view(self) -> View:
        return self._view

    def refresh(self) -> None:
        """Re-read the choices (a list imported, a point retired: the counts change) keeping the choice."""
        self._view = views.resolve(self.store, self._view)
        self.blockSignals(True)
        self.clear()
        for choice in views.view_choices(self.store):
            self.addItem(choice.label, choice.view)
            if choice.view == self._view:
                self.setCurrentIndex(self.count() - 1)
        self.blockSignals(False)

    def set_view(self, view: View) -> None:
        view = views.resolve(self.store, view)
        changed = view != self._view
        self._view = view
        self.refresh()
        if self.settings is not None:
            self.settings.setValue(SETTING, view.key())
        if changed:
            self.sig_view_chosen.emit(view)

    def _on_activated(self, index: int) -> None:
        view = self.itemData(index)
        if isinstance(view, View):
            self.set_view(view)
