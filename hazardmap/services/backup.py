"""Backups of the database: automatic at start-up (the last N good ones kept), listed with SQLite's
check of each, restored.

A backup counts only once SQLite's full integrity check of the copy has passed: a copy that fails is
discarded, an old backup found damaged is set aside (renamed damaged-…) and never counted among the
kept ones, so rotation can never drop the last good backup. A damaged database is never copied into
the backups (opening it is refused before any backup is made). Restoring first saves what it
replaces, so a restore can itself be undone; over a damaged database it works on the files alone,
without opening the damaged one.
"""
from __future__ import annotations

import json
import os
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import DatabaseDamaged, HazardmapError, InvalidInput, NotFound, StorageError
from hazardmap.files import write_text
from hazardmap.paths import ensure_private_folder
from hazardmap.storage import backups as files
from hazardmap.storage.db import set_write_gate, sidecars
from hazardmap.storage.schema import SCHEMA_VERSION

BACKUP_DIR = "backups"
KEEP_AUTOMATIC = 10
AUTO_PREFIX = "auto-"            # made at start-up; only these are pruned
BEFORE_RESTORE_PREFIX = "before-restore-"  # what a restore replaced; never pruned
MANUAL_PREFIX = "manual-"
DAMAGED_PREFIX = "damaged-"      # set aside: failed the check, or the damaged database a restore replaced
SUFFIX = ".sqlite3"
CHECKS_FILE = "checked.json"     # check results by name, size and time, so each file is checked once
GOOD = "完好"


@dataclass(frozen=True)
class BackupInfo:
    name: str
    path: Path
    size: int
    created: datetime
    kind: str  # 自动 / 恢复前 / 手动 / 已损坏
    ok: bool | None = None   # SQLite's integrity check passed (None: not checked)
    check: str = ""          # 完好, or what is wrong (Chinese)

    @property
    def size_label(self) -> str:
        return f"{self.size / 1024:.0f} KB" if self.size < 1024 * 1024 else f"{self.size / 1024 / 1024:.1f} MB"


def backup_dir(home: Path) -> Path:
    return home / BACKUP_DIR


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-%f")


# ---- the check results -----------------------------------------------------------------------------

