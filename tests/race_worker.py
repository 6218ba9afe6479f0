"""Helper process for the race tests (not a test): runs CLI commands, each one started at the same
moment as the other workers' (a shared barrier), and reports each exit code and error line."""
from __future__ import annotations

import contextlib
import io
import os


def run_rounds(home: str, argvs: list[list[str]], barrier, results) -> None:
    os.environ["HAZARDMAP_HOME"] = home
    from hazardmap.launcher import main

    out = []
    for argv in argvs:
        barrier.wait()
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(argv)
        out.append((code, err.getvalue().strip()))
    results.put(out)
