"""Full loops and bookings: planning form, opening on time, pushes, notices once, no-shows, .ics."""

import html
import re
from datetime import datetime, timedelta, timezone

import icalendar
import pytest

from mockloop.db import db
from mockloop.db.models import LoopPlan, Notice, Round
from mockloop.scheduler import DeadlineScheduler
from mockloop.services import notices
from tests.helpers import csrf_token, signed_up


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


def local(dt):
    return dt.strftime("%Y-%m-%dT%H:%M")


def plan(api, when, brk="5", **extra):
    data = {
        "csrf_token": api.token(),
        "tz": "UTC",
        "start": when,
        "break": brk,
        "stages": ["quick", "talk"],
        "minutes_quick": "1",
        "minutes_talk": "2",
        "prompt_quick": "quick-prompt-1",
        "prompt_talk": "talk-prompt-1",
    }
    data.update(extra)
    return api.client.post("/loops/new", data=data)


def timeline(api, plan_id):
    return api.client.get(f"/api/loops/{plan_id}").get_json()


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"start": "2026-05-04T11:00"}, "The start time is in the past"),
        ({"minutes_talk": "9"}, "Talk: the duration must be 1-5 minutes."),
        ({"break": "1500"}, "Breaks last from 0 minutes to one day."),
        ({"start": "tomorrow"}, "Enter the start as a date and time."),
        ({"stages": []}, "Choose at least one stage."),
        ({"pinned_talk": "2026-05-04T13:00"}, "Round 2 overlaps round 1"),
    ],
)
def test_bad_plans_are_refused_with_the_form_kept(api, frozen_clock, extra, message):
    res = plan(api, "2026-05-04T13:00", **extra)
    page = res.get_data(as_text=True)
    assert res.status_code == 400 and message in page
    assert 'value="2026-05-04T13:00"' in page or "start" in extra


def test_rounds_open_on_time_and_an_overrun_pushes_the_rest(app, api, frozen_clock):
    res = plan(api, "2026-05-04T13:00")
    plan_id = int(res.headers["Location"].rsplit("/", 1)[1])
    tl = timeline(api, plan_id)
    first, second = tl["items"]
    assert first["opens_at"] == "2026-05-04T13:00:00Z" and second["opens_at"] == "2026-05-04T13:06:00Z"
    assert not first["startable"]
    early = api.call("POST", f"/api/rounds/{first['round']}/start")
    assert early.status_code == 409 and "opens at 13:00" in early.get_json()["message"]

    frozen_clock.current = datetime(2026, 5, 4, 13, 2, tzinfo=timezone.utc)  # two minutes late
    assert timeline(api, plan_id)["items"][0]["startable"]
    assert api.call("POST", f"/api/rounds/{second['round']}/start").status_code == 409  # not before round 1
    api.call("POST", f"/api/rounds/{first['round']}/start")
    api.call("POST", f"/api/rounds/{first['round']}/extend")  # and it runs over: 6 minutes in all
    tl = timeline(api, plan_id)
    assert tl["items"][1]["opens_at"] == "2026-05-04T13:13:00Z" and tl["items"][1]["pushed_minutes"] == 7

    frozen_clock.advance(minutes=6)
    api.client.get(f"/api/rounds/{first['round']}/state")  # the deadline passes and the round locks
    tl = timeline(api, plan_id)
    assert tl["done"] == 1 and not tl["items"][1]["startable"]
    with app.app_context():  # the 'open' notice of round 2 moved with the plan
        due = db.session.execute(db.select(Notice.due_at).filter_by(round_id=second["round"], kind="open")).scalar()
    assert due == datetime(2026, 5, 4, 13, 13, tzinfo=timezone.utc)
    frozen_clock.advance(minutes=5)
    assert timeline(api, plan_id)["items"][1]["startable"]


