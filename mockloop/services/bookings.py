"""Booked peer rounds: a time for both seats, reminders, joining, the Upcoming list and the .ics file."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from mockloop.core import timer
from mockloop.core.vocabulary import NoticeKind, duration_text
from mockloop.db import db
from mockloop.db.models import Notice, Round, User
from mockloop.services.loops import _no_breaks, ics_fold, ics_text
from mockloop.services.seats import rounds_of

REMINDER_BEFORE = timedelta(minutes=10)


NO_SHOW_AFTER = timedelta(minutes=10)


JOIN_WINDOW = timedelta(minutes=15)  # opening the round this long before its time counts as joining


def book(rnd: Round, at: datetime) -> None:
    """Fix a peer round's time: reminders for both seats and a no-show check after the start."""
    rnd.scheduled_at = at
    db.session.execute(db.delete(Notice).where(Notice.round_id == rnd.id, Notice.fired_at.is_(None)))
    for user_id in {rnd.candidate_id, rnd.interviewer_id} - {None}:
        db.session.add(
            Notice(
                user_id=user_id,
                round_id=rnd.id,
                kind=NoticeKind.REMINDER,
                due_at=at - REMINDER_BEFORE,
                text=f"Your mock round ({rnd.prompt_title}) starts in {duration_text(REMINDER_BEFORE)}.",
            )
        )
    db.session.add(Notice(user_id=rnd.owner_id, round_id=rnd.id, kind=NoticeKind.NO_SHOW, due_at=at + NO_SHOW_AFTER))


def mark_joined(rnd: Round, user: User, now: datetime) -> None:
    if rnd.scheduled_at is None or now < rnd.scheduled_at - JOIN_WINDOW:
        return
    column = "interviewer_joined_at" if user.id == rnd.interviewer_id else "candidate_joined_at"
    if getattr(rnd, column) is None:
        db.session.execute(
            update(Round).where(Round.id == rnd.id, getattr(Round, column).is_(None)).values({column: now})
        )
        db.session.refresh(rnd)


def upcoming(user: User, now: datetime) -> list[Round]:
    return list(
        db.session.execute(
            rounds_of(user)
            .where(
                Round.status == timer.PLANNED,
                Round.scheduled_at.is_not(None),
                Round.scheduled_at >= now - timedelta(hours=2),
            )
            .order_by(Round.scheduled_at)
            .limit(50)
        ).scalars()
    )


def ics(rnd: Round, url: str, now: datetime) -> str:
    """An iCalendar file for one round (RFC 5545: CRLF lines, UTC times, escaped text, folded lines)."""

    def stamp(value: datetime) -> str:
        return value.strftime("%Y%m%dT%H%M%SZ")

    assert rnd.scheduled_at is not None  # only a booked round has a calendar file

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//mockloop//mock interview practice//EN",
        "BEGIN:VEVENT",
        f"UID:{ics_text(rnd.uid)}@mockloop",
        f"DTSTAMP:{stamp(now)}",
        f"DTSTART:{stamp(rnd.scheduled_at)}",
        f"DTEND:{stamp(rnd.scheduled_at + timedelta(minutes=rnd.minutes))}",
        f"SUMMARY:{ics_text('Mock interview: ' + rnd.prompt_title)}",
        f"DESCRIPTION:{ics_text('Open the round: ' + url)}",
        f"URL:{_no_breaks(url)}",
        "BEGIN:VALARM",
        f"TRIGGER:-PT{REMINDER_BEFORE // timedelta(minutes=1)}M",
        "ACTION:DISPLAY",
        f"DESCRIPTION:Mock round in {duration_text(REMINDER_BEFORE)}",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(ics_fold(line) for line in lines)
