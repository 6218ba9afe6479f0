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


def pytest_generate_tests(metafunc):
    """Tests marked both_backends run once on SQLite and once on a real PostgreSQL server."""
    chosen = any("backend" in str(m.args[0]) for m in metafunc.definition.iter_markers("parametrize"))
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_backends") and not chosen:
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(scope="session")
def pg_server():
    """A private PostgreSQL + PostGIS server for the whole run (tests/pg_server.py), stopped at the end."""
    from tests.pg_server import PgServer

    server = PgServer()
    server.template = None
    yield server
    server.remove()


_pg_databases = iter(range(1, 1_000_000))


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh database on the test server, migrated and seeded (a copy of one made once per run)."""
    if pg_server.template is None:
        from hazardmap.geodata.bundled import BundledData
        from hazardmap.storage.pg.db import PgDatabase

        pg_server.sql("CREATE DATABASE hazardmap_template")
        PgDatabase.open(pg_server.url("hazardmap_template"), BundledData()).close()
        pg_server.template = "hazardmap_template"
    name = f"t{next(_pg_databases)}"
    pg_server.sql(f"CREATE DATABASE {name} TEMPLATE {pg_server.template}")
    return pg_server.url(name)


@pytest.fixture
def empty_pg_url(pg_server) -> str:
    """A fresh database on the test server with nothing in it (no schema yet)."""
    name = f"e{next(_pg_databases)}"
    pg_server.sql(f"CREATE DATABASE {name}")
    return pg_server.url(name)


@pytest.fixture
def backend(request, monkeypatch) -> str:
    """'sqlite' (the default) or 'postgresql' (HAZARDMAP_DB set to a fresh database on the test server)."""
    name = getattr(request, "param", "sqlite")
    if name == "postgresql":
        monkeypatch.setenv("HAZARDMAP_DB", request.getfixturevalue("pg_url"))
    else:
        monkeypatch.delenv("HAZARDMAP_DB", raising=False)
    return name


@pytest.fixture
def store(home, backend):
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
def cli(home, backend, capsys):
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
