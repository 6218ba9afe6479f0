#!/usr/bin/env bash
# Build the one-folder app from build.spec and run the frozen selftest (what CI does after the tests).
# Prints build time, folder size and the selftest's lines.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
start=$(date +%s)
.venv/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build build.spec
end=$(date +%s)
echo "[frozen] build time: $((end - start)) s; size: $(du -sh dist/hazardmap | cut -f1)"
export QT_QPA_PLATFORM=offscreen
dist/hazardmap/hazardmap-cli --version
dist/hazardmap/hazardmap-cli selftest
