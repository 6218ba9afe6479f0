from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

# Before any QApplication exists: headless Qt, and Chromium's sandbox off as root.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

ROOT = Path(__file__).resolve().parent.parent
# The county tables the tests check data/ against, copied from the sources data/ was built from
# (tests/fixtures/README.md): a fresh clone has nothing beside it.
COUNTY = ROOT / "tests" / "fixtures" / "county"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh per-test user data folder."""
    h = tmp_path / "home"
    monkeypatch.setenv("HAZARDMAP_HOME", str(h))
    return h


@pytest.fixture
def system_temp(tmp_path, monkeypatch):
    """The system temp folder, redirected to an empty folder the test watches."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def store(home):
    from hazardmap.services.store import open_store

    s = open_store(home)
    yield s
    s.close()


@pytest.fixture
def double(qtbot, store):
    """The test stand-in for the main window: implements the Shell protocol features attach through."""
    from tests.shell_double import ShellDouble

    d = ShellDouble(store)
    qtbot.addWidget(d)
    return d


@pytest.fixture
def panel(qtbot, store, double):
    """The rain-gauge panel on the double, refreshed from the change bus as the main window does."""
    from hazardmap.qt.rain_gauge_panel import RainGaugePanel

    p = RainGaugePanel(double)
    qtbot.addWidget(p)
    store.bus.subscribe(lambda changes: changes.rain_gauges and p.refresh())
    return p


@pytest.fixture
def cli(home, capsys):
    """Run the CLI in-process: returns (exit code, stdout, stderr)."""
    from hazardmap.launcher import main

    def run(*argv: str):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse exits on bad arguments
            code = exc.code
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
