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
