"""The PostgreSQL/PostGIS backend (storage.api.Backend): one server connection, its transactions and
the same repositories as SQLite (storage/*_repo.py through storage/pg/connection.py; the statements that
differ are overridden in storage/pg/repos.py).

Writes keep SQLite's promise (storage/api.py): `write()` first takes one transaction-scoped advisory
lock, so writers from every desk serialise before they read, and a read-modify-write inside a write
never works from a stale state (READ COMMITTED: each statement after the lock sees every commit made
before it). Reads outside a write run in autocommit, each statement on committed data.

A lost connection (server stopped, network gone) rolls back on the server; the step raises
ServerUnavailable and the next read or write connects again."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import psycopg
from psycopg import errors as pgerrors

from hazardmap.geodata.bundled import BundledData
from hazardmap.storage.pg.connection import Connection, configure
from hazardmap.storage.repositories import Repositories
from hazardmap.storage.schema import SCHEMA_VERSION

WRITE_LOCK = 0x6861_7A61  # 'haza': the one advisory lock every write takes
CONNECT_TIMEOUT_S = 5
EDITOR, VIEWER = "hazardmap_editor", "hazardmap_viewer"  # group roles (setup_roles)
ROLES = (EDITOR, VIEWER)
SCHEMA = "public"
CHANNEL = "hazardmap_changes"  # LISTEN/NOTIFY: a committed row change tells the other desks (pg/schema.py)


def url_has_password(url: str) -> bool:
    try:
        from psycopg.conninfo import conninfo_to_dict

        return bool(conninfo_to_dict(url).get("password"))
    except Exception:
        return False


def make_url(host: str, port: int, dbname: str, user: str) -> str:
    """postgresql://user@host:port/dbname, quoted (no password: that goes to the connection separately)."""
    from urllib.parse import quote

    return f"postgresql://{quote(user, safe='')}@{quote(host, safe='')}:{int(port)}/{quote(dbname, safe='')}"


