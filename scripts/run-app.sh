#!/usr/bin/env bash
# Set up (if needed) and start the hazardmap desktop app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/hazardmap gui "$@"
