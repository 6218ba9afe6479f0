"""The open store: the user's database, the bundled data, and the change bus."""
from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from pathlib import Path
from typing import Callable

from hazardmap.domain.changes import ChangeBus, Changes
from hazardmap.domain.errors import DatabaseDamaged, StorageError
from hazardmap.geodata.bundled import BundledData
from hazardmap.paths import user_home
from hazardmap.storage.api import Backend
from hazardmap.storage.db import Database

DB_FILENAME = "hazardmap.sqlite3"


def current_user() -> str:
    try:
        return getpass.getuser() or "未知用户"
    except Exception:  # no login name on some service accounts
        return "未知用户"


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass
class Store:
    home: Path
    db: Backend  # storage.db.Database (SQLite) or storage.pg.db.PgDatabase
    bundled: BundledData
    bus: ChangeBus = field(default_factory=ChangeBus)
    warnings: list[str] = field(default_factory=list)  # Chinese, shown to the user (e.g. network share)
    listener: object | None = field(default=None, repr=False)  # on a server: other desks' changes

    @cached_property
    def read_only(self) -> bool:
        """A viewer's desk: connected to the bureau's server with a role that may not change anything
        (asked once: a role does not change while the window is open; a data file is never read-only)."""
        return is_server(self) and self.db.read_only

    def announce(self, changes: Changes) -> Changes:
        """Publish one step's Changes to this store's subscribers. Services never call this: they
        return what changed, and whoever ran the step publishes it once (in the window, the operation
        runner, hazardmap/qt/operations.py; the CLI has no subscribers)."""
        self.bus.publish(changes)
        return changes

    def follow_other_desks(self, on_state: Callable[[bool], None] | None = None,
                           publish: Callable[[Changes], None] | None = None):
        """On a server: publish on this store's bus, within about a second, what other desks commit
        (the same Changes road the window refreshes from; the record has no undo, it is not ours).
        The listener runs in its own thread: `publish` hands each record over (the window's queues it onto
        the GUI thread, whose widgets subscribe to the bus); by default it is published from that thread.
        Returns the listener (its stop() ends it), or None on a file database."""
        if not is_server(self):
            return None

        def deliver(batch: dict[str, set[str]]) -> None:
            def ints(table: str) -> frozenset[int]:
                return frozenset(int(k) for k in batch.get(table, ()) if k.lstrip("-").isdigit())
            changes = Changes(points=ints("hazard_point") | ints("point_plan"),
                              rain_gauges="rain_gauge_site" in batch, patrol_points=ints("patrol_log"),
                              label="其他电脑的修改")
            (publish or self.bus.publish)(changes)

        self.listener = self.db.listen(deliver, on_state)
        return self.listener

    def close(self) -> None:
        listener = getattr(self, "listener", None)
        if listener is not None:
            listener.stop()
            self.listener = None
        self.db.close()


SERVER_FILE = "server.json"  # the server chosen in 文件 → 连接服务器… (its address only, never a password)


def server_url(home: Path | None = None) -> str | None:
    """Work on the bureau's server instead of this PC's file: HAZARDMAP_DB=postgresql://user@host/dbname,
    else the server chosen in the window (SERVER_FILE in the data folder); None: this PC's file."""
    import json
    import os

    url = os.environ.get("HAZARDMAP_DB", "").strip()
    if not url:
        try:
            url = json.loads(((home or user_home()) / SERVER_FILE).read_text(encoding="utf-8")).get("url", "")
        except (OSError, ValueError, AttributeError):
            url = ""
    return url if url.startswith(("postgresql://", "postgres://")) else None


def choose_server(url: str | None, home: Path | None = None) -> None:
    """Remember the server to open next time (None: this PC's file again). The address only: a password
    in it is refused (the keyring keeps passwords, services/credentials.py)."""
    import json

    from hazardmap import files

    from hazardmap.domain.errors import InvalidInput
    from hazardmap.storage.pg.db import url_has_password

    path = (home or user_home()) / SERVER_FILE
    if url is None:
        path.unlink(missing_ok=True)
        return
    if url_has_password(url):
        raise InvalidInput("服务器地址中不能写密码：密码请在连接对话框中输入（可保存在系统钥匙串中）")
    from hazardmap.paths import ensure_private_folder

    ensure_private_folder(path.parent)
    files.write_text(path, json.dumps({"url": url}, ensure_ascii=False), force=True)


def open_server_store(url: str, home: Path | None = None, bundled: BundledData | None = None, *,
                      password: str | None = None) -> Store:
    """The bureau's PostgreSQL server (created and migrated on first use by an editor). Photos and
    exports stay in this PC's data folder; backups of a server are the server's own."""
    from hazardmap.storage.pg.db import PgDatabase

    home = home or user_home()
    bundled = bundled or BundledData()
    db = PgDatabase.open(url, bundled, password=password)
    return Store(home=home, db=db, bundled=bundled)


def is_server(store: "Store") -> bool:
    return getattr(store.db, "dialect", "sqlite") == "postgresql"


def db_path(home: Path | None = None) -> Path:
    return (home or user_home()) / DB_FILENAME


def open_store(home: Path | None = None, bundled: BundledData | None = None, *,
               backup_on_open: bool = False, check: bool = True) -> Store:
    """Open (creating and seeding on first run, migrating if older) the user's database.
    A damaged database raises DatabaseDamaged naming the newest good backup; nothing is written to it.
    backup_on_open: the window's start-up backup (the last few good ones are kept), taken after
    migrating; if it cannot be written (full disk, read-only folder) the store still opens with a
    warning, so the window can show the problem. check=False skips the quick check for a second
    store on a database this process opened (and checked) already."""
    from hazardmap.services import backup

    home = home or user_home()
    bundled = bundled or BundledData()
    url = server_url(home)
    if url:
        from hazardmap.services.credentials import saved_password

        return open_server_store(url, home, bundled, password=saved_password(url))
    try:
        db = Database.open(db_path(home), bundled, check=check)
    except DatabaseDamaged as exc:
        raise exc.with_backup(backup.newest_good_backup(home)) from None
    store = Store(home=home, db=db, bundled=bundled)
    warning = backup.network_share_warning(db_path(home))
    if warning:
        store.warnings.append(warning)
    if backup_on_open:
        try:
            backup.backup_on_start(store)
        except DatabaseDamaged:  # the full check of the copy found damage the quick check did not
            store.close()
            raise
        except StorageError as exc:  # a full disk must not stop the bureau from working: say so instead
            store.warnings.append(f"启动时自动备份失败：{exc}（已有的备份不受影响）")
    return store
