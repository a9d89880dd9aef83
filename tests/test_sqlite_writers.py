"""The threads of one process take turns to write to SQLite through a lock, not SQLite's sleeping
busy handler (mockloop.db.OneWriterConnection)."""

import itertools
import threading
from pathlib import Path

import pytest

import mockloop.db as database
from mockloop import create_app
from mockloop.db import db


class WatchedLock:
    """The write lock, telling when a thread starts waiting for it."""

    def __init__(self):
        self.lock, self.waited = threading.Lock(), threading.Event()

    def acquire(self, timeout=-1):
        if self.lock.locked():
            self.waited.set()
        return self.lock.acquire(timeout=timeout)

    def release(self):
        self.lock.release()


@pytest.fixture
def engine(tmp_path, monkeypatch):
    monkeypatch.setattr(database, "_WRITER", WatchedLock())
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "DATABASE_URL": None})
    with app.app_context():
        with db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        yield db.engine
        db.engine.dispose()


def test_a_second_writer_waits_for_the_first_to_commit_instead_of_failing(engine):
    first = engine.connect()
    first.exec_driver_sql("INSERT INTO t VALUES (1)")  # SQLite's write lock is taken, uncommitted
    outcome = []

    def second():
        with engine.connect() as conn:
            # SQLite would now fail the write at once rather than wait: only the lock can make it wait.
            conn.exec_driver_sql("PRAGMA busy_timeout=0")
            try:
                conn.exec_driver_sql("INSERT INTO t VALUES (2)")
                conn.commit()
                outcome.append("stored")
            except Exception as exc:  # noqa: BLE001  # the outcome is what the test asserts
                outcome.append(repr(exc))

    thread = threading.Thread(target=second)
    thread.start()
    assert database._WRITER.waited.wait(5), f"the second writer did not wait for the lock: {outcome}"
    assert thread.is_alive() and outcome == []
    first.commit()
    thread.join(5)
    assert outcome == ["stored"]
    assert sorted(first.exec_driver_sql("SELECT x FROM t").scalars()) == [1, 2]
    first.close()


def test_the_lock_is_given_back_however_the_transaction_ends(engine):
    conn = engine.connect()
    raw = conn.connection.dbapi_connection
    assert isinstance(raw, database.OneWriterConnection)
    conn.exec_driver_sql("SELECT count(*) FROM t")
    assert not raw.writing  # reading takes no turn
    for end in (conn.commit, conn.rollback, conn.close):
        if conn.closed:
            conn = engine.connect()
            raw = conn.connection.dbapi_connection
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert raw.writing and database._WRITER.lock.locked()
        end()
        assert not raw.writing and not database._WRITER.lock.locked()


def test_every_nth_write_commit_copies_the_log_into_the_database_once_the_turn_is_given_back(engine, monkeypatch):
    monkeypatch.setattr(database, "_COMMITS", itertools.count(1))
    database_file = Path(engine.url.database)
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0  # not inside a commit
        raw.checkpoint_every = 2
        checkpoints = []
        real = raw.execute
        monkeypatch.setattr(raw, "execute", lambda sql: checkpoints.append(database._WRITER.lock.locked()) or real(sql))
        sizes = []
        for _ in range(2):
            conn.exec_driver_sql("INSERT INTO t VALUES (zeroblob(200000))")
            conn.commit()
            sizes.append(database_file.stat().st_size)
    assert sizes[0] < 200_000 <= sizes[1]  # the first commit's pages stayed in the log, the second copied both
    assert checkpoints == [False]  # once, with the lock free for the next writer
