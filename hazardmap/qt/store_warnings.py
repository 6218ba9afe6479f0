"""Store warnings (e.g. the database is on a network share) shown where a person will see them."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from hazardmap.services.store import Store


def warning_banner(store: Store, parent: QWidget) -> QLabel | None:
    """A visible yellow line for each store warning; None when there is nothing to say."""
    if not store.warnings:
        return None
    label = QLabel("⚠ " + "\n⚠ ".join(store.warnings), parent)
    label.setWordWrap(True)
    label.setStyleSheet("background: #fff3cd; color: #7a4f00; padding: 4px; border: 1px solid #e0c36a;")
    return label
