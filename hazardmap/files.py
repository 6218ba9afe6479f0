"""Every file the app writes goes through here: written whole or not at all, never over a file the user
keeps unless asked (force), and no temp file left anywhere if the write fails.

How: a private work folder beside the destination (same file system, so the final rename is atomic)
holds the new file and any scratch files a library needs while writing; the file is flushed to disk,
then renamed into place, and the work folder removed whatever happened (an error, Ctrl+C). Nothing
goes to the system temp folder, where a killed export would leave names and phones for anyone to read.

Free of Qt and SQL, just above hazardmap.domain (pyproject.toml layers), so storage, services,
mapping, reports and both faces use the same routine.
"""
from __future__ import annotations

import errno as errnos
import os
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from hazardmap.domain.errors import FileExists, InvalidInput, WriteFailed
from hazardmap.paths import PRIVATE_FILE_MODE

WORK_SUFFIX = ".hazardmap-part"  # the work folder's name ends so; stray ones (a killed write) are recognisable
# Files hold names and phones: readable by their owner only (POSIX; Windows files follow their folder).
FILE_MODE = PRIVATE_FILE_MODE

_REASONS = {
    errnos.EACCES: "没有权限，或文件正被其他程序（如 Excel）打开", errnos.EPERM: "没有权限",
    errnos.EROFS: "磁盘或文件夹是只读的", errnos.ENOENT: "路径不存在", errnos.ENOTDIR: "路径中有一部分不是文件夹",
    errnos.ENOSPC: "磁盘空间不足", errnos.EDQUOT: "磁盘配额已用完", errnos.EFBIG: "文件太大",
    errnos.EEXIST: "已有同名文件", errnos.EISDIR: "这是一个文件夹", errnos.ENAMETOOLONG: "文件名或路径太长",
    errnos.EBUSY: "文件正被占用", errnos.EIO: "磁盘读写出错", errnos.EINVAL: "文件名无效（含有不允许的字符？）",
    errnos.EXDEV: "不能跨磁盘改名", errnos.ENOTEMPTY: "文件夹不是空的",
}
_WINDOWS_REASONS = {32: "文件正被其他程序（如 Excel）打开，请关闭后重试", 33: "文件的一部分被其他程序锁定",
                    112: "磁盘空间不足", 123: "文件名无效（含有不允许的字符？）"}


def os_reason(exc: OSError) -> str:
    """An operating-system error in Chinese (never its English text, which users could not read)."""
    winerror = getattr(exc, "winerror", None)
    if winerror in _WINDOWS_REASONS:
        return _WINDOWS_REASONS[winerror]
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    return f"系统错误（代码 {exc.errno}）" if exc.errno else "系统错误"


def check_target(dest: Path | str, *, force: bool) -> Path:
    """Before any work: dest is a file name in an existing folder, and not a file the user already has
    (unless force). Raises InvalidInput or FileExists."""
    dest = Path(dest)
    if dest.is_dir():
        raise InvalidInput(f"“{dest}”是一个文件夹，请给出文件名")
    folder = dest.parent
    if not folder.is_dir():
        raise InvalidInput(f"文件夹“{folder}”不存在" if not folder.exists() else f"“{folder}”不是文件夹")
    check_not_existing([dest], force=force)
    return dest


def check_not_existing(paths: Iterable[Path], *, force: bool) -> None:
    """Several outputs at once (a batch export): refuse them all before writing any."""
    if force:
        return
    existing = [Path(p) for p in paths if Path(p).exists()]
    if existing:
        raise FileExists(existing)


