"""The deadline scheduler: aims at the next deadline, locks exactly once, catches up after downtime."""

from datetime import timedelta

import pytest

from mockloop.db import db
from mockloop.db.models import Round, RoundEvent
from mockloop.scheduler import DeadlineScheduler
from tests.helpers import statements_sent


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


@pytest.fixture
def sched(app):
    s = DeadlineScheduler(app)
    s.scheduler.start(paused=True)  # jobs are inspected and run by hand: no real waiting
    yield s
    s.scheduler.shutdown(wait=False)


def expires(app):
    with app.app_context():
        return db.session.execute(
            db.select(RoundEvent.round_id, RoundEvent.at, RoundEvent.recorded_at).filter_by(kind="expire")
        ).all()


def status(app, rid):
    with app.app_context():
        return db.session.get(Round, rid).status


def test_job_is_aimed_at_the_earliest_deadline_and_locks_when_it_fires(app, api, sched, frozen_clock):
    long_id = api.start(stage="talk", minutes=2).get_json()["id"]
    short_id = api.start(stage="quick", minutes=1).get_json()["id"]
    sched.watch()
    job = sched.scheduler.get_job("lock-due")
    assert job.next_run_time == frozen_clock.current + timedelta(minutes=1)

    frozen_clock.advance(minutes=1)
    job.func()
    assert status(app, short_id) == "locked" and status(app, long_id) == "running"
    assert sched.scheduler.get_job("lock-due").next_run_time == frozen_clock.current + timedelta(minutes=1)


def test_pause_moves_the_job_and_resume_brings_it_back(app, api, sched, frozen_clock):
    rid = api.start(stage="quick", minutes=1).get_json()["id"]
    sched.watch()
    api.call("POST", f"/api/rounds/{rid}/pause")
    sched.watch()
    assert sched.scheduler.get_job("lock-due") is None
    frozen_clock.advance(minutes=5)
    api.call("POST", f"/api/rounds/{rid}/resume")
    api.call("POST", f"/api/rounds/{rid}/extend")
    sched.watch()
    assert sched.scheduler.get_job("lock-due").next_run_time == frozen_clock.current + timedelta(minutes=6)


def test_two_firings_write_one_expire_event(app, api, sched, frozen_clock):
    rid = api.start(stage="quick", minutes=1).get_json()["id"]
    frozen_clock.advance(minutes=1)
    sched.fire()
    sched.fire()
    api.client.get(f"/api/rounds/{rid}/state")  # a request noticing the deadline too
    assert [r for r, *_ in expires(app)] == [rid]


def test_reconcile_locks_rounds_that_ran_out_while_down(app, make_app, api, frozen_clock):
    overdue = api.start(stage="quick", minutes=1).get_json()["id"]
    alive = api.start(stage="talk", minutes=5).get_json()["id"]
    frozen_clock.advance(minutes=3)  # the server was down for three minutes
    scheduler_app = make_app(web=False)  # what `mockloop scheduler` runs: no pages, no prompt content
    assert not scheduler_app.blueprints
    sched = DeadlineScheduler(scheduler_app)
    sched.scheduler.start(paused=True)
    try:
        assert sched.reconcile() == [overdue]
        assert sched.scheduler.get_job("lock-due").next_run_time == frozen_clock.current + timedelta(minutes=2)
    finally:
        sched.scheduler.shutdown(wait=False)
    [(rid, at, recorded)] = expires(app)
    assert rid == overdue and recorded - at == timedelta(minutes=2)  # lock time is the deadline
    assert status(app, alive) == "running"


def test_no_round_is_locked_early(app, api, sched, frozen_clock):
    rid = api.start(stage="quick", minutes=1).get_json()["id"]
    frozen_clock.advance(seconds=59)
    sched.fire()
    assert status(app, rid) == "running"


# -- lost wakeups ---------------------------------------------------------------------------------
# APScheduler can drop the one `lock-due` date job in two ways (BaseScheduler._process_jobs): after
# submitting a date job it removes it by id, and a job that comes due while a run of the same id is
# still going is skipped (max_instances) and then removed the same way. Either way the job aimed from
# inside fire() is gone. These helpers do to the job store exactly what APScheduler would; the
# tests then check that the next watch tick handles what is due all the same.


def removed_after_submission(sched):
    """fire() re-aimed the job during its own run; APScheduler then removes the job by its id."""
    sched.scheduler.remove_job("lock-due")


def skipped_by_max_instances(sched, clock):
    """The re-aimed job came due while fire() was still running: skipped, then removed."""
    job = sched.scheduler.get_job("lock-due")
    clock.current = job.next_run_time
    sched.scheduler.remove_job("lock-due")


def test_a_due_round_is_locked_by_the_next_watch_tick_when_the_reaimed_job_was_removed(app, api, sched, frozen_clock):
    first = api.start(stage="quick", minutes=1).get_json()["id"]
    second = api.start(stage="talk", minutes=2).get_json()["id"]
    sched.watch()
    frozen_clock.advance(minutes=1)
    sched.scheduler.get_job("lock-due").func()  # fire(): locks the first, re-aims at the second
    assert status(app, first) == "locked"
    removed_after_submission(sched)
    frozen_clock.advance(minutes=1, seconds=0.25)
    sched.watch()
    assert status(app, second) == "locked"
    [(_, at, recorded)] = [row for row in expires(app) if row[0] == second]
    assert recorded - at == timedelta(seconds=0.25)  # within one watch interval, not "never"


