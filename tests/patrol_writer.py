"""Helper process for the durability tests (not a test): records patrol entries in a loop and prints
each id only after its transaction committed. Usage: patrol_writer.py NAME COUNT [WAIT_FOR_TOTAL]"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hazardmap.domain.patrol import Measurement, MeasureKind, PatrolDraft, SignObservation  # noqa: E402
from hazardmap.services import patrol  # noqa: E402
from hazardmap.services.store import open_store  # noqa: E402


def main() -> int:
    name, count = sys.argv[1], int(sys.argv[2])
    wait_for_total = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    store = open_store()
    i = 0
    while count <= 0 or i < count:
        seq = i % 16 + 1
        draft = PatrolDraft(seq, f"2026-05-{i % 28 + 1:02d} {i % 24:02d}:{i % 60:02d}", name, "正常" if i % 3 else "异常",
                            weather="小雨", rain_mm=float(i % 100), signs=(SignObservation("拉张裂缝", "后缘", f"{i}"),),
                            measurements=(Measurement(MeasureKind.CRACK_GAUGE, "", float(i % 50)),),
                            note=f"{name}-{i}")
        changes = patrol.record(store, draft, recorded_by=name)
        print(changes.entry_ids[0], flush=True)
        i += 1
    if wait_for_total:  # two-process test: wait until the other writer's entries are visible here
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            seen = store.db.conn.execute("SELECT COUNT(*) FROM patrol_log WHERE deleted_at IS NULL").fetchone()[0]
            if seen >= wait_for_total:
                break
            time.sleep(0.05)
        others = store.db.conn.execute("SELECT COUNT(*) FROM patrol_log WHERE recorded_by != ?", (name,)).fetchone()[0]
        print(f"others={others}", flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