@contextmanager
def atomic_write(dest: Path | str, *, force: bool = False) -> Iterator[Path]:
    """Yield a path to write the new file to (directly or through a library); on leaving the block it
    is flushed and renamed to dest. Scratch files may go beside it (the yielded path's folder): they are
    removed with it. Refuses to replace an existing dest unless force (FileExists); OS errors come out
    as WriteFailed with the reason in Chinese."""
    dest = Path(dest)
    check_target(dest, force=force)
    try:
        # mkdtemp: a fresh name nobody else uses, private to this user (0700) while names and phones are in it.
        # No dot-suffix in the folder's name: GDAL takes "x.xlsx.abc/" for a path inside a zip (.xlsx/.kmz).
        stem = dest.name[:40].replace(".", "_")
        work = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{stem}.", suffix=WORK_SUFFIX))
    except OSError as exc:
        raise WriteFailed(dest, os_reason(exc), exc.errno) from None
    tmp = work / dest.name
    try:
        yield tmp
        if not tmp.is_file():
            raise WriteFailed(dest, "没有写出内容")
        if os.name == "posix":
            os.chmod(tmp, FILE_MODE)  # before it has its name: never readable by others under it
        _fsync_file(tmp)
        _publish(tmp, dest, force=force)
        _fsync_folder(dest.parent)
    except OSError as exc:
        raise WriteFailed(dest, os_reason(exc), exc.errno) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_bytes(dest: Path | str, data: bytes, *, force: bool = False) -> Path:
    with atomic_write(dest, force=force) as tmp:
        with open(tmp, "xb") as fh:
            fh.write(data)
    return Path(dest)


def write_text(dest: Path | str, text: str, *, force: bool = False, encoding: str = "utf-8") -> Path:
    return write_bytes(dest, text.encode(encoding), force=force)


def copy_file(src: Path | str, dest: Path | str, *, force: bool = False) -> Path:
    """A copy (with its times) that is never seen half-done under dest's name."""
    with atomic_write(dest, force=force) as tmp:
        shutil.copy2(src, tmp)
    return Path(dest)


def copy_in(paths: Iterable[str | Path], home: Path, folder: Path, suffixes: Iterable[str], *, noun: str,
            kind: str) -> list[tuple[str, str, Path]]:
    """Copy a user's files (photos, documents) into the data folder under folder, each with a new random
    name: [(path relative to home, original name, copy)]. All or nothing: any missing file or one of
    another type than suffixes refuses the lot (noun / kind name them) and removes the copies made."""
    suffixes = frozenset(suffixes)
    copied: list[tuple[str, str, Path]] = []
    try:
        for p in paths:
            src = Path(p)
            if not src.is_file():
                raise InvalidInput(f"{noun}“{src}”不存在")
            if src.suffix.lower() not in suffixes:
                raise InvalidInput(f"“{src.name}”不是{kind}（支持 {'、'.join(sorted(suffixes))}）")
            rel = folder / f"{uuid.uuid4().hex[:12]}{src.suffix.lower()}"
            dest = home / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            copy_file(src, dest)  # whole or not at all
            copied.append((rel.as_posix(), src.name, dest))
    except BaseException:
        for _, _, dest in copied:
            dest.unlink(missing_ok=True)
        raise
    return copied


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_folder(folder: Path) -> None:
    """The rename itself survives a power cut only once the folder is synced (POSIX; Windows cannot)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _publish(tmp: Path, dest: Path, *, force: bool) -> None:
    if force:
        os.replace(tmp, dest)
        return
    # Without force, a file that appeared at dest since check_target is still not replaced.
    try:
        if os.name == "nt":
            os.rename(tmp, dest)  # Windows: fails if dest exists
        else:
            os.link(tmp, dest)  # POSIX: fails if dest exists; the work folder's copy goes with the folder
        return
    except FileExistsError:
        raise FileExists([dest]) from None
    except OSError as exc:
        if exc.errno not in (errnos.EPERM, errnos.ENOTSUP, errnos.EOPNOTSUPP, errnos.EXDEV, errnos.EMLINK):
            raise
    # A file system without hard links (FAT, some network shares): check, then rename.
    if dest.exists():
        raise FileExists([dest])
    os.replace(tmp, dest)