def test_scheduler_fires_the_open_notice_once_and_the_page_shows_it(app, api, frozen_clock):
    plan_id = int(plan(api, "2026-05-04T12:30").headers["Location"].rsplit("/", 1)[1])
    sched = DeadlineScheduler(app)
    sched.scheduler.start(paused=True)
    try:
        sched.watch()
        assert sched.scheduler.get_job("lock-due").next_run_time == datetime(2026, 5, 4, 12, 30, tzinfo=timezone.utc)
        frozen_clock.current = datetime(2026, 5, 4, 12, 30, tzinfo=timezone.utc)
        sched.fire()
        sched.fire()
    finally:
        sched.scheduler.shutdown(wait=False)
    notices = api.client.get("/api/notices").get_json()["notices"]
    assert len(notices) == 1 and "Round 1 of your loop (Quick prompt 1) is open" in notices[0]["text"]
    api.call("POST", f"/api/notices/{notices[0]['id']}/seen")
    assert api.client.get("/api/notices").get_json()["notices"] == []
    assert timeline(api, plan_id)["items"][0]["startable"]


def test_reconcile_fires_notices_that_fell_due_while_down(app, api, frozen_clock):
    plan(api, "2026-05-04T12:30")
    frozen_clock.current = datetime(2026, 5, 4, 14, 0, tzinfo=timezone.utc)
    sched = DeadlineScheduler(app)
    sched.scheduler.start(paused=True)
    try:
        sched.reconcile()
    finally:
        sched.scheduler.shutdown(wait=False)
    assert len(api.client.get("/api/notices").get_json()["notices"]) == 2


def test_cancel_and_move_a_loop(app, api, frozen_clock):
    plan_id = int(plan(api, "2026-05-04T13:00").headers["Location"].rsplit("/", 1)[1])
    res = api.client.post(
        f"/loops/{plan_id}/reschedule", data={"csrf_token": api.token(), "tz": "UTC", "start": "2026-05-05T09:00"}
    )
    assert res.status_code == 302
    assert [i["opens_at"] for i in timeline(api, plan_id)["items"]] == ["2026-05-05T09:00:00Z", "2026-05-05T09:06:00Z"]
    with app.app_context():
        dues = sorted(db.session.execute(db.select(Notice.due_at).where(Notice.kind == "open")).scalars())
    assert dues[0] == datetime(2026, 5, 5, 9, 0, tzinfo=timezone.utc)
    api.client.post(f"/loops/{plan_id}/cancel", data={"csrf_token": api.token()})
    tl = timeline(api, plan_id)
    assert tl["status"] == "cancelled" and {i["lock_reason"] for i in tl["items"]} == {"cancelled"}
    with app.app_context():
        assert db.session.execute(db.select(Notice).where(Notice.fired_at.is_(None))).first() is None


def test_loop_summary_when_all_rounds_are_done(app, api, frozen_clock):
    plan_id = int(plan(api, "2026-05-04T12:01", brk="0").headers["Location"].rsplit("/", 1)[1])
    frozen_clock.current = datetime(2026, 5, 4, 12, 1, tzinfo=timezone.utc)
    for item in timeline(api, plan_id)["items"]:
        frozen_clock.current = datetime.fromisoformat(item["opens_at"].replace("Z", "+00:00"))
        assert api.call("POST", f"/api/rounds/{item['round']}/start").status_code == 200
        api.call("POST", f"/api/rounds/{item['round']}/end")
    page = api.client.get(f"/loops/{plan_id}").get_data(as_text=True)
    assert "Loop summary" in page and "Score it" in page


def booking(app, frozen_clock, times):
    ada, bob = signed_up(app), signed_up(app, "bob@example.com", "Bob")
    token = csrf_token(ada.client, "/stages/quick/start")
    data = {"csrf_token": token, "prompt": "quick-prompt-1", "role": "candidate", "minutes": "1", "tz": "UTC"}
    data.update({f"when_{i}": t for i, t in enumerate(times)})
    rid = int(ada.client.post("/stages/quick/start", data=data).headers["Location"].rsplit("/", 1)[1])
    link = re.search(
        r'id="invite-link" readonly value="http://localhost(/invites/[^"]+)"',
        ada.client.get(f"/rounds/{rid}").get_data(as_text=True),
    ).group(1)
    return ada, bob, rid, link


