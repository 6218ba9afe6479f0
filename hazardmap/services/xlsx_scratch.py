"""Where openpyxl keeps its scratch files while it saves a workbook.

openpyxl streams every worksheet through a temp file it makes in the system temp folder
(openpyxl/worksheet/_writer.py, create_temporary_file) and removes it only after the save or at exit:
an export killed half-way left a 127 MB file of names and phones there for anyone to read. Inside
`scratch_in(folder)` those files are made in `folder` instead (the atomic writer's private work
folder beside the export, removed with it whatever happens). Per thread, so the window's background
export and anything else using openpyxl do not see each other's folder.
"""
from __future__ import annotations

import os
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

_local = threading.local()
_install_lock = threading.Lock()
_installed = False


def _install() -> None:
    global _installed
    with _install_lock:
        if _installed:
            return
        from openpyxl.worksheet import _writer

        original = _writer.create_temporary_file

        def create_temporary_file(suffix=""):
            folder = getattr(_local, "folder", None)
            if folder is None:
                return original(suffix)
            fd, name = tempfile.mkstemp(suffix=suffix, prefix="openpyxl.", dir=folder)
            os.close(fd)
            _writer.ALL_TEMP_FILES.append(name)  # openpyxl's cleanup removes it from this list
            return name

        _writer.create_temporary_file = create_temporary_file
        _installed = True


@contextmanager
def scratch_in(folder: Path) -> Iterator[None]:
    _install()
    previous = getattr(_local, "folder", None)
    _local.folder = str(folder)
    try:
        yield
    finally:
        _local.folder = previous
