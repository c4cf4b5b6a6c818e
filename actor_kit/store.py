"""SQLite store shared by the actors: one file per actor, WAL mode, one connection per thread.

Durability matters more than speed here: an actor killed with SIGKILL between two messages must
come back with everything it acknowledged. WAL with synchronous=NORMAL survives a process crash
(not a power cut), which is the failure the simulator promises to survive.
"""
from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
from contextlib import contextmanager
from typing import Iterator


class Store:
    def __init__(self, path: str | os.PathLike | None, schema_sql: str):
        if path is None or str(path) in ("", ":memory:"):
            # :memory: cannot be shared between the server's threads; a temp file can.
            fd, path = tempfile.mkstemp(prefix="oso-sim-", suffix=".sqlite")
            os.close(fd)
        self.path = os.fspath(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        # executescript commits on its own, so it must not run inside tx()
        self.conn().executescript(schema_sql)

    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it lands, or none of it."""
        conn = self.conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.conn().execute(sql, params).fetchall()

    def one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.conn().execute(sql, params).fetchone()

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