def test_book_a_peer_round_for_later(app, frozen_clock):
    ada, bob, rid, link = booking(app, frozen_clock, ["2026-05-05T15:00", "2026-05-06T09:30"])
    page = bob.client.get(link).get_data(as_text=True)
    assert 'value="2026-05-05T15:00:00+00:00"' in page and 'value="2026-05-06T09:30:00+00:00"' in page
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link), "when": "2026-05-06T09:30:00+00:00"})
    for api in (ada, bob):
        upcoming = api.client.get("/upcoming").get_data(as_text=True)
        assert 'datetime="2026-05-06T09:30:00+00:00"' in upcoming and "Quick prompt 1" in upcoming
    cal = icalendar.Calendar.from_ical(bob.client.get(f"/rounds/{rid}/calendar.ics").data)
    [event] = cal.walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 5, 6, 9, 30, tzinfo=timezone.utc)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=1)
    assert "Quick prompt 1" in str(event["SUMMARY"]) and f"/rounds/{rid}" in str(event["URL"])


def test_booking_needs_one_of_the_proposed_times(app, frozen_clock):
    _, bob, _, link = booking(app, frozen_clock, ["2026-05-05T15:00"])
    res = bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link), "when": "2030-01-01T00:00:00+00:00"})
    assert res.status_code == 410 and "Pick one of the proposed times" in res.get_data(as_text=True)


def fire_at(app, when, frozen_clock):
    frozen_clock.current = when
    with app.app_context():
        fired = notices.fire_due(when)
        db.session.commit()
        return fired


def test_reminder_ten_minutes_before_and_no_show_after_ten(app, frozen_clock):
    ada, bob, rid, link = booking(app, frozen_clock, ["2026-05-05T15:00"])
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link), "when": "2026-05-05T15:00:00+00:00"})
    start = datetime(2026, 5, 5, 15, 0, tzinfo=timezone.utc)
    assert fire_at(app, start - timedelta(minutes=10, seconds=1), frozen_clock) == []
    assert len(fire_at(app, start - timedelta(minutes=10), frozen_clock)) == 2  # one reminder each
    for api in (ada, bob):
        assert "starts in 10 minutes" in api.client.get("/api/notices").get_json()["notices"][0]["text"]
    frozen_clock.current = start + timedelta(minutes=2)
    ada.client.get(f"/rounds/{rid}")  # Ada joins; Bob never does
    assert len(fire_at(app, start + timedelta(minutes=10), frozen_clock)) == 1
    assert fire_at(app, start + timedelta(minutes=11), frozen_clock) == []  # fired once
    state = ada.client.get(f"/api/rounds/{rid}/state").get_json()
    assert state["status"] == "locked" and state["lock_reason"] == "cancelled"
    with app.app_context():
        assert db.session.get(Round, rid).no_show == "interviewer"
    texts = [n["text"] for n in bob.client.get("/api/notices").get_json()["notices"]]
    assert any("the interviewer did not join" in t for t in texts)


def test_no_show_check_is_quiet_when_both_joined(app, frozen_clock):
    ada, bob, rid, link = booking(app, frozen_clock, ["2026-05-05T15:00"])
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link), "when": "2026-05-05T15:00:00+00:00"})
    frozen_clock.current = datetime(2026, 5, 5, 14, 55, tzinfo=timezone.utc)
    ada.client.get(f"/rounds/{rid}")
    bob.client.get(f"/rounds/{rid}")
    fire_at(app, datetime(2026, 5, 5, 15, 10, tzinfo=timezone.utc), frozen_clock)
    with app.app_context():
        rnd = db.session.get(Round, rid)
        assert rnd.no_show is None and rnd.status == "planned"


def test_moving_a_booking_moves_its_reminders(app, frozen_clock):
    ada, bob, rid, link = booking(app, frozen_clock, ["2026-05-05T15:00"])
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link), "when": "2026-05-05T15:00:00+00:00"})
    ada.client.post(
        f"/rounds/{rid}/reschedule",
        data={"csrf_token": ada.token(), "tz": "America/New_York", "at": "2026-05-07T08:00"},
    )
    with app.app_context():
        dues = sorted(db.session.execute(db.select(Notice.due_at).filter_by(round_id=rid, kind="reminder")).scalars())
        assert db.session.get(Round, rid).scheduled_at == datetime(2026, 5, 7, 12, 0, tzinfo=timezone.utc)  # EDT
    assert dues == [datetime(2026, 5, 7, 11, 50, tzinfo=timezone.utc)] * 2
    with app.app_context():
        assert db.session.execute(db.select(LoopPlan)).first() is None


