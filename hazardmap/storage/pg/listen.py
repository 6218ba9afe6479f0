"""Hearing other desks' changes: a thread with a connection of its own LISTENs on the channel the
tables' triggers NOTIFY (storage/pg/schema.py), gathers what arrives within a short moment and hands it
on as {table: keys}. Changes this desk's own connection made are left out (the operation runner has
already published them). When the server goes away it tries again every few seconds, so a desk
reconnects by itself when the server returns."""
from __future__ import annotations

import threading
import time
from typing import Callable

import psycopg

from hazardmap.storage.pg.db import CHANNEL, CONNECT_TIMEOUT_S

GATHER_S = 0.2  # notifications arriving this close together become one refresh
RETRY_S = 2.0


class Listener:
    def __init__(self, url: str, password: str | None, own_pid: Callable[[], int | None],
                 deliver: Callable[[dict[str, set[str]]], None],
                 on_state: Callable[[bool], None] | None = None) -> None:
        self.url, self._password = url, password
        self._own_pid, self._deliver, self._on_state = own_pid, deliver, on_state
        self._stop = threading.Event()
        self.connected = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hazardmap-listen", daemon=True)

    def start(self) -> "Listener":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _connect(self) -> psycopg.Connection:
        kwargs = {"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S, "application_name": "hazardmap-listen"}
        if self._password is not None:
            kwargs["password"] = self._password
        conn = psycopg.connect(self.url, **kwargs)
        conn.execute(f"LISTEN {CHANNEL}")
        return conn

    def _state(self, up: bool) -> None:
        if up != self.connected.is_set():
            (self.connected.set if up else self.connected.clear)()
            if self._on_state:
                self._on_state(up)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._connect() as conn:
                    self._state(True)
                    self._listen(conn)
            except psycopg.Error:
                self._state(False)
                self._stop.wait(RETRY_S)

    def _listen(self, conn: psycopg.Connection) -> None:
        pending: dict[str, set[str]] = {}
        first = None
        while not self._stop.is_set():
            for n in conn.notifies(timeout=GATHER_S / 2, stop_after=100):
                if n.pid == self._own_pid():
                    continue
                table, _, key = n.payload.partition(":")
                pending.setdefault(table, set()).add(key)
                first = first or time.monotonic()
            if pending and time.monotonic() - first >= GATHER_S:
                batch, pending, first = pending, {}, None
                self._deliver(batch)
