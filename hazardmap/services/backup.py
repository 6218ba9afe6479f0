"""Backups of the database: automatic at start-up (the last N kept), listed, restored.

Copies are made with SQLite's online backup API, which gives a consistent snapshot even while another
copy of the app is writing (a plain file copy of a WAL database can be torn). Restoring first saves
what it replaces, so a restore can itself be undone.
"""
from __future__ import annotations

import os
import sqlite3
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import InvalidInput, NotFound
from hazardmap.storage.schema import SCHEMA_VERSION

BACKUP_DIR = "backups"
KEEP_AUTOMATIC = 10
AUTO_PREFIX = "auto-"            # made at start-up; only these are pruned
BEFORE_RESTORE_PREFIX = "before-restore-"  # what a restore replaced; never pruned
MANUAL_PREFIX = "manual-"
SUFFIX = ".sqlite3"


@dataclass(frozen=True)
class BackupInfo:
    name: str
    path: Path
    size: int
    created: datetime
    kind: str  # 自动 / 恢复前 / 手动

    @property
    def size_label(self) -> str:
        return f"{self.size / 1024:.0f} KB" if self.size < 1024 * 1024 else f"{self.size / 1024 / 1024:.1f} MB"


def backup_dir(home: Path) -> Path:
    return home / BACKUP_DIR


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def backup_to(conn: sqlite3.Connection, dest: Path) -> Path:
    """A consistent copy of an open database (sqlite3 backup API), written beside and then renamed
    so a half-written file never looks like a backup."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_suffix(dest.suffix + ".part")
    target = sqlite3.connect(partial)
    try:
        conn.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
    finally:
        target.close()
    os.replace(partial, dest)
    return dest


def make_backup(store, *, prefix: str = MANUAL_PREFIX) -> Path:
    return backup_to(store.db.conn, backup_dir(store.home) / f"{prefix}{_stamp()}{SUFFIX}")


def backup_on_start(store, *, keep: int | None = None) -> Path:
    """The start-up backup: one copy per start, the oldest automatic ones beyond `keep` removed."""
    keep = KEEP_AUTOMATIC if keep is None else keep
    path = make_backup(store, prefix=AUTO_PREFIX)
    autos = sorted(p for p in backup_dir(store.home).glob(f"{AUTO_PREFIX}*{SUFFIX}"))
    for old in autos[:-keep] if keep > 0 else autos:
        try:
            old.unlink()
        except OSError:  # another copy of the app may be reading it; try again next start
            pass
    return path


def _kind(name: str) -> str:
    if name.startswith(AUTO_PREFIX):
        return "自动"
    if name.startswith(BEFORE_RESTORE_PREFIX):
        return "恢复前"
    return "手动"


def list_backups(home: Path) -> list[BackupInfo]:
    """Newest first."""
    folder = backup_dir(home)
    if not folder.is_dir():
        return []
    out = []
    for p in folder.glob(f"*{SUFFIX}"):
        st = p.stat()
        out.append(BackupInfo(p.name, p, st.st_size, datetime.fromtimestamp(st.st_mtime), _kind(p.name)))
    return sorted(out, key=lambda b: (b.created, b.name), reverse=True)


def find_backup(home: Path, name: str) -> Path:
    name = name.strip()
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        raise InvalidInput(f"备份名“{name}”无效：请用 hazardmap backup list 列出的名称")
    candidates = [backup_dir(home) / name, backup_dir(home) / f"{name}{SUFFIX}"]
    for c in candidates:
        if c.is_file():
            return c
    raise NotFound(f"没有名为“{name}”的备份（用 hazardmap backup list 查看现有备份）")


def check_backup_file(path: Path) -> int:
    """A readable, intact hazardmap database no newer than this program; returns its schema version."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            has_points = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='hazard_point'").fetchone()
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"备份文件“{path.name}”无法读取（{exc}），未恢复") from None
    if ok != "ok":
        raise InvalidInput(f"备份文件“{path.name}”已损坏（完整性检查：{ok}），未恢复")
    if not has_points:
        raise InvalidInput(f"“{path.name}”不是 hazardmap 的数据库，未恢复")
    if version > SCHEMA_VERSION:
        raise InvalidInput(f"备份“{path.name}”来自更新版本的 hazardmap（数据库版本 {version}），请先升级本软件")
    return version


def restore_backup(store, name: str) -> tuple[Path, Changes]:
    """Replace the live database's content with a backup. Saves the current content first
    (before-restore-*.sqlite3) and returns that path; migrates the restored data if it is older."""
    source = find_backup(store.home, name)
    check_backup_file(source)
    kept = make_backup(store, prefix=BEFORE_RESTORE_PREFIX)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        # Copies page by page into the open connection: other connections see either the old or the
        # new database, never a mix (the backup API takes the write lock for the final step).
        src.backup(store.db.conn)
    finally:
        src.close()
    store.db.conn.execute("PRAGMA journal_mode=WAL")
    store.db.migrate(store.bundled)
    changes = Changes(points=frozenset(r[0] for r in store.db.conn.execute("SELECT seq FROM hazard_point")),
                      rain_gauges=True,
                      patrol_points=frozenset(r[0] for r in store.db.conn.execute("SELECT seq FROM hazard_point")))
    return kept, changes


# ---- network shares ------------------------------------------------------------------------------

NETWORK_FS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "sshfs", "9p", "afs", "ncpfs",
              "fuse.gvfsd-fuse", "davfs", "fuse.davfs2"}
NETWORK_WARNING = ("数据库位于网络共享（{where}）上：网络盘断开或多台电脑同时写入时，SQLite 数据库可能损坏。"
                   "请把数据文件夹放在本机硬盘上（可用 HAZARDMAP_HOME 指定），并定期备份。")


def _windows_drive_is_remote(path: Path) -> bool:
    import ctypes

    drive = os.path.splitdrive(str(path.resolve()))[0]
    if not drive:
        return False
    return ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == 4  # DRIVE_REMOTE


def _mount_fs_type(path: Path, mounts_text: str) -> tuple[str, str] | None:
    """(mount point, fs type) of the longest mount point containing path, from /proc/mounts text."""
    best = None
    p = str(path)
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount = parts[1].replace("\\040", " ")
        if p == mount or p.startswith(mount.rstrip("/") + "/"):
            if best is None or len(mount) > len(best[0]):
                best = (mount, parts[2])
    return best


def network_share_warning(path: Path, *, platform: str | None = None, mounts_text: str | None = None) -> str | None:
    """A Chinese warning when the database lives on a network share, else None."""
    platform = platform or sys.platform
    text = str(path)
    if text.startswith("\\\\") or text.startswith("//"):
        return NETWORK_WARNING.format(where=text)
    if platform.startswith("win"):
        try:
            if _windows_drive_is_remote(path):
                return NETWORK_WARNING.format(where=os.path.splitdrive(text)[0] or text)
        except Exception:
            return None
        return None
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text()
        except OSError:
            return None
    try:
        resolved = Path(os.path.realpath(path))
    except OSError:
        resolved = path
    found = _mount_fs_type(resolved, mounts_text)
    if found and found[1] in NETWORK_FS:
        return NETWORK_WARNING.format(where=f"{found[0]}，{found[1]}")
    return None