def test_the_watch_rearms_a_removed_job_before_the_deadline(app, api, sched, frozen_clock):
    api.start(stage="quick", minutes=1)
    api.start(stage="talk", minutes=2)
    sched.watch()
    frozen_clock.advance(minutes=1)
    sched.fire()
    removed_after_submission(sched)
    frozen_clock.advance(seconds=10)
    sched.watch()  # nothing is due yet: the job comes back, so the second lock is on time again
    assert sched.scheduler.get_job("lock-due").next_run_time == frozen_clock.current + timedelta(seconds=50)


def test_a_due_notice_fires_on_the_next_watch_tick_when_max_instances_skipped_the_job(app, api, sched, frozen_clock):
    rid = api.start(stage="quick", minutes=1).get_json()["id"]
    res = api.client.post(
        "/loops/new",
        data={  # round 1 of this loop opens at 12:30: an 'open' notice
            "csrf_token": api.token(),
            "tz": "UTC",
            "start": "2026-05-04T12:30",
            "break": "5",
            "stages": ["quick"],
            "minutes_quick": "1",
            "prompt_quick": "quick-prompt-1",
        },
    )
    assert res.status_code == 302
    sched.watch()
    frozen_clock.advance(minutes=1)
    sched.fire()  # locks the round, re-aims at 12:30
    assert status(app, rid) == "locked"
    skipped_by_max_instances(sched, frozen_clock)
    assert frozen_clock.current.minute == 30 and api.client.get("/api/notices").get_json()["notices"] == []
    frozen_clock.advance(seconds=0.25)
    sched.watch()
    [notice] = api.client.get("/api/notices").get_json()["notices"]
    assert "Round 1 of your loop (Quick prompt 1) is open" in notice["text"]
    assert sched.scheduler.get_job("lock-due") is None  # nothing left to wait for


def test_a_watch_tick_handles_what_is_due_even_if_the_job_still_looks_armed(app, api, sched, frozen_clock):
    # The scheduler thread is late (a busy machine): the job is in the store, in the past, not run yet.
    rid = api.start(stage="quick", minutes=1).get_json()["id"]
    sched.watch()
    frozen_clock.advance(minutes=1, seconds=0.25)
    sched.watch()
    assert status(app, rid) == "locked"
    assert sched.scheduler.get_job("lock-due") is None


def test_a_watch_tick_during_a_firing_stands_aside_and_the_next_one_catches_a_lost_aim(
    app, api, sched, frozen_clock, monkeypatch
):
    from mockloop import scheduler as module

    first = api.start(stage="quick", minutes=1).get_json()["id"]
    second = api.start(stage="talk", minutes=2).get_json()["id"]
    real_lock_due, ticks = module.lifecycle.lock_due, []

    def lock_due_with_a_tick(now, round_id=None):
        ticks.append(sched.watch())  # the watch job comes round while fire() is locking
        return real_lock_due(now, round_id)

    monkeypatch.setattr(module.lifecycle, "lock_due", lock_due_with_a_tick)
    frozen_clock.advance(minutes=1)
    sched.fire()
    monkeypatch.setattr(module.lifecycle, "lock_due", real_lock_due)
    assert ticks and status(app, first) == "locked"
    skipped_by_max_instances(sched, frozen_clock)
    frozen_clock.advance(seconds=0.25)
    sched.watch()
    assert status(app, second) == "locked"


def test_the_schedulers_own_commits_leave_the_log_checkpoint_to_the_watch(app, sched):
    with app.app_context():
        db.engine.dispose()  # connections opened from now on are the scheduler's kind
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(db.text("PRAGMA wal_autocheckpoint")).scalar() == 0  # SQLite's own: off
            assert db.session.connection().connection.dbapi_connection.checkpoint_every == 0  # the web's: off too
        else:  # the SQLite-only setting is not sent to PostgreSQL, whose connections still work
            assert db.session.execute(db.text("SELECT 1")).scalar() == 1
        db.session.remove()


def test_the_watch_checkpoints_only_while_nothing_is_due_for_a_second(app, api, sched, frozen_clock):
    api.start(stage="quick", minutes=1)
    with statements_sent(app) as statements:
        sched.watch()  # the deadline is a minute away
        idle = [s for s in statements if "wal_checkpoint" in s]
        statements.clear()
        frozen_clock.advance(seconds=59, milliseconds=500)
        sched.watch()  # half a second to go: a checkpoint now could make that round late
        near = [s for s in statements if "wal_checkpoint" in s]
    with app.app_context():
        dialect = db.engine.dialect.name
    # PostgreSQL has no log for the watch to copy back: nothing is sent there at all.
    expected = ["PRAGMA wal_checkpoint(PASSIVE)"] if dialect == "sqlite" else []
    assert idle == expected and near == []
