"""Who sits where in a round, and which interviewer guides are closed to a candidate while their round runs."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import Select

from mockloop.core import timer
from mockloop.core.vocabulary import Seat
from mockloop.db import db
from mockloop.db.models import Round, User

GUIDE_CLOSED = "You are the candidate in a round on this prompt that has not ended; the guide opens when it locks."


class Seated(Protocol):
    """A round, or a narrow row of its seats (the state poll reads no more)."""

    @property
    def owner_id(self) -> int: ...
    @property
    def candidate_id(self) -> int | None: ...
    @property
    def interviewer_id(self) -> int | None: ...


def role_of(rnd: Round, user: User) -> Seat | None:
    return seat_of(rnd, user.id)


def seat_of(rnd: Seated, user_id: int) -> Seat | None:
    if user_id == rnd.interviewer_id:
        return Seat.INTERVIEWER
    if user_id in (rnd.candidate_id, rnd.owner_id):
        return Seat.CANDIDATE
    return None


def rounds_of(user: User) -> Select[Round]:
    """Every round `user` takes part in (candidate, interviewer or owner: whoever role_of seats), as
    a select to refine with filters, an order and a limit."""
    return db.select(Round).where(
        (Round.candidate_id == user.id) | (Round.interviewer_id == user.id) | (Round.owner_id == user.id)
    )


def candidate_prompts(user: User, stage: str, now: datetime) -> set[str]:
    """The prompts of `stage` whose guides are closed to `user`: those of every round they are the
    candidate of (as role_of counts it) that has not ended. A running round past its deadline has
    ended even if nobody has locked it yet."""
    uid = user.id
    as_candidate = (Round.candidate_id == uid) | (
        (Round.owner_id == uid) & (Round.interviewer_id.is_(None) | (Round.interviewer_id != uid))
    )
    not_ended = Round.status.in_((timer.PLANNED, timer.PAUSED)) | (
        (Round.status == timer.RUNNING) & (Round.deadline_at.is_(None) | (Round.deadline_at > now))
    )
    return set(
        db.session.execute(
            db.select(Round.prompt_slug).distinct().where(Round.stage == stage, as_candidate, not_ended)
        ).scalars()
    )


def guide_closed(user: User, stage: str, prompt_slug: str, now: datetime) -> str | None:
    """Why `user` may not read this prompt's interviewer guide now (None: they may). Every place
    that shows a guide asks this, so starting a round as its interviewer cannot open it either."""
    return GUIDE_CLOSED if prompt_slug in candidate_prompts(user, stage, now) else None