def test_time_zone_setting_changes_how_times_show(api, frozen_clock):
    plan(api, "2026-05-04T13:00")
    res = api.client.post("/account/timezone", data={"csrf_token": api.token(), "timezone": "Mars/Olympus"})
    assert res.status_code == 400 and "not a time zone name" in res.get_data(as_text=True)
    api.client.post("/account/timezone", data={"csrf_token": api.token(), "timezone": "Europe/Berlin"})
    page = api.client.get("/upcoming").get_data(as_text=True)
    assert "Times in Europe/Berlin" in page and "15:00 CEST" in page  # 13:00 UTC in summer time


# ---------- every date a user types stays within two years ahead ----------


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"start": "9999-12-31T23:00"}, "The start time is more than two years ahead"),
        ({"start": "9999-12-31T23:00", "tz": "America/New_York"}, "The start time is more than two years ahead"),
        ({"start": "2028-05-05T13:00"}, "The start time is more than two years ahead"),
        ({"start": "0001-01-01T00:00", "tz": "Europe/Berlin"}, "The start time is in the past"),
        ({"pinned_talk": "9999-01-01T10:00"}, "Round 2's own start time is more than two years ahead"),
    ],
)
def test_far_plan_dates_are_refused_with_what_was_typed_kept(api, frozen_clock, extra, message):
    res = plan(api, "2026-05-04T13:00", **extra)
    page = html.unescape(res.get_data(as_text=True))
    assert res.status_code == 400 and message in page
    for name in ("start", "pinned_talk"):
        if name in extra:
            assert f'value="{extra[name]}"' in page
    with api.client.application.app_context():
        assert db.session.execute(db.select(LoopPlan)).first() is None


def test_a_loop_two_years_ahead_is_fine(api, frozen_clock):
    assert plan(api, "2028-05-03T13:00").status_code == 302
    assert api.client.get("/upcoming").status_code == 200


def test_moving_a_loop_to_year_9999_is_refused_with_the_time_kept(app, api, frozen_clock):
    plan_id = int(plan(api, "2026-05-04T13:00").headers["Location"].rsplit("/", 1)[1])
    res = api.client.post(
        f"/loops/{plan_id}/reschedule",
        data={"csrf_token": api.token(), "tz": "Asia/Tokyo", "start": "9999-12-31T23:59"},
    )
    page = res.get_data(as_text=True)
    assert res.status_code == 400 and "more than two years ahead" in page and 'value="9999-12-31T23:59"' in page
    assert timeline(api, plan_id)["items"][0]["opens_at"] == "2026-05-04T13:00:00Z"


@pytest.mark.parametrize(
    "typed, message",
    [
        ("9999-12-31T23:59", "Time 2 is more than two years ahead"),
        ("2026-05-04T04:00", "Time 2 is in the past"),  # 11:00 UTC
        ("0001-01-01T00:00", "Time 2 is in the past"),
        ("soon", "Time 2: enter a date and time"),
    ],
)
def test_proposed_booking_times_out_of_range_are_refused_before_the_round_exists(app, frozen_clock, typed, message):
    ada = signed_up(app)
    data = {
        "csrf_token": ada.token(),
        "prompt": "quick-prompt-1",
        "role": "candidate",
        "minutes": "1",
        "tz": "America/Los_Angeles",
        "when_0": "2026-05-05T15:00",
        "when_1": typed,
    }
    res = ada.client.post("/stages/quick/start", data=data)
    page = res.get_data(as_text=True)
    assert res.status_code == 400 and message in page
    assert 'value="2026-05-05T15:00"' in page and f'value="{typed}"' in page and 'value="candidate" checked' in page
    with app.app_context():
        assert db.session.execute(db.select(Round)).first() is None


def test_moving_a_booking_to_year_9999_is_refused_and_upcoming_still_works(app, frozen_clock):
    ada, bob, rid, link = booking(app, frozen_clock, ["2026-05-05T15:00"])
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link), "when": "2026-05-05T15:00:00+00:00"})
    res = ada.client.post(
        f"/rounds/{rid}/reschedule", data={"csrf_token": ada.token(), "tz": "UTC", "at": "9999-12-31T23:00"}
    )
    page = res.get_data(as_text=True)
    assert res.status_code == 400 and "The new time is more than two years ahead" in page
    assert 'value="9999-12-31T23:00"' in page
    for api in (ada, bob):
        assert api.client.get("/upcoming").status_code == 200
        assert api.client.get(f"/rounds/{rid}/calendar.ics").status_code == 200
    with app.app_context():
        assert db.session.get(Round, rid).scheduled_at == datetime(2026, 5, 5, 15, 0, tzinfo=timezone.utc)


