"""Process-wide Qt settings that must be made before the QApplication exists."""
from __future__ import annotations

import os


def prepare_qt_environment() -> None:
    # Chromium in QtWebEngine refuses to run as root unless its sandbox is off.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    # No display (CI, a server): render offscreen rather than fail.
    if os.name != "nt" and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
