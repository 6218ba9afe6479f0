"""Writing PDFs safely: all checks before the first byte, then temp file in the same folder + os.replace,
so a failure never leaves a half-written PDF where the user expects a good one."""
from __future__ import annotations

import errno
import os
import tempfile
import uuid
from pathlib import Path

from hazardmap.domain.errors import InvalidInput


_REASONS = {
    errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EROFS: "只读的磁盘或文件夹",
    errno.ENOENT: "路径不存在", errno.ENOTDIR: "路径中有一部分不是文件夹", errno.ENOSPC: "磁盘空间不足",
    errno.EEXIST: "已有同名文件",
}


def reason(exc: OSError) -> str:
    """The OS error in Chinese where we know it (the OS wording otherwise)."""
    return _REASONS.get(exc.errno, exc.strerror or str(exc))


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
            raise InvalidInput(f"无法创建文件夹“{folder}”：{reason(exc)}") from None
    try:  # os.access is unreliable on Windows shares: try a real file
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".hazardmap-probe-")
        os.close(fd)
        os.remove(probe)
    except OSError as exc:
        raise InvalidInput(f"文件夹“{folder}”不可写入（{reason(exc)}）：请换一个文件夹") from None
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


def check_not_existing(paths: list[Path], *, force: bool) -> None:
    if force:
        return
    existing = [p for p in paths if p.exists()]
    if existing:
        names = "、".join(p.name for p in existing[:3]) + (f" 等 {len(existing)} 个文件" if len(existing) > 3 else "")
        raise InvalidInput(f"{names} 已存在，未做任何改动；如要覆盖请加 --force（界面中为“覆盖”）")


def write_atomic(path: Path, data: bytes) -> Path:
    path = Path(path)
    # Not mkstemp: its files are private (0600); a normal open keeps the user's usual permissions.
    tmp = path.parent / f".{path.stem}-{uuid.uuid4().hex[:8]}.part"
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise InvalidInput(f"无法写入“{path}”（{reason(exc)}）：文件可能正被其他程序打开") from None
    except BaseException:
        _discard(tmp)
        raise
    return path


def _discard(tmp: Path) -> None:
    try:
        os.remove(tmp)
    except OSError:
        pass


_UNSAFE = str.maketrans({c: "_" for c in '\\/:*?"<>|'})


def safe_filename(text: str) -> str:
    return text.translate(_UNSAFE).strip() or "_"
