"""Where bundled data and the user's data live. Frozen builds keep data/ beside the executable."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def app_root() -> Path:
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parent.parent


def bundled_data_dir() -> Path:
    return app_root() / "data"


def resources_dir() -> Path:
    return app_root() / "resources"


def user_home() -> Path:
    """The per-user data folder; HAZARDMAP_HOME overrides it (tests, portable installs)."""
    override = os.environ.get("HAZARDMAP_HOME")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("hazardmap", appauthor=False))


# ---- Private files: the data folder holds names and phones (0700 folder, 0600 files on POSIX) ----

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def _posix() -> bool:
    return os.name == "posix"


def tighten(path: Path, mode: int) -> None:
    """Remove group/other access from an existing file or folder we own (best effort: one we do not
    own, or a shared sticky folder such as /tmp, is left as it is)."""
    if not _posix():
        return
    import stat

    try:
        st = path.stat()
        if st.st_mode & stat.S_ISVTX:  # a shared folder such as /tmp given as HAZARDMAP_HOME: leave it
            return
        if st.st_mode & 0o077 and st.st_uid == os.geteuid():
            os.chmod(path, (st.st_mode & 0o777 & ~0o077) | (mode & 0o700))
    except OSError:
        pass


def folder_problem(exc: OSError) -> str:
    """A Chinese reason for an OSError met while creating or writing in the data folder."""
    import errno

    if exc.errno == errno.ENOSPC:
        return "磁盘空间不足"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "文件夹只读或没有写入权限"
    if exc.errno == errno.ENOTDIR:
        return "路径中有一部分是文件，不是文件夹（请检查 HAZARDMAP_HOME）"
    if exc.errno == errno.EEXIST:
        return "该路径是一个文件，不是文件夹（请检查 HAZARDMAP_HOME）"
    name = errno.errorcode.get(exc.errno or 0, "")
    return f"无法读写（系统错误 {name or exc.errno}）"


def check_not_a_file(path: Path) -> None:
    """DataFolderUnusable when the folder, or a folder above it, is in fact a file."""
    from hazardmap.domain.errors import DataFolderUnusable

    if path.exists() and not path.is_dir():
        raise DataFolderUnusable(path, "该路径是一个文件，不是文件夹（请检查 HAZARDMAP_HOME）")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise DataFolderUnusable(path, f"路径中的 {parent} 是一个文件，不是文件夹（请检查 HAZARDMAP_HOME）")
            return


def ensure_private_folder(path: Path) -> Path:
    """Create the folder (0700) if it is missing, tighten it if it exists; a Chinese typed error when
    it cannot be used (a file in its place, a read-only disk, no permission)."""
    from hazardmap.domain.errors import DataFolderUnusable

    check_not_a_file(path)
    try:
        path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    except OSError as exc:
        raise DataFolderUnusable(path, folder_problem(exc)) from None
    tighten(path, PRIVATE_DIR_MODE)
    return path


def create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only; FileExistsError if it is already there."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), PRIVATE_FILE_MODE)
    os.close(fd)
