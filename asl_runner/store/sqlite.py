"""The SQLite store (stdlib sqlite3, WAL mode).

One connection writes, on the engine's thread; every other thread reads through a connection
of its own (WAL lets readers run beside the writer). ``path=None`` (or ``":memory:"``) keeps
nothing after :meth:`Store.close`: the database is a file in a private temporary directory,
removed on close. (SQLite's own shared-cache memory databases lock whole tables and ignore
the busy timeout, so a reader could make the writer fail; a temporary file in WAL mode
behaves exactly like the durable store.)

One process at a time: a store file is locked (``FILE.lock``, an advisory lock the OS drops
when the process dies, even by kill -9) for as long as it is open. Two engines on one store
would each believe they own its RUNNING executions. Opening also writes once, so a store that
cannot be written (a read-only file, a full disk) is reported at start, not at the first
execution.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import AslRunnerError
from ..history import Event


class StoreError(AslRunnerError):
    """The store cannot be opened, or cannot be written (the message says why)."""


class StoreLocked(StoreError):
    """Another process has the store open."""


def _json(value: Any) -> str | None:
    # allow_nan=False: NaN is not JSON, and a value that slipped past the checks where JSON
    # enters must fail its own write, not poison every later read of the store
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                                                 allow_nan=False)


def _lock(path: str) -> Any:
    """Hold an exclusive advisory lock on ``path`` (created if need be) for this process."""
    handle = open(path, "a+")  # noqa: SIM115 - held open for the store's lifetime
    try:
        if os.name == "nt":
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip()
        handle.close()
        store = path[:-len(".lock")]
        if holder == str(os.getpid()):
            raise StoreLocked(f"the store {store!r} is already open in this process") from None
        raise StoreLocked(f"another process{f' (pid {holder})' if holder else ''} is using the "
                          f"store {store!r}: stop it, or use another --db") from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


class Store:
    def __init__(self, path: str | os.PathLike | None = None):
        self._scratch: str | None = None
        self._lock_handle: Any = None
        if path is None or str(path) == ":memory:":
            self._scratch = tempfile.mkdtemp(prefix="asl-runner-store-")
            path = os.path.join(self._scratch, "store.db")
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._lock_handle = _lock(os.fspath(path) + ".lock")
        except OSError as exc:
            raise StoreError(f"cannot open the store {os.fspath(path)!r}: "
                             f"{exc.strerror or exc}") from None
        self.uri = Path(path).resolve().as_uri() + "?mode=rwc"
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.RLock()
        try:
            self._writer = self._connect()
            self._writer.executescript((Path(__file__).with_name("schema.sql")).read_text())
            self._add_columns()
            with self.transaction() as c:  # the write probe (see the module's docstring)
                c.execute("PRAGMA user_version = 1")
        except sqlite3.Error as exc:
            self._release()
            raise StoreError(f"cannot write the store {os.fspath(path)!r}: {exc}") from None

    def _add_columns(self) -> None:
        """Columns added to the schema since a store was created (CREATE TABLE IF NOT EXISTS
        leaves an existing table as it was)."""
        have = {r["name"] for r in self._writer.execute("PRAGMA table_info(executions)")}
        if "test_case" not in have:
            self._writer.execute("ALTER TABLE executions ADD COLUMN test_case TEXT")
        for column in ("redrive_count INTEGER NOT NULL DEFAULT 0", "redrive_date REAL",
                       "redrive_token TEXT"):
            if column.split()[0] not in have:
                self._writer.execute(f"ALTER TABLE executions ADD COLUMN {column}")
        for column in ("map_run_arn TEXT", "item_index INTEGER", "item_count INTEGER"):
            if column.split()[0] not in have:
                self._writer.execute(f"ALTER TABLE executions ADD COLUMN {column}")
        self._writer.execute("CREATE INDEX IF NOT EXISTS executions_by_map_run ON executions "
                             "(map_run_arn, start_date) WHERE map_run_arn IS NOT NULL")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.uri, uri=True, check_same_thread=False, isolation_level=None,
                               timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        # a committed transaction survives a crash of the process (kill -9); NORMAL only
        # risks the last transactions on a power loss, like most embedded stores
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=OFF")
        return conn

    def unlock(self) -> None:
        """Drop the process's lock on the store (close does; the OS does when it dies)."""
        if self._lock_handle is not None:
            self._lock_handle.close()  # closing the file drops the lock
            self._lock_handle = None

    @property
    def reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def close(self) -> None:
        self._writer.close()
        self._release()

    def _release(self) -> None:
        self.unlock()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Everything written inside lands together or not at all."""
        with self._write_lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # a failed COMMIT may have rolled back already
                    conn.execute("ROLLBACK")
                raise

    # -- state machines ------------------------------------------------------------------------

    def put_state_machine(self, row: dict) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO state_machines (arn, name, type, definition, role_arn, status,"
                " created, updated, revision_id, description, config) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (row["arn"], row["name"], row["type"], row["definition"], row["role_arn"],
                 row.get("status", "ACTIVE"), row["created"], row.get("updated"), row["revision_id"],
                 row.get("description"), _json(row.get("config"))))

    def get_state_machine(self, arn: str) -> dict | None:
        r = self.reader.execute("SELECT * FROM state_machines WHERE arn=?", (arn,)).fetchone()
        return _machine_row(r)

    def list_state_machines(self) -> list[dict]:
        rows = self.reader.execute("SELECT * FROM state_machines ORDER BY created, arn").fetchall()
        return [_machine_row(r) for r in rows]

    def delete_state_machine(self, arn: str) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM state_machines WHERE arn=?", (arn,))
            c.execute("DELETE FROM state_machine_versions WHERE machine_arn=?", (arn,))
            c.execute("DELETE FROM state_machine_aliases WHERE machine_arn=?", (arn,))
            c.execute("DELETE FROM tags WHERE resource_arn=?", (arn,))

    # -- versions and aliases ------------------------------------------------------------------

    def put_version(self, row: dict) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT INTO state_machine_versions (arn, machine_arn, version, definition, role_arn,"
                " revision_id, description, created) VALUES (?,?,?,?,?,?,?,?)",
                (row["arn"], row["machine_arn"], row["version"], row["definition"], row["role_arn"],
                 row["revision_id"], row.get("description"), row["created"]))

    def get_version(self, arn: str) -> dict | None:
        r = self.reader.execute("SELECT * FROM state_machine_versions WHERE arn=?", (arn,)).fetchone()
        return dict(r) if r else None

    def list_versions(self, machine_arn: str) -> list[dict]:
        rows = self.reader.execute("SELECT * FROM state_machine_versions WHERE machine_arn=? "
                                   "ORDER BY version DESC", (machine_arn,)).fetchall()
        return [dict(r) for r in rows]

    def delete_version(self, arn: str) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM state_machine_versions WHERE arn=?", (arn,))

    def put_alias(self, row: dict) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO state_machine_aliases (arn, machine_arn, name, description,"
                " routing, created, updated) VALUES (?,?,?,?,?,?,?)",
                (row["arn"], row["machine_arn"], row["name"], row.get("description"),
                 _json(row["routing"]), row["created"], row.get("updated")))

    def get_alias(self, arn: str) -> dict | None:
        r = self.reader.execute("SELECT * FROM state_machine_aliases WHERE arn=?", (arn,)).fetchone()
        return _alias_row(r)

    def list_aliases(self, machine_arn: str) -> list[dict]:
        rows = self.reader.execute("SELECT * FROM state_machine_aliases WHERE machine_arn=? "
                                   "ORDER BY created", (machine_arn,)).fetchall()
        return [_alias_row(r) for r in rows]

    def delete_alias(self, arn: str) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM state_machine_aliases WHERE arn=?", (arn,))

    # -- executions ----------------------------------------------------------------------------

    def insert_execution(self, c: sqlite3.Connection, row: dict) -> None:
        c.execute(
            "INSERT INTO executions (arn, machine_arn, name, status, input, start_date, definition,"
            " role_arn, seed, version_arn, alias_arn, type, machine_name, trace_header, test_case)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (row["arn"], row["machine_arn"], row["name"], row["status"], row["input"],
             row["start_date"], row["definition"], row["role_arn"], row["seed"],
             row.get("version_arn"), row.get("alias_arn"), row["type"], row["machine_name"],
             row.get("trace_header"), row.get("test_case")))

    def finish_execution(self, c: sqlite3.Connection, arn: str, status: str, output: str | None,
                         error: str | None, cause: str | None, stop_date: float | None) -> None:
        c.execute("UPDATE executions SET status=?, output=?, error=?, cause=?, stop_date=? "
                  "WHERE arn=?", (status, output, error, cause, stop_date, arn))

    def reopen_execution(self, c: sqlite3.Connection, arn: str, redrive_count: int,
                         redrive_date: float, client_token: str | None) -> None:
        """A redriven execution runs again (RedriveExecution, see engine.redrive)."""
        c.execute("UPDATE executions SET status='RUNNING', output=NULL, error=NULL, cause=NULL, "
                  "stop_date=NULL, redrive_count=?, redrive_date=?, redrive_token=? WHERE arn=?",
                  (redrive_count, redrive_date, client_token, arn))

    def get_execution(self, arn: str) -> dict | None:
        r = self.reader.execute("SELECT * FROM executions WHERE arn=?", (arn,)).fetchone()
        return dict(r) if r else None

    def test_case_of(self, arn: str) -> tuple[str, str] | None:
        """(state machine name, test case) of an execution started with a mock test case."""
        r = self.reader.execute("SELECT machine_name, test_case FROM executions WHERE arn=?",
                                (arn,)).fetchone()
        return (r["machine_name"], r["test_case"]) if r and r["test_case"] else None

    def list_executions(self, machine_arn: str | None = None, status: str | None = None,
                        version_arn: str | None = None, alias_arn: str | None = None,
                        after: tuple[float, str] | None = None, limit: int = 100,
                        map_run_arn: str | None = None, redriven: bool | None = None) -> list[dict]:
        """Newest first; ``after`` is the (start_date, arn) of the last row of the previous page;
        ``redriven``: only those redriven at least once (True) or never (False)."""
        where, args = [], []
        if redriven is not None:
            where.append("redrive_count > 0" if redriven else "redrive_count = 0")
        for column, value in (("machine_arn", machine_arn), ("status", status),
                              ("version_arn", version_arn), ("alias_arn", alias_arn),
                              ("map_run_arn", map_run_arn)):
            if value is not None:
                where.append(f"{column}=?")
                args.append(value)
        if after is not None:
            where.append("(start_date < ? OR (start_date = ? AND arn < ?))")
            args += [after[0], after[0], after[1]]
        sql = "SELECT arn, machine_arn, name, status, start_date, stop_date, version_arn, alias_arn," \
              " type, map_run_arn, item_count, redrive_count, redrive_date FROM executions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY start_date DESC, arn DESC LIMIT ?"
        args.append(limit)
        return [dict(r) for r in self.reader.execute(sql, args).fetchall()]

    def running_executions(self) -> list[dict]:
        # a Distributed Map's children run inside their parent: its replay resumes them
        rows = self.reader.execute("SELECT * FROM executions WHERE status='RUNNING' AND "
                                   "map_run_arn IS NULL ORDER BY start_date").fetchall()
        return [dict(r) for r in rows]

    # -- Map Runs and their child executions ----------------------------------------------

    def put_child_executions(self, c: sqlite3.Connection, rows: list[tuple]) -> None:
        """Child executions as they are now (a row is written when the child starts and
        again when it ends); each row has :data:`CHILD_COLUMNS`, in order. A redriven child
        keeps the start date of its first run (its parent's replay made the rows it redrives
        from, at its own time)."""
        c.executemany(
            f"INSERT INTO executions ({', '.join(CHILD_COLUMNS)}, definition, seed)"
            f" VALUES ({','.join('?' * len(CHILD_COLUMNS))},'',0) ON CONFLICT(arn) DO UPDATE SET "
            + ", ".join(f"{column}=excluded.{column}" for column in CHILD_COLUMNS[1:]
                        if column != "start_date")
            + ", start_date=CASE WHEN excluded.redrive_count > 0 THEN executions.start_date"
              " ELSE excluded.start_date END", rows)

    def put_map_runs(self, c: sqlite3.Connection, rows: list[dict]) -> None:
        c.executemany(
            "INSERT OR REPLACE INTO map_runs (arn, execution_arn, machine_arn, root_arn, label,"
            " definition, status, start_date, stop_date, description) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(r["arn"], r["execution_arn"], r["machine_arn"], r["root_arn"], r["label"],
              r["definition"], r["status"], r["start_date"], r.get("stop_date"),
              _json(r["description"]))
             for r in rows])

    def get_map_run(self, arn: str) -> dict | None:
        r = self.reader.execute("SELECT * FROM map_runs WHERE arn=?", (arn,)).fetchone()
        return _map_run_row(r)

    def list_map_runs(self, execution_arn: str, after: tuple[float, str] | None = None,
                      limit: int = 100) -> list[dict]:
        """An execution's Map Runs, newest first; ``after`` as in :meth:`list_executions`."""
        sql, args = "SELECT * FROM map_runs WHERE execution_arn=?", [execution_arn]
        if after is not None:
            sql += " AND (start_date < ? OR (start_date = ? AND arn < ?))"
            args += [after[0], after[0], after[1]]
        args.append(limit)
        rows = self.reader.execute(sql + " ORDER BY start_date DESC, arn DESC LIMIT ?", args)
        return [_map_run_row(r) for r in rows.fetchall()]

    def map_run_children(self, map_run_arn: str, statuses: tuple[str, ...] | None = None
                         ) -> list[dict]:
        """A Map Run's child executions in item order, optionally only those in
        ``statuses`` (e.g. the FAILED, ABORTED and TIMED_OUT ones a redrive runs again)."""
        sql, args = "SELECT * FROM executions WHERE map_run_arn=?", [map_run_arn]
        if statuses:
            sql += f" AND status IN ({','.join('?' * len(statuses))})"
            args += list(statuses)
        rows = self.reader.execute(sql + " ORDER BY item_index", args).fetchall()
        return [dict(r) for r in rows]

    # -- history and inputs --------------------------------------------------------------------

    def append_events(self, c: sqlite3.Connection, arn: str, events: list[Event]) -> None:
        self.append_event_rows(c, [event_row(arn, e) for e in events])

    def append_event_rows(self, c: sqlite3.Connection, rows: list[tuple]) -> None:
        """Events already made rows (:func:`event_row`)."""
        c.executemany(
            "INSERT INTO events (execution_arn, id, previous_id, type, timestamp, details)"
            " VALUES (?,?,?,?,?,?)", rows)

    def events(self, arn: str, after_id: int = 0, limit: int | None = None,
               reverse: bool = False, before_id: int | None = None) -> list[Event]:
        if reverse:
            sql = "SELECT * FROM events WHERE execution_arn=? AND id<? ORDER BY id DESC"
            args: list = [arn, before_id if before_id is not None else 2**62]
        else:
            sql = "SELECT * FROM events WHERE execution_arn=? AND id>? ORDER BY id"
            args = [arn, after_id]
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        rows = self.reader.execute(sql, args).fetchall()
        return [Event(r["id"], r["previous_id"], r["type"], r["timestamp"],
                      json.loads(r["details"]) if r["details"] is not None else None) for r in rows]

    def append_input(self, c: sqlite3.Connection, arn: str, seq: int, kind: str, payload: Any) -> None:
        c.execute("INSERT INTO inputs (execution_arn, seq, kind, payload) VALUES (?,?,?,?)",
                  (arn, seq, kind, _json(payload)))

    def inputs(self, arn: str) -> list[tuple[str, Any]]:
        rows = self.reader.execute("SELECT kind, payload FROM inputs WHERE execution_arn=? "
                                   "ORDER BY seq", (arn,)).fetchall()
        return [(r["kind"], json.loads(r["payload"])) for r in rows]

    # -- activities and tags -------------------------------------------------------------------

    def put_activity(self, arn: str, name: str, created: float) -> None:
        with self.transaction() as c:
            c.execute("INSERT OR IGNORE INTO activities (arn, name, created) VALUES (?,?,?)",
                      (arn, name, created))

    def get_activity(self, arn: str) -> dict | None:
        r = self.reader.execute("SELECT * FROM activities WHERE arn=?", (arn,)).fetchone()
        return dict(r) if r else None

    def list_activities(self) -> list[dict]:
        return [dict(r) for r in self.reader.execute(
            "SELECT * FROM activities ORDER BY created, arn").fetchall()]

    def delete_activity(self, arn: str) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM activities WHERE arn=?", (arn,))
            c.execute("DELETE FROM tags WHERE resource_arn=?", (arn,))

    def tags(self, arn: str) -> dict[str, str]:
        rows = self.reader.execute("SELECT key, value FROM tags WHERE resource_arn=? ORDER BY key",
                                   (arn,)).fetchall()
        return {r["key"]: r["value"] for r in rows}

    def put_tags(self, arn: str, tags: dict[str, str]) -> None:
        with self.transaction() as c:
            c.executemany("INSERT OR REPLACE INTO tags (resource_arn, key, value) VALUES (?,?,?)",
                          [(arn, k, v) for k, v in tags.items()])

    def delete_tags(self, arn: str, keys: list[str]) -> None:
        with self.transaction() as c:
            c.executemany("DELETE FROM tags WHERE resource_arn=? AND key=?", [(arn, k) for k in keys])


#: a child execution's row, as :meth:`Store.put_child_executions` takes it
CHILD_COLUMNS = ("arn", "machine_arn", "name", "status", "input", "output", "error", "cause",
                 "start_date", "stop_date", "role_arn", "type", "machine_name", "map_run_arn",
                 "item_index", "item_count", "redrive_count", "redrive_date")


def event_row(arn: str, e: Event) -> tuple:
    """An event of the execution ``arn`` as the events table stores it."""
    return (arn, e.id, e.previous_id, e.type, e.timestamp, _json(e.details))


def _machine_row(r: sqlite3.Row | None) -> dict | None:
    if r is None:
        return None
    row = dict(r)
    row["config"] = json.loads(row["config"]) if row["config"] else {}
    return row


def _map_run_row(r: sqlite3.Row | None) -> dict | None:
    if r is None:
        return None
    row = dict(r)
    row["description"] = json.loads(row["description"])
    return row


def _alias_row(r: sqlite3.Row | None) -> dict | None:
    if r is None:
        return None
    row = dict(r)
    row["routing"] = json.loads(row["routing"])
    return row
