"""The import rule in pyproject.toml (core free of Qt) holds."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_import_linter_contracts_are_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    res = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "broken" in res.stdout.lower() and "0 broken" in res.stdout.lower().replace("contracts: ", "")


def test_core_imports_without_qt():
    code = ("import sys; import hazardmap.services.points, hazardmap.services.rain_gauges, hazardmap.cli;"
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr


def test_sql_is_run_only_in_storage():
    """Every SQL statement lives in hazardmap/storage (the seam a second backend implements): no execute()
    call on a connection or cursor anywhere else. The import-linter contracts only see imports; a
    session handed up from storage could still be used elsewhere, which this catches."""
    import re

    from tests.conftest import ROOT

    call = re.compile(r"\.(execute|executemany|executescript)\(")
    outside = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "hazardmap").rglob("*.py"))
               if "storage" not in path.relative_to(ROOT / "hazardmap").parts
               for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if call.search(line)]
    assert outside == []
