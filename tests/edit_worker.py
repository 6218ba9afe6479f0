"""Helper process for the concurrency test (not a test): one desk making edits against the shared
database named by HAZARDMAP_DB, each from the version it read a moment before (as a dialog does), and
adding patrol entries. Prints one JSON line: what it committed and what was refused as a conflict."""
from __future__ import annotations

import json
import sys
import time


def main(desk: str, edits: int, seqs: list[int]) -> None:
    from hazardmap.domain.errors import EditConflict
    from hazardmap.domain.patrol import PatrolDraft
    from hazardmap.services import patrol, points, register
    from hazardmap.services.store import open_store

    store = open_store()
    committed, conflicts, entries = [], [], []
    try:
        for i in range(edits):
            seq = seqs[i % len(seqs)]
            value = f"{desk}-{i}"
            base = points.get_point(store, seq).version
            time.sleep(0.001)  # the time a person takes: other desks get in between
            try:
                register.edit_point(store, seq, {"field_code": value}, by=desk, base_version=base)
                committed.append([seq, value])
            except EditConflict as exc:
                assert exc.current_version > exc.base_version == base
                conflicts.append([seq, value, exc.theirs[0] if exc.theirs else None])
            if i % 4 == 3:
                changes = patrol.record(store, PatrolDraft(seq, "2026-05-01 08:00", desk, "正常", note=value),
                                       recorded_by=desk)
                entries.append([changes.entry_ids[0], value])
    finally:
        store.close()
    print(json.dumps({"committed": committed, "conflicts": conflicts, "entries": entries}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), [int(s) for s in sys.argv[3].split(",")])
