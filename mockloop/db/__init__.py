"""The database: SQLAlchemy set up with named constraints and SQLite's pragmas (Flask-Migrate is set up
by the app factory for the web app only: the scheduler process has no use for Alembic, which is a
large share of its start-up time, and overdue rounds wait for that start)."""

import itertools
import sqlite3
import threading
from typing import TYPE_CHECKING, Any, cast

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints, so migrations can alter them on SQLite (batch mode) and PostgreSQL alike.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    # db.Model is a declarative base Flask-SQLAlchemy builds at run time, which a type checker cannot
    # follow; models subclass this name, which type-checks as the Base it is built from.
    Model = Base
else:
    Model = db.Model


BUSY_TIMEOUT_S = 10
_WRITER = threading.Lock()  # this process's turn to write to its SQLite database
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_COMMITS = itertools.count(1)  # this process's write commits
CHECKPOINT_EVERY = 100  # write commits between copies of SQLite's log into the database


class OneWriterConnection(sqlite3.Connection):
    """A SQLite connection that waits for its process's write lock at its transaction's first write
    and gives it back when the transaction ends.

    SQLite has one writer at a time. A writer that finds the database taken waits in SQLite's busy
    handler, which sleeps and retries (1, 2, 5, ... 100 ms); that stays the way between processes (the
    scheduler and the web worker). Between the threads of one worker the lock hands the turn over the
    moment the writer commits: with the bench's 8 connections posting rubric submits, the sleeps put
    the submit's p99 at 269 ms; with the lock it was 22-32 ms in four runs (docs/performance.md).

    SQLite's own checkpoints are off: one runs inside the commit that crosses its threshold, with a
    sync to disk, so the writers queued behind the lock would wait for it. Every CHECKPOINT_EVERY-th
    write commit of the process copies the log back after the lock is given back instead
    (checkpoint_every = 0: never; the scheduler checkpoints while it has nothing due).
    """

    writing = False
    checkpoint_every = CHECKPOINT_EVERY

    def take_write_lock(self) -> None:
        if not self.writing:
            if not _WRITER.acquire(timeout=BUSY_TIMEOUT_S):  # as long as SQLite's own wait
                raise sqlite3.OperationalError("database is locked (another thread of this process is writing)")
            self.writing = True

    def _end(self) -> None:
        if self.writing:
            self.writing = False
            _WRITER.release()

    def commit(self) -> None:
        wrote = self.writing
        try:
            super().commit()
        finally:
            self._end()
        if wrote and self.checkpoint_every and next(_COMMITS) % self.checkpoint_every == 0:
            self.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._end()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._end()


@event.listens_for(Engine, "do_connect")
def _one_writer_connections(dialect, _record, _cargs, cparams):
    if dialect.name == "sqlite":
        cparams["factory"] = OneWriterConnection


@event.listens_for(Engine, "before_cursor_execute")
def _wait_to_write(conn, _cursor, statement, _params, _context, _executemany):
    # Every statement passes here: look at its first word only, not a copy of the whole text.
    dbapi_connection = conn.connection.dbapi_connection
    if isinstance(dbapi_connection, OneWriterConnection) and statement[:16].lstrip()[:7].upper().startswith(_WRITES):
        dbapi_connection.take_write_lock()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    # WAL lets readers run beside the one writer; the busy timeout makes writers queue instead of
    # failing with "database is locked" (other processes: see OneWriterConnection); SQLite leaves
    # foreign keys off unless asked.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA wal_autocheckpoint=0")  # OneWriterConnection checkpoints
        cursor.close()


def expire_loaded(model: type, ids) -> None:
    """Rows of `model` changed by a statement that bypassed the ORM (a conditional UPDATE with
    synchronize_session=False): any copy this session has loaded re-reads itself when next used."""
    ids = set(ids)
    for key, obj in list(db.session.identity_map.items()):  # type: ignore[attr-defined]  # (untyped in SQLAlchemy)
        if key[0] is model and key[1][0] in ids:
            db.session.expire(obj)


def dml(statement: Any, params: Any = None) -> CursorResult[Any]:
    """db.session.execute for an INSERT, UPDATE or DELETE, typed as the CursorResult it returns
    (rowcount, inserted_primary_key), which execute()'s annotations leave out."""
    return cast("CursorResult[Any]", db.session.execute(statement, params))