def test_calendar_file_escapes_and_folds_any_title(app, frozen_clock):
    """A title with a bare CR, CRLF, LF, RFC 5545 specials and long multi-byte text: every line ends
    in CRLF and none passes 75 octets, and a calendar parser reads the title back exactly."""
    ada, bob, rid, link = booking(app, frozen_clock, ["2026-05-06T09:30"])
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link), "when": "2026-05-06T09:30:00+00:00"})
    title = (
        "Caches, queues; and \\ back\rSUMMARY:injected\r\nDESCRIPTION:also\nend\x07 " + "résumé 設計 🚀 " * 8
    )  # prompt_title holds 200 characters (PostgreSQL enforces it)
    with app.app_context():
        db.session.get(Round, rid).prompt_title = title
        db.session.commit()
    raw = bob.client.get(f"/rounds/{rid}/calendar.ics").data
    assert raw.endswith(b"\r\n")
    lines = raw[:-2].split(b"\r\n")
    for line in lines:
        assert b"\r" not in line and b"\n" not in line, line
        assert len(line) <= 75, (len(line), line)
        line.decode("utf-8")  # a fold never splits a character
    assert sum(line.startswith(b"SUMMARY") for line in lines) == 1
    assert any(line.startswith(b" ") for line in lines)  # the long title was folded
    [event] = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    expected = "Mock interview: " + title.replace("\r\n", "\n").replace("\r", "\n").replace("\x07", "")
    assert str(event["SUMMARY"]) == expected
    assert str(event["DESCRIPTION"]) == f"Open the round: http://localhost/rounds/{rid}"
    assert str(event["URL"]) == f"http://localhost/rounds/{rid}"


def test_a_booking_link_says_how_long_it_really_lasts(app, frozen_clock):
    """A booked round's link stays open until its last proposed time, not 24 hours: the page that
    shows it and the page of the expired link both say so."""
    ada, bob, rid, link = booking(app, frozen_clock, ["2026-05-05T09:00", "2026-05-06T09:30"])  # now: 05-04 12:00
    page = html.unescape(ada.client.get(f"/rounds/{rid}").get_data(as_text=True))
    assert "it works once and expires in 45 hours 30 minutes." in page
    frozen_clock.advance(hours=30)
    page = html.unescape(ada.client.get(f"/rounds/{rid}").get_data(as_text=True))
    assert "expires in 15 hours 30 minutes." in page
    frozen_clock.current = datetime(2026, 5, 6, 9, 30, tzinfo=timezone.utc)
    res = bob.client.get(link)
    assert res.status_code == 410
    assert "expired (the link lasted 45 hours 30 minutes)" in html.unescape(res.get_data(as_text=True))


def test_notice_texts_follow_the_reminder_and_no_show_times(app, frozen_clock, monkeypatch):
    from mockloop.services import bookings

    monkeypatch.setattr(bookings, "REMINDER_BEFORE", timedelta(minutes=15))
    monkeypatch.setattr(bookings, "NO_SHOW_AFTER", timedelta(minutes=20))
    ada, bob, rid, link = booking(app, frozen_clock, ["2026-05-05T15:00"])
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link), "when": "2026-05-05T15:00:00+00:00"})
    start = datetime(2026, 5, 5, 15, 0, tzinfo=timezone.utc)
    assert len(fire_at(app, start - timedelta(minutes=15), frozen_clock)) == 2
    assert "starts in 15 minutes." in ada.client.get("/api/notices").get_json()["notices"][0]["text"]
    [alarm] = icalendar.Calendar.from_ical(ada.client.get(f"/rounds/{rid}/calendar.ics").data).walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(minutes=15)
    assert str(alarm["DESCRIPTION"]) == "Mock round in 15 minutes"
    assert len(fire_at(app, start + timedelta(minutes=20), frozen_clock)) == 1  # nobody joined
    texts = [n["text"] for n in bob.client.get("/api/notices").get_json()["notices"]]
    assert any("did not join within 20 minutes of the start" in t for t in texts), texts


# ---------- one use case, one transaction ----------


def _fail(*_args, **_kwargs):
    raise RuntimeError("the second half of the use case failed")


