"""The interviewer's markers: timestamped words dropped during a peer round ("missed the retry
storm"), pulled into the rubric's evidence when scoring. Like the interviewer's notes they stay the
interviewer's until, after the round, the interviewer shares both with the candidate."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func

from mockloop.core import timer
from mockloop.core.errors import Conflict, Invalid
from mockloop.core.replay import MARKER_LIMIT, MARKERS_PER_ROUND
from mockloop.core.vocabulary import Mode, Seat
from mockloop.db import db
from mockloop.db.models import Round, RoundMarker, User
from mockloop.services import rounds
from mockloop.services.lifecycle import enforce_deadline


def drop(rnd: Round, author: User, text: str, now: datetime) -> RoundMarker:
    """A marker at `now`, while the round runs (or is paused)."""
    text = text.strip()
    if not text:
        raise Invalid("Write a few words for the marker.", field="text")
    if len(text) > MARKER_LIMIT:
        raise Invalid(f"A marker holds at most {MARKER_LIMIT} characters; the notes hold the rest.", field="text")
    enforce_deadline(rnd, now)
    if rnd.mode != Mode.PEER:
        raise Conflict("Markers are for the interviewer of a peer round.", reason="solo")
    if rnd.status not in (timer.RUNNING, timer.PAUSED):
        raise Conflict("Markers are dropped while the round runs.", reason=rnd.status)
    count = db.session.execute(db.select(func.count(RoundMarker.id)).where(RoundMarker.round_id == rnd.id)).scalar_one()
    if count >= MARKERS_PER_ROUND:
        raise Conflict(f"This round already holds {MARKERS_PER_ROUND} markers.", reason="full")
    marker = RoundMarker(round_id=rnd.id, author_id=author.id, at=now, text=text)
    db.session.add(marker)
    db.session.flush()
    return marker


def markers_of(rnd: Round) -> list[RoundMarker]:
    return list(
        db.session.execute(
            db.select(RoundMarker).where(RoundMarker.round_id == rnd.id).order_by(RoundMarker.at, RoundMarker.id)
        ).scalars()
    )


def timed(rnd: Round) -> list[tuple[RoundMarker, float]]:
    """The round's markers, each with the round time (seconds of the clock, pauses left out) it was
    dropped at. Only the events up to each marker count: a later pause, or the end, moves none."""
    plan, events = rounds.timer_inputs(rnd)
    return [(m, timer.elapsed_at(plan, events, m.at)) for m in markers_of(rnd)]


def shared_with(rnd: Round, seat: Seat | None) -> bool:
    """Whether `seat` may see the interviewer's notes and markers: the interviewer always, the
    candidate once the round is locked and the interviewer has shared them."""
    return seat == Seat.INTERVIEWER or (
        seat == Seat.CANDIDATE and rnd.notes_shared and rnd.status == timer.LOCKED and rnd.mode == Mode.PEER
    )


def share(rnd: Round, shared: bool, now: datetime) -> None:
    """Share the notes and markers with the candidate (or stop sharing them), after the round."""
    enforce_deadline(rnd, now)
    if rnd.status != timer.LOCKED:
        raise Conflict("Your notes and markers can be shared once the round is over.", reason=rnd.status)
    rnd.notes_shared = shared
    db.session.flush()
