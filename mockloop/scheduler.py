"""The one scheduler of a deployment: locks rounds at their deadlines and fires notices on time.

It runs in its own process (`mockloop scheduler`, which `mockloop serve` starts beside the web
workers), never inside create_app, so there is exactly one however many web workers run. The
database is the only source of truth: a short watch job reads the earliest running deadline (an
indexed query) and keeps one date job aimed at it; when that job fires it locks everything due.
Web workers therefore need no channel to the scheduler, and a restart loses nothing: the reconcile
step at start locks whatever ran out while it was down.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from . import clock, rounds, schedule
from .extensions import db

log = logging.getLogger(__name__)
WATCH_SECONDS = 0.25  # how soon a new or moved deadline is noticed


class DeadlineScheduler:
    def __init__(self, app: Flask, watch_seconds: float = WATCH_SECONDS):
        self.app = app
        self.watch_seconds = watch_seconds
        self.aimed_at: datetime | None = None
        self._lock = threading.Lock()
        # misfire_grace_time=None: a late job still runs (the default 1 s would silently drop it);
        # coalesce: a backlog of one job runs once.
        self.scheduler = BackgroundScheduler(timezone="UTC", job_defaults={
            "misfire_grace_time": None, "coalesce": True, "max_instances": 1})

    def reconcile(self) -> list[int]:
        """Lock rounds that ran out and fire notices that fell due while nobody was watching."""
        with self.app.app_context():
            locked = rounds.lock_due(clock.now())
            schedule.fire_due(clock.now())
            self._aim(self._next())
            db.session.remove()
        if locked:
            log.info("reconcile locked %d overdue round(s)", len(locked))
        return locked

    @staticmethod
    def _next() -> datetime | None:
        due = [t for t in (rounds.next_deadline(), schedule.next_notice_due()) if t is not None]
        return min(due, default=None)

    def fire(self) -> None:
        """Date job: lock what is due and fire due notices, then aim at the next time."""
        with self.app.app_context():
            rounds.lock_due(clock.now())
            schedule.fire_due(clock.now())
            self._aim(self._next(), force=True)
            db.session.remove()

    def watch(self) -> None:
        with self.app.app_context():
            self._aim(self._next())
            db.session.remove()

    def _aim(self, deadline: datetime | None, force: bool = False) -> None:
        with self._lock:
            if deadline == self.aimed_at and not force:
                return
            self.aimed_at = deadline
            if deadline is None:
                if self.scheduler.get_job("lock-due"):
                    self.scheduler.remove_job("lock-due")
                return
            self.scheduler.add_job(self.fire, "date", run_date=deadline, id="lock-due", replace_existing=True)

    def start(self) -> None:
        self.scheduler.start()
        self.reconcile()
        self.scheduler.add_job(self.watch, "interval", seconds=self.watch_seconds, id="watch",
                               next_run_time=clock.now() + timedelta(seconds=self.watch_seconds))

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