def _failed(request) -> bool:
    """The request ended in the failure: a 500 answer, or the error itself where the test client passes it on."""
    try:
        return request().status_code == 500
    except RuntimeError:
        return True


def _loop_rounds(app, plan_id):
    with app.app_context():
        rounds = db.session.execute(db.select(Round).filter_by(loop_id=plan_id).order_by(Round.loop_position)).scalars()
        return [(r.status, [e.kind for e in r.events]) for r in rounds]


def test_starting_a_loop_round_keeps_nothing_when_moving_the_loop_fails(app, api, frozen_clock, monkeypatch):
    from mockloop.services import loops

    plan_id = int(plan(api, "2026-05-04T13:00").headers["Location"].rsplit("/", 1)[1])
    first = timeline(api, plan_id)["items"][0]["round"]
    frozen_clock.current = datetime(2026, 5, 4, 13, 0, tzinfo=timezone.utc)
    with monkeypatch.context() as patched:  # a context of its own, so the clock stays frozen after
        patched.setattr(loops, "after_round_change", _fail)
        assert _failed(lambda: api.call("POST", f"/api/rounds/{first}/start"))
    assert _loop_rounds(app, plan_id) == [("planned", []), ("planned", [])]  # the start went with it
    assert api.call("POST", f"/api/rounds/{first}/start").status_code == 200


def test_a_deadline_lock_keeps_nothing_when_moving_the_loop_fails(app, api, frozen_clock, monkeypatch):
    from mockloop.services import loops

    plan_id = int(plan(api, "2026-05-04T13:00").headers["Location"].rsplit("/", 1)[1])
    first = timeline(api, plan_id)["items"][0]["round"]
    frozen_clock.current = datetime(2026, 5, 4, 13, 0, tzinfo=timezone.utc)
    api.call("POST", f"/api/rounds/{first}/start")
    frozen_clock.advance(minutes=3)  # its one minute is long over
    with monkeypatch.context() as patched:
        patched.setattr(loops, "after_round_change", _fail)
        assert _failed(lambda: api.client.get(f"/api/rounds/{first}/state"))
    assert _loop_rounds(app, plan_id) == [("running", ["start"]), ("planned", [])]  # not locked, no expire
    assert api.client.get(f"/api/rounds/{first}/state").get_json()["status"] == "locked"
    assert _loop_rounds(app, plan_id) == [("locked", ["start", "expire"]), ("planned", [])]


def test_planning_a_loop_keeps_nothing_when_a_round_cannot_be_made(app, api, frozen_clock, monkeypatch):
    from mockloop.services import loops

    real, made = loops.create_round, []

    def second_fails(*args, **kwargs):
        made.append(1)
        return _fail() if len(made) == 2 else real(*args, **kwargs)

    monkeypatch.setattr(loops, "create_round", second_fails)
    assert _failed(lambda: plan(api, "2026-05-04T13:00"))
    with app.app_context():  # neither the plan, nor its first round, nor that round's notice
        assert db.session.execute(db.select(db.func.count()).select_from(LoopPlan)).scalar() == 0
        assert db.session.execute(db.select(db.func.count()).select_from(Round)).scalar() == 0
        assert db.session.execute(db.select(db.func.count()).select_from(Notice)).scalar() == 0


def test_accepting_a_booking_keeps_the_seat_free_when_booking_fails(app, frozen_clock, monkeypatch):
    from mockloop.db.models import Invite
    from mockloop.services import bookings

    _, bob, rid, link = booking(app, frozen_clock, ["2026-05-05T15:00"])
    accept = {"csrf_token": csrf_token(bob.client, link), "when": "2026-05-05T15:00:00+00:00"}
    with monkeypatch.context() as patched:
        patched.setattr(bookings, "book", _fail)
        assert _failed(lambda: bob.client.post(link, data=accept))
    with app.app_context():
        rnd = db.session.get(Round, rid)
        assert rnd.interviewer_id is None and rnd.scheduled_at is None
        assert db.session.execute(db.select(Invite.accepted_at).filter_by(round_id=rid)).scalar() is None
    assert bob.client.post(link, data=accept).status_code == 302  # the link still works, and seats Bob
    with app.app_context():
        assert db.session.get(Round, rid).scheduled_at == datetime(2026, 5, 5, 15, 0, tzinfo=timezone.utc)
