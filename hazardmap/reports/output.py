"""Writing PDFs safely: all checks before the first byte, then the one atomic writer (hazardmap.files),
so a failure never leaves a half-written PDF where the user expects a good one."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hazardmap.domain.errors import InvalidInput
from hazardmap.files import check_not_existing, os_reason, write_bytes

__all__ = ["check_not_existing", "check_pdf_target", "ensure_writable_folder", "safe_filename", "write_atomic"]


def ensure_writable_folder(folder: Path, *, create: bool = True) -> Path:
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"“{folder}”是一个文件，不是文件夹")
    if not folder.exists():
        if not create:
            raise InvalidInput(f"文件夹“{folder}”不存在")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InvalidInput(f"无法创建文件夹“{folder}”：{os_reason(exc)}") from None
    try:  # os.access is unreliable on Windows shares: try a real file
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".hazardmap-probe-")
        os.close(fd)
        os.remove(probe)
    except OSError as exc:
        raise InvalidInput(f"文件夹“{folder}”不可写入（{os_reason(exc)}）：请换一个文件夹") from None
    return folder


def check_pdf_target(path: Path, *, force: bool) -> Path:
    """A single output file: .pdf, in a writable folder, not silently replacing an existing file."""
    path = Path(path)
    if path.suffix.lower() != ".pdf":
        raise InvalidInput(f"输出文件“{path.name}”应以 .pdf 结尾")
    if path.is_dir():
        raise InvalidInput(f"“{path}”是一个文件夹：请给出 PDF 文件名")
    ensure_writable_folder(path.parent if str(path.parent) else Path("."), create=False)
    check_not_existing([path], force=force)
    return path


def write_atomic(path: Path, data: bytes, *, force: bool = False) -> Path:
    """The PDF written whole or not at all; an existing file only replaced with force (FileExists)."""
    return write_bytes(path, data, force=force)


_UNSAFE = str.maketrans({c: "_" for c in '\\/:*?"<>|'})


def safe_filename(text: str) -> str:
    return text.translate(_UNSAFE).strip() or "_"
