"""Who may see a round: its candidate, its interviewer and its owner; everyone else gets 404."""
from __future__ import annotations

from datetime import datetime

from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from .core import timer
from .extensions import db
from .models import Round, User

CANDIDATE, INTERVIEWER = "candidate", "interviewer"
GUIDE_CLOSED = ("You are the candidate in a round on this prompt that has not ended; "
                "the guide opens when it locks.")


def role_of(rnd: Round, user: User) -> str | None:
    if user.id == rnd.interviewer_id:
        return INTERVIEWER
    if user.id in (rnd.candidate_id, rnd.owner_id):
        return CANDIDATE
    return None


def round_for(round_id: int, user: User, *, details: bool = True) -> Round:
    """The round if `user` takes part in it; 404 otherwise, so strangers cannot learn it exists.

    details: load who sits where and what happened with it, which every page of a round shows; a
    write that needs neither (a rubric submit) skips them, as they cost more than the rest of it.
    """
    options = [joinedload(Round.candidate), joinedload(Round.interviewer), selectinload(Round.events)]
    rnd = db.session.get(Round, round_id, options=options if details else [])
    if rnd is None or role_of(rnd, user) is None:
        abort(404, description="There is no such round, or it is not yours.")
    return rnd


def require_role(rnd: Round, user: User, role: str, what: str) -> None:
    """403 for a participant without the role: they know the round exists, but this is not theirs."""
    if role_of(rnd, user) != role:
        abort(403, description=f"Only the {role} {what}.")


def candidate_prompts(user: User, stage: str, now: datetime) -> set[str]:
    """The prompts of `stage` whose guides are closed to `user`: those of every round they are the
    candidate of (as role_of counts it) that has not ended. A running round past its deadline has
    ended even if nobody has locked it yet."""
    uid = user.id
    as_candidate = (Round.candidate_id == uid) | (
        (Round.owner_id == uid) & (Round.interviewer_id.is_(None) | (Round.interviewer_id != uid)))
    not_ended = Round.status.in_((timer.PLANNED, timer.PAUSED)) | (
        (Round.status == timer.RUNNING) & (Round.deadline_at.is_(None) | (Round.deadline_at > now)))
    return set(db.session.execute(db.select(Round.prompt_slug).distinct()
                                  .where(Round.stage == stage, as_candidate, not_ended)).scalars())


def guide_closed(user: User, stage: str, prompt_slug: str, now: datetime) -> str | None:
    """Why `user` may not read this prompt's interviewer guide now (None: they may). Every place
    that shows a guide asks this, so starting a round as its interviewer cannot open it either."""
    return GUIDE_CLOSED if prompt_slug in candidate_prompts(user, stage, now) else None
