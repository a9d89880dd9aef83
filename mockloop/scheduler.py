"""The one scheduler of a deployment: locks rounds at their deadlines and fires notices on time.

It runs in its own process (`mockloop scheduler`, which `mockloop serve` starts beside the web
workers), never inside create_app, so there is exactly one however many web workers run. The
database is the only source of truth, so web workers need no channel to the scheduler and a
restart loses nothing (the reconcile step at start handles whatever fell due while it was down).

Every 0.25 s a watch job locks and fires whatever is already due itself (unless a run of the date
job is doing just that), then makes sure the one `lock-due` date job that APScheduler really holds
is aimed at the next due time: it looks the job up rather than trusting what it last asked for.
The date job is only there for punctuality: if APScheduler drops it (a date job is removed by id
once submitted; `max_instances` skips one that comes due while another run goes on), nothing
stalls, the next watch tick does its work.

On SQLite the scheduler's own commits never checkpoint the write-ahead log: a checkpoint of a
thousand pages takes tens of milliseconds, which, run inside a pass, made every round due meanwhile
late. The watch checkpoints instead, when nothing is due for a while (web workers' commits still
checkpoint every CHECKPOINT_EVERY write commits, see mockloop.db).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import event

from mockloop import clock
from mockloop.db import OneWriterConnection, db
from mockloop.services import lifecycle, notices, rounds

log = logging.getLogger(__name__)
WATCH_SECONDS = 0.25  # how soon a new or moved deadline is noticed
IDLE_SECONDS = 1.0  # the watch checkpoints SQLite's log only when nothing is due sooner than this


def _no_checkpoints(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, OneWriterConnection):
        dbapi_connection.checkpoint_every = 0


class DeadlineScheduler:
    def __init__(self, app: Flask, watch_seconds: float = WATCH_SECONDS):
        self.app = app
        self.watch_seconds = watch_seconds
        # One handler at a time: runs of the date job queue up behind each other (in-process, cheaper
        # than SQLite's busy waits), and the watch stands aside while one of them is handling.
        self._busy = threading.Lock()
        # misfire_grace_time=None: a late job still runs (the default 1 s would silently drop it);
        # coalesce: a backlog of one job runs once.
        self.scheduler = BackgroundScheduler(
            timezone="UTC", job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
        )
        with app.app_context():
            if not event.contains(db.engine, "connect", _no_checkpoints):
                event.listen(db.engine, "connect", _no_checkpoints)

    def reconcile(self) -> list[int]:
        """Lock rounds that ran out and fire notices that fell due while nobody was watching."""
        with self._busy, self.app.app_context():
            locked, upcoming = self._handle_due()
            self._arm(upcoming)
            db.session.remove()
        if locked:
            log.info("reconcile locked %d overdue round(s)", len(locked))
        return locked

    @staticmethod
    def _next() -> datetime | None:
        due = [t for t in (rounds.next_deadline(), notices.next_notice_due()) if t is not None]
        return min(due, default=None)

    def _handle_due(self) -> tuple[list[int], datetime | None]:
        """Lock every round and fire every notice that is due; return the rounds locked and the next
        due time. Passes repeat while something is due: a pass takes time, and a locked round can
        move its loop's notices to now."""
        locked: list[int] = []
        for _ in range(100):  # bounded all the same; anything left is the next watch tick's
            now = clock.now()
            locked += lifecycle.lock_due(now)
            notices.fire_due(now)
            db.session.commit()  # one transaction a pass: the locks, the loops they moved, the notices
            upcoming = self._next()
            if upcoming is None or upcoming > clock.now():
                break
        return locked, upcoming

    def fire(self) -> None:
        """Date job: handle what is due, then aim at the next time (for punctuality only: if this
        aim is lost, the watch notices within one interval)."""
        with self._busy, self.app.app_context():
            self._arm(self._handle_due()[1])
            db.session.remove()

    def watch(self) -> None:
        """Interval job: handle anything already due, and re-arm the date job if it is missing or
        aimed elsewhere. Whatever became of the date job, nothing waits longer than one interval."""
        if not self._busy.acquire(blocking=False):
            return  # a date job is handling what is due right now, and aims at the next time itself
        try:
            with self.app.app_context():
                upcoming = self._next()
                if upcoming is not None and upcoming <= clock.now():
                    upcoming = self._handle_due()[1]
                self._arm(upcoming)
                db.session.remove()
                if upcoming is None or upcoming - clock.now() > timedelta(seconds=IDLE_SECONDS):
                    self._checkpoint()
        finally:
            self._busy.release()

    @staticmethod
    def _checkpoint() -> None:
        """Copy SQLite's log back into the database while nothing is due (cheap when it is empty)."""
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def _arm(self, at: datetime | None) -> None:
        """Make the `lock-due` job APScheduler holds (not the one last asked for) run at `at`."""
        job = self.scheduler.get_job("lock-due")
        if at is None:
            if job is not None:
                self.scheduler.remove_job("lock-due")
        elif job is None or job.next_run_time != at:
            # max_instances > 1: a job aimed from inside a run may come due before that run has
            # returned; it then waits for `_busy` instead of being skipped.
            self.scheduler.add_job(
                self.fire, "date", run_date=at, id="lock-due", replace_existing=True, max_instances=4
            )

    def start(self) -> None:
        self.scheduler.start()
        self.reconcile()
        self.scheduler.add_job(
            self.watch,
            "interval",
            seconds=self.watch_seconds,
            id="watch",
            next_run_time=clock.now() + timedelta(seconds=self.watch_seconds),
        )

    def shutdown(self) -> None:
        self.scheduler.shutdown(wait=True)


def run_forever(app: Flask, parent_pid: int | None = None) -> None:
    """`mockloop scheduler`: run until SIGTERM/SIGINT, or until the parent serve process is gone."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    sched = DeadlineScheduler(app)
    sched.start()
    print("mockloop scheduler is running", flush=True)
    while not stop.wait(1.0):
        if parent_pid is not None and os.getppid() != parent_pid:
            break  # orphaned (the serve process was killed): a restart will start a new scheduler
    sched.shutdown()