def url_parts(url: str) -> dict[str, str]:
    """host, port, dbname, user of a server address (never its password)."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        d = conninfo_to_dict(url)
    except Exception:
        return {}
    return {k: str(d[k]) for k in ("host", "port", "dbname", "user") if d.get(k)}


def display_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        d = conninfo_to_dict(url)
    except Exception:
        return "数据库服务器"
    host = d.get("host") or "localhost"
    if host.startswith("/"):
        host = "本机"
    return f"{d.get('user', '')}@{host}:{d.get('port', 5432)}/{d.get('dbname', '')}".lstrip("@")


class PgDatabase(Repositories):
    dialect = "postgresql"
    path = None  # no file: backups of a server are the server's own (pg_dump)

    def __init__(self, url: str, password: str | None = None) -> None:
        from hazardmap.storage.pg.repos import PgMapPoints, PgPatrol, PgPoints

        super().__init__(PgPoints(), PgMapPoints())
        self.patrol = PgPatrol()  # the bulk path by COPY (storage/pg/repos.py)
        self.url = url
        self.where = display_url(url)
        self._password = password
        self.raw: psycopg.Connection | None = None
        self._in_write: Connection | None = None

    # ---- connection --------------------------------------------------------------------------------
    def _connect(self) -> psycopg.Connection:
        from hazardmap.domain.errors import ServerUnavailable

        kwargs = {"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S, "application_name": "hazardmap"}
        if self._password is not None:
            kwargs["password"] = self._password
        try:
            return configure(psycopg.connect(self.url, **kwargs))
        except psycopg.OperationalError as exc:
            raise ServerUnavailable(self.where, str(exc).strip()) from None

    def _raw(self) -> psycopg.Connection:
        if self.raw is None or self.raw.closed or self.raw.broken:
            if self.raw is not None:
                try:
                    self.raw.close()
                except Exception:
                    pass
            self.raw = self._connect()
        return self.raw

    @property
    def conn(self) -> Connection:
        """The connection as the repositories see it (sqlite3-like), for code that inspects the data
        directly (tests, the copy command); outside a write each statement commits on its own."""
        return self._in_write or Connection(self._raw())

    @property
    def backend_pid(self) -> int | None:
        return self.raw.info.backend_pid if self.connected else None

    def listen(self, deliver, on_state=None):
        """Start hearing other desks' committed changes ({table: keys} to deliver, from a thread)."""
        from hazardmap.storage.pg.listen import Listener

        return Listener(self.url, self._password, lambda: self.backend_pid, deliver, on_state).start()

    @property
    def connected(self) -> bool:
        return self.raw is not None and not self.raw.closed and not self.raw.broken

    def _typed(self, exc: BaseException) -> Exception | None:
        from hazardmap.domain.errors import ReadOnlyAccess, ServerUnavailable

        if isinstance(exc, pgerrors.InsufficientPrivilege) or isinstance(exc, pgerrors.ReadOnlySqlTransaction):
            return ReadOnlyAccess(self.user)
        if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)) and not isinstance(
                exc, pgerrors.QueryCanceled):
            return ServerUnavailable(self.where, str(exc).strip())
        return None

    @property
    def user(self) -> str:
        try:
            from psycopg.conninfo import conninfo_to_dict

            return conninfo_to_dict(self.url).get("user") or ""
        except Exception:
            return ""

    @classmethod
    def open(cls, url: str, bundled: BundledData, *, target_version: int = SCHEMA_VERSION,
             password: str | None = None) -> "PgDatabase":
        db = cls(url, password)
        db._raw()
        try:
            db._refuse_foreign()
            if not db.read_only:
                db.migrate(bundled, target_version)
            elif db.version < SCHEMA_VERSION:
                from hazardmap.domain.errors import HazardmapError

                raise HazardmapError(f"服务器上的数据库需要升级（第 {db.version} 版），请用编辑账号连接一次完成升级")
            db.note_versions()
        except BaseException:
            db.close()
            raise
        return db

    # ---- transactions ------------------------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[Connection]:
        if self._in_write is not None:
            yield self._in_write
            return
        try:
            yield Connection(self._raw())
        except psycopg.Error as exc:
            raise (self._typed(exc) or exc) from None

    def _begin(self) -> psycopg.Connection:
        raw = self._raw()
        try:
            raw.execute("SELECT 1")
        except psycopg.OperationalError:
            self.close()
            raw = self._raw()
        return raw

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction behind the write lock: all of it commits, or none of it. A connection the
        server dropped since the last step (it restarted) is found at the lock, before anything is
        done, and replaced once."""
        raw = self._begin()
        try:
            with raw.transaction():
                raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                self._in_write = tx = Connection(raw)
                try:
                    yield tx
                finally:
                    self._in_write = None
        except psycopg.Error as exc:
            raise (self._typed(exc) or exc) from None

    # ---- schema ------------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        with self.read() as s:
            if s.execute("SELECT to_regclass('hazardmap_schema')").fetchone()[0] is None:
                return 0
            row = s.execute("SELECT version FROM hazardmap_schema").fetchone()
            return row[0] if row else 0

    @property
    def read_only(self) -> bool:
        """Connected as a role that may not change the points (the viewer role)."""
        with self.read() as s:
            if s.execute("SELECT to_regclass('hazard_point')").fetchone()[0] is None:
                return False  # a new database: whoever opens it first builds it
            return not s.execute("SELECT has_table_privilege('hazard_point', 'UPDATE')").fetchone()[0]

    def _refuse_foreign(self) -> None:
        from hazardmap.domain.errors import HazardmapError

        with self.read() as s:
            ours = s.execute("SELECT to_regclass('hazardmap_schema')").fetchone()[0] is not None
            others = s.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()"
                               " AND table_name NOT IN ('spatial_ref_sys')").fetchone()[0]
        if not ours and others:
            raise HazardmapError(f"服务器上的数据库（{self.where}）已有其他表，不是 hazardmap 的数据库：未做任何改动")

    def migrate(self, bundled: BundledData, target_version: int = SCHEMA_VERSION) -> None:
        from hazardmap.domain.errors import HazardmapError
        from hazardmap.storage.db import SEEDS
        from hazardmap.storage.pg.schema import SYNC_IDENTITIES, fill_id_triggers, notify_triggers, pg_migration, \
            split_pg

        if self.version > SCHEMA_VERSION:
            raise HazardmapError(f"数据库版本（{self.version}）比本软件（{SCHEMA_VERSION}）新，请安装新版 hazardmap")
        while self.version < target_version:
            with self.write() as tx:
                tx.execute("CREATE TABLE IF NOT EXISTS hazardmap_schema (version INTEGER NOT NULL)")
                row = tx.execute("SELECT version FROM hazardmap_schema").fetchone()
                if row is None:
                    tx.execute("INSERT INTO hazardmap_schema VALUES (0)")
                current = row[0] if row else 0
                if current >= target_version:  # another desk migrated while we waited for the lock
                    break
                for statement in split_pg(pg_migration(current)):
                    tx.raw.execute(statement)
                seed = SEEDS.get(current + 1)
                if seed:
                    seed(tx, bundled)
                tables = {r[0] for r in tx.execute("SELECT table_name FROM information_schema.tables"
                                                    " WHERE table_schema = current_schema()").fetchall()}
                for statement in notify_triggers(tables):
                    tx.raw.execute(statement)
                identities = []
                for table, column in tx.execute(SYNC_IDENTITIES).fetchall():
                    tx.raw.execute(f'SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX("{column}"), 0) + 1,'
                                   f' false) FROM "{table}"', (table, column))
                    sequence = tx.execute("SELECT pg_get_serial_sequence(?, ?)", (table, column)).fetchone()[0]
                    identities.append((table, column, sequence))
                for statement in fill_id_triggers(identities):
                    tx.raw.execute(statement)
                tx.execute("UPDATE hazardmap_schema SET version = ?", (current + 1,))
        self.note_versions()

    def note_versions(self) -> None:
        """As storage/db.py Database.note_versions."""
        with self.read() as s:
            versioned = s.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()"
                                  " AND table_name = 'hazard_point' AND column_name = 'version'").fetchone() is not None
        for repo in (self.points, self.patrol, self.plans, self.rain_gauges):
            repo.versioned = versioned
        with self.read() as s:
            self.patrol.summarised = s.execute("SELECT to_regclass('patrol_latest')").fetchone()[0] is not None

    def setup_roles(self) -> None:
        """The two group roles a bureau grants its staff's logins (GRANT hazardmap_editor TO 张三): the
        editor reads and writes the data, the viewer only reads. Run by the database's owner, after
        migrating (new tables need granting again, so it is run after every upgrade too)."""
        with self.write() as tx:
            for role in ROLES:
                tx.raw.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN"
                               f" CREATE ROLE {role} NOLOGIN; END IF; END $$")
            tx.raw.execute(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {EDITOR}, {VIEWER}")
            tx.raw.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {SCHEMA} TO {EDITOR}")
            tx.raw.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO {EDITOR}")
            tx.raw.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} TO {VIEWER}")

    def quick_check(self) -> str:
        return "ok"  # the server keeps its own pages; nothing to check from a desk

    def integrity(self) -> str:
        return "ok"

    def close(self) -> None:
        if self.raw is not None:
            try:
                self.raw.close()
            except Exception:
                pass
            self.raw = None
