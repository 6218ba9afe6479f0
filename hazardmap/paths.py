"""Where bundled data and the user's data live. Frozen builds keep data/ beside the executable."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def app_root() -> Path:
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parent.parent


def bundled_data_dir() -> Path:
    return app_root() / "data"


def resources_dir() -> Path:
    return app_root() / "resources"


def user_home() -> Path:
    """The per-user data folder; HAZARDMAP_HOME overrides it (tests, portable installs)."""
    override = os.environ.get("HAZARDMAP_HOME")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("hazardmap", appauthor=False))
