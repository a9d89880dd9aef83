"""The deadline scheduler: aims at the next deadline, locks exactly once, catches up after downtime."""
from datetime import timedelta

import pytest

from mockloop.extensions import db
from mockloop.models import Round, RoundEvent
from mockloop.scheduler import DeadlineScheduler


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
        return db.session.execute(db.select(RoundEvent.round_id, RoundEvent.at, RoundEvent.recorded_at)
                                  .filter_by(kind="expire")).all()


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
