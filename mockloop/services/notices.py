"""Notices (a round opening, a reminder, a no-show check): rows with a due time that the scheduler
fires exactly once with a conditional UPDATE, the same way rounds are locked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update

from mockloop.core import timer
from mockloop.core.vocabulary import NoticeKind, Seat, duration_text
from mockloop.db import db, expire_loaded
from mockloop.db.models import Notice, Round, User
from mockloop.services.rounds import append_event


def next_notice_due() -> datetime | None:
    return db.session.execute(db.select(func.min(Notice.due_at)).where(Notice.fired_at.is_(None))).scalar()


def fire_due(now: datetime) -> list[int]:
    """Fire every notice that is due, each exactly once; a no-show check may cancel its round."""
    fired = db.session.execute(
        update(Notice)
        .where(Notice.fired_at.is_(None), Notice.due_at <= now)
        .values(fired_at=now)
        .returning(Notice.id, Notice.kind, Notice.round_id)
        .execution_options(synchronize_session=False)
    ).all()
    expire_loaded(Notice, [n for n, _, _ in fired])
    for notice_id, kind, round_id in fired:
        if kind == NoticeKind.NO_SHOW:
            _check_no_show(db.session.get_one(Notice, notice_id), db.session.get(Round, round_id), now)
    return [n for n, _, _ in fired]


def _check_no_show(notice: Notice, rnd: Round | None, now: datetime) -> None:
    if rnd is None or rnd.status != timer.PLANNED:
        notice.seen_at = now  # the round happened (or was cancelled): nothing to say
        return
    missing = [
        role
        for role, seat, joined in (
            (Seat.CANDIDATE, rnd.candidate_id, rnd.candidate_joined_at),
            (Seat.INTERVIEWER, rnd.interviewer_id, rnd.interviewer_joined_at),
        )
        if seat is None or joined is None
    ]
    if not missing:
        notice.seen_at = now
        return
    assert rnd.scheduled_at is not None  # only a booked round has a no-show check
    rnd.no_show = "both" if len(missing) == 2 else missing[0]
    append_event(rnd, timer.CANCEL, now, None)
    notice.text = (
        f"No-show recorded for {rnd.prompt_title}: the {' and the '.join(missing)} did not join within "
        f"{duration_text(notice.due_at - rnd.scheduled_at)} of the start. "  # due NO_SHOW_AFTER past it
        "The round is cancelled; book another time."
    )
    for user_id in {rnd.candidate_id, rnd.interviewer_id} - {None, notice.user_id}:
        db.session.add(
            Notice(
                user_id=user_id,
                round_id=rnd.id,
                kind=NoticeKind.NO_SHOW_PEER,
                due_at=now,
                fired_at=now,
                text=notice.text,
            )
        )


def unread_notices(user: User) -> list[Notice]:
    return list(
        db.session.execute(
            db.select(Notice)
            .where(Notice.user_id == user.id, Notice.fired_at.is_not(None), Notice.seen_at.is_(None), Notice.text != "")
            .order_by(Notice.fired_at.desc())
            .limit(10)
        ).scalars()
    )