def _load_checks(home: Path) -> dict:
    try:
        data = json.loads((backup_dir(home) / CHECKS_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_checks(home: Path, checks: dict) -> None:
    """Best effort (a full disk only means checking again next time); written whole, then renamed."""
    try:
        write_text(backup_dir(home) / CHECKS_FILE, json.dumps(checks, ensure_ascii=False), force=True)
    except (HazardmapError, OSError):
        pass


def _key(path: Path) -> list:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def _check(path: Path, checks: dict) -> tuple[bool, str]:
    """(passed, 完好 or the Chinese reason), from the remembered result while the file is unchanged."""
    key = _key(path)
    known = checks.get(path.name)
    if isinstance(known, list) and len(known) == 4 and known[:2] == key:
        return bool(known[2]), str(known[3])
    result = files.check_file(path)
    if result.ok and not result.is_hazardmap:
        ok, text = False, "不是 hazardmap 的数据库"
    else:
        ok, text = result.ok, GOOD if result.ok else result.detail
    checks[path.name] = [*key, ok, text]
    return ok, text


# ---- making backups ---------------------------------------------------------------------------------

def _not_on_a_server(store) -> None:
    """Backups here are copies of this PC's file; a server's data is backed up on the server."""
    if getattr(store.db, "dialect", "sqlite") == "postgresql":
        from hazardmap.domain.errors import HazardmapError

        raise HazardmapError("现在连接的是单位的服务器：服务器上的数据由服务器备份（请管理员用 pg_dump 定期备份）；"
                             "如需离线副本，可用 hazardmap db copy --from 服务器地址 --to 文件")


def _verified_copy(store, prefix: str) -> Path:
    """Copy the open database, check the copy, and only then give it its backup name."""
    _not_on_a_server(store)
    folder = ensure_private_folder(backup_dir(store.home))
    dest = folder / f"{prefix}{_stamp()}{SUFFIX}"
    part = files.copy_database(store.db.conn, dest, source=store.db.path)
    result = files.check_file(part)
    if not result.ok:
        files.discard(part)
        # The copy is page for page the database: it fails because the database does (or the disk
        # under the backups is failing). Either way the bad copy never counts as a backup.
        source = store.db.integrity()
        if source != "ok":
            from hazardmap.storage.db import check_result_detail

            raise DatabaseDamaged(store.db.path, check_result_detail(source), newest_good_backup(store.home),
                                  technical=source)
        raise StorageError(f"备份写入后检查未通过（{result.detail}），该备份已丢弃：保存备份的磁盘可能有问题")
    files.settle(part, dest)
    checks = _load_checks(store.home)
    checks[dest.name] = [*_key(dest), True, GOOD]
    _save_checks(store.home, checks)
    return dest


def make_backup(store, *, prefix: str = MANUAL_PREFIX) -> Path:
    """A verified backup of the open database (typed Chinese errors: full disk, read-only, damaged)."""
    return _verified_copy(store, prefix)


def backup_on_start(store, *, keep: int | None = None) -> Path:
    """The start-up backup: one verified copy per start; then the oldest good automatic ones beyond
    `keep` are removed and damaged ones set aside. The new copy is good, so the last good one stays."""
    keep = max(1, KEEP_AUTOMATIC if keep is None else keep)
    path = _verified_copy(store, AUTO_PREFIX)
    rotate(store.home, keep)
    return path


class StartBackup:
    """The window's start-up backup (backup_on_start) taken in a thread with its own connection while the
    window starts, off the road to the map (a province's copy and its full check take seconds). The
    database's writes wait for it (storage/db.py write gate): the copy is the data as it was at the start,
    and a database whose copy fails SQLite's full check gets no write (each one raises DatabaseDamaged)."""

    def __init__(self, store, *, keep: int | None = None) -> None:
        _not_on_a_server(store)
        self.home, self.bundled, self.path, self.keep = store.home, store.bundled, store.db.path, keep
        self.made: Path | None = None
        self.error: HazardmapError | None = None
        self._done = threading.Event()
        set_write_gate(self.path, self.wait)
        self._thread = threading.Thread(target=self._run, name="start-up backup", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from hazardmap.services.store import Store
        from hazardmap.storage.db import Database

        try:
            db = Database.open(self.path, self.bundled, check=False)  # checked at the window's open
            try:
                self.made = backup_on_start(Store(home=self.home, db=db, bundled=self.bundled), keep=self.keep)
            finally:
                db.close()
        except HazardmapError as exc:
            self.error = exc
        except Exception as exc:  # noqa: BLE001 (said in the window as a failed backup, not lost in a thread)
            self.error = StorageError(f"{type(exc).__name__}: {exc}")
        finally:
            self._done.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self) -> None:
        """Until the backup is made or has failed; raises DatabaseDamaged when its check found the database
        damaged. Other failures (a full disk) do not stop writing: the window says them."""
        self._done.wait()
        self._thread.join()
        if isinstance(self.error, DatabaseDamaged):
            raise self.error
        set_write_gate(self.path, None)

    def finish(self) -> None:
        """Before the program ends: the copy is completed (never left half-written), the gate removed."""
        self._done.wait()
        self._thread.join()
        set_write_gate(self.path, None)

    @property
    def warning(self) -> str | None:
        """What the window says when the backup failed for another reason than damage."""
        if self.error is None or isinstance(self.error, DatabaseDamaged):
            return None
        return f"启动时自动备份失败：{self.error}（已有的备份不受影响）"


def rotate(home: Path, keep: int) -> None:
    folder = backup_dir(home)
    checks = _load_checks(home)
    good = []
    for p in sorted(folder.glob(f"{AUTO_PREFIX}*{SUFFIX}"), reverse=True):  # newest first
        ok, _ = _check(p, checks)
        if ok:
            good.append(p)
        else:
            _set_aside(p, checks)
    for old in good[keep:]:
        try:
            old.unlink()
            checks.pop(old.name, None)
        except OSError:  # another copy of the app may be reading it; try again next start
            pass
    _save_checks(home, checks)


def _set_aside(path: Path, checks: dict) -> None:
    """A damaged backup keeps its bytes (a technician may still read from it) under a name that is
    never counted, pruned or offered for restoring."""
    try:
        target = path.with_name(DAMAGED_PREFIX + path.name)
        os.replace(path, target)
        checks[target.name] = [*_key(target), *checks.pop(path.name, [0, 0, False, "已损坏"])[2:]]
    except OSError:
        pass


# ---- listing ---------------------------------------------------------------------------------------

def _kind(name: str) -> str:
    if name.startswith(DAMAGED_PREFIX):
        return "已损坏"
    if name.startswith(AUTO_PREFIX):
        return "自动"
    if name.startswith(BEFORE_RESTORE_PREFIX):
        return "恢复前"
    return "手动"


def list_backups(home: Path, *, check: bool = True) -> list[BackupInfo]:
    """Newest first, each with SQLite's integrity check (remembered while the file is unchanged)."""
    folder = backup_dir(home)
    if not folder.is_dir():
        return []
    checks = _load_checks(home) if check else {}
    before = dict(checks)
    out = []
    for p in folder.glob(f"*{SUFFIX}"):
        try:
            st = p.stat()
        except OSError:  # removed by another copy's rotation meanwhile
            continue
        ok, text = _check(p, checks) if check else (None, "")
        out.append(BackupInfo(p.name, p, st.st_size, datetime.fromtimestamp(st.st_mtime), _kind(p.name), ok, text))
    if check:
        present = {b.name for b in out}
        checks = {k: v for k, v in checks.items() if k in present}  # forget files removed meanwhile
        if checks != before:
            _save_checks(home, checks)
    return sorted(out, key=lambda b: (b.created, b.name), reverse=True)


def newest_good_backup(home: Path) -> Path | None:
    """The newest backup that passes the check (never one set aside as damaged)."""
    try:
        for b in list_backups(home):
            if b.ok and not b.name.startswith(DAMAGED_PREFIX):
                return b.path
    except OSError:
        return None
    return None


def database_state(path: Path) -> str | None:
    """What is wrong with the database file (Chinese), checked without opening it for writing; None
    when it passes SQLite's quick check or does not exist yet."""
    if not path.exists():
        return None
    result = files.check_file(path, quick=True)
    return None if result.ok or not result.readable else result.detail


# ---- restoring ---------------------------------------------------------------------------------------

def find_backup(home: Path, ref: str) -> Path:
    """A backup by its name (as `backup list` shows it), or any database file by its path."""
    ref = ref.strip()
    if not ref or ref in (".", ".."):
        raise InvalidInput(f"备份名“{ref}”无效：请用 hazardmap backup list 列出的名称，或一个文件的路径")
    if "/" not in ref and "\\" not in ref:
        for c in (backup_dir(home) / ref, backup_dir(home) / f"{ref}{SUFFIX}"):
            if c.is_file():
                return c
    path = Path(ref).expanduser()
    if path.is_file():
        from hazardmap.services.store import db_path

        if os.path.realpath(path) == os.path.realpath(db_path(home)):
            raise InvalidInput("不能用当前数据库自身来恢复：请选一个备份")
        return path
    raise NotFound(f"没有名为“{ref}”的备份，也没有这个文件（用 hazardmap backup list 查看现有备份）")


def check_backup_file(path: Path) -> int:
    """A readable, intact hazardmap database no newer than this program; returns its schema version."""
    result = files.check_file(path)
    if not result.ok:
        raise InvalidInput(f"备份文件“{path.name}”已损坏或无法读取（{result.detail}），未恢复")
    if not result.is_hazardmap:
        raise InvalidInput(f"“{path.name}”不是 hazardmap 的数据库，未恢复")
    if result.version > SCHEMA_VERSION:
        raise InvalidInput(f"备份“{path.name}”来自更新版本的 hazardmap（数据库版本 {result.version}），请先升级本软件")
    return result.version


def restore_backup(store, name: str) -> tuple[Path, Changes]:
    """Replace the open (healthy) database's content with a backup. Saves the current content first
    (before-restore-*.sqlite3) and returns that path; migrates the restored data if it is older."""
    _not_on_a_server(store)
    source = find_backup(store.home, name)
    check_backup_file(source)
    kept = make_backup(store, prefix=BEFORE_RESTORE_PREFIX)
    files.copy_into(source, store.db.conn)
    store.db.migrate(store.bundled)
    seqs = files.point_seqs(store.db.conn)
    return kept, Changes(points=seqs, rain_gauges=True, patrol_points=seqs, fund=True)


@dataclass(frozen=True)
class Restored:
    source: Path
    kept: Path | None    # what was replaced, saved first (None: there was no database)
    was_damaged: bool


def restore(home: Path, ref: str, bundled=None) -> Restored:
    """Restore a backup into the data folder whether the database is healthy, damaged or missing.
    Damaged or missing: the files are swapped without opening the damaged database through SQLite."""
    from hazardmap.services.store import db_path, open_store

    source = find_backup(home, ref)
    check_backup_file(source)
    path = db_path(home)
    if path.exists():
        try:
            store = open_store(home, bundled)
        except DatabaseDamaged:
            store = None
        if store is not None:
            try:
                kept, _ = restore_backup(store, str(source))
                return Restored(source, kept, False)
            except DatabaseDamaged:
                pass  # the full check of the before-restore copy found what the quick check did not
            finally:
                store.close()
    kept = _restore_files(home, source, path)
    open_store(home, bundled).close()  # migrates an older backup, and proves the result opens
    return Restored(source, kept, kept is not None)


def _restore_files(home: Path, source: Path, path: Path) -> Path | None:
    folder = ensure_private_folder(backup_dir(home))
    kept = None
    if path.exists():
        kept = folder / f"{DAMAGED_PREFIX}{BEFORE_RESTORE_PREFIX}{_stamp()}{SUFFIX}"
        files.settle(files.copy_file(path, kept), kept)
        wal = sidecars(path)[0]
        if wal.exists() and wal.stat().st_size:  # beside its copy, where SQLite tools will find it
            kept_wal = kept.with_name(kept.name + "-wal")
            files.settle(files.copy_file(wal, kept_wal), kept_wal)
    part = files.copy_file(source, path, what="没有恢复，原来的文件未动")
    result = files.check_file(part)
    if not result.ok:
        files.discard(part)
        raise StorageError(f"复制的备份检查未通过（{result.detail}），未恢复：磁盘可能有问题")
    try:
        for stale in sidecars(path):  # the damaged file's journal must never be applied to the restored one
            stale.unlink(missing_ok=True)
    except OSError:
        files.discard(part)
        raise StorageError("数据库文件正被另一个 hazardmap 窗口使用：请先关闭所有 hazardmap 窗口再恢复") from None
    files.settle(part, path)
    return kept


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
