#!/usr/bin/env bash
# Set up (if needed) and run every check: the import rule (core free of Qt) and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "[tests] import-linter contracts"
.venv/bin/lint-imports --config pyproject.toml
echo "[tests] pytest"
export QT_QPA_PLATFORM=offscreen
.venv/bin/python -m pytest -q "$@"
