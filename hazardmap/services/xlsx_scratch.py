"""Writing an .xlsx with openpyxl without leaving anything behind.

openpyxl streams every worksheet through a scratch file it makes in the system temp folder
(openpyxl/worksheet/_writer.py, create_temporary_file) and removes it only after the save or at exit:
an export killed half-way left a 127 MB file of names and phones there for anyone to read. Inside
`scratch_in(folder)` those files are made in `folder` instead (the atomic writer's private work
folder beside the export, removed with it whatever happens). Per thread, so the window's background
export and anything else using openpyxl do not see each other's folder.

When the write fails (a full disk), lxml reports it as SerialisationError("IO_ENOSPC"): turned into
the OSError it is, so the caller words it like any other; and the half-written sheet streams are
closed at once, quietly, instead of the garbage collector printing their errors on stderr later.
"""
from __future__ import annotations

import errno
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


def write_only_workbook():
    """openpyxl's streaming Workbook, known to the surrounding scratch_in (closed quietly on failure)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    books = getattr(_local, "books", None)
    if books is not None:
        books.append(wb)
    return wb


@contextmanager
def scratch_in(folder: Path) -> Iterator[None]:
    _install()
    previous = getattr(_local, "folder", None), getattr(_local, "books", None)
    _local.folder, _local.books = str(folder), []
    try:
        yield
    except BaseException as exc:
        for book in _local.books:
            _close_quietly(book)
        code = _lxml_io_errno(exc)
        if code is not None:
            raise OSError(code, os.strerror(code)) from None
        raise
    finally:
        _local.folder, _local.books = previous


def _close_quietly(book) -> None:
    for ws in getattr(book, "_sheets", []):
        streams = (getattr(ws, "_rows", None), getattr(getattr(ws, "_writer", None), "xf", None))
        for stream in streams:
            if stream is not None:
                try:
                    stream.close()
                except Exception:  # the same disk error again, already being reported
                    pass


def _lxml_io_errno(exc: BaseException) -> int | None:
    if type(exc).__name__ != "SerialisationError":
        return None
    text = str(exc)  # e.g. "IO_ENOSPC"
    name = text[3:] if text.startswith("IO_") else ""
    return getattr(errno, name, errno.EIO) if name.startswith("E") else errno.EIO
