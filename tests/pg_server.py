"""A private PostgreSQL + PostGIS server for the tests: Debian's binaries (postgresql-15,
postgresql-15-postgis-3, installed by scripts/setup.sh), a cluster made by initdb in a temporary
folder, listening on a Unix socket in that folder only (no TCP port), stopped and removed at the end.
No system service is used. initdb refuses to run as root, so as root (CI) the cluster belongs to the
unprivileged `postgres` account the Debian package creates, and the commands run through runuser."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PG_BIN = Path(os.environ.get("HAZARDMAP_PG_BIN", "/usr/lib/postgresql/15/bin"))
PORT = 5439  # only names the socket file (.s.PGSQL.5439): listen_addresses is empty


class PgServer:
    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError(f"PostgreSQL 15 is not installed ({PG_BIN}): run scripts/setup.sh")
        self.root = Path(tempfile.mkdtemp(prefix="hazardmap-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self.owner = "postgres" if os.geteuid() == 0 else None
        self.superuser = self.owner or _login_name()
        if self.owner:
            shutil.chown(self.root, self.owner, self.owner)
        self._run("initdb", "-D", str(self.data), "-U", self.superuser, "--auth=trust", "--encoding=UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        self.start()

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        cmd = [str(PG_BIN / tool), *args]
        if self.owner:
            cmd = ["runuser", "-u", self.owner, "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=self.root)

    def start(self) -> None:
        opts = (f"-c listen_addresses='' -c unix_socket_directories={self.socket_dir} -p {PORT}"
                " -c fsync=off -c max_connections=60 -c shared_buffers=32MB")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", opts, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, dbname: str = "postgres", user: str | None = None) -> str:
        return f"postgresql://{user or self.superuser}@/{dbname}?host={self.socket_dir}&port={PORT}"

    def sql(self, statement: str, dbname: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            conn.execute(statement)

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


def _login_name() -> str:
    import getpass

    return getpass.getuser()
