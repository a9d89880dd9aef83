"""The whiteboard's pen (core/board.py): handing it to the interviewer and back, as round events."""

from __future__ import annotations

from datetime import datetime

from mockloop.core import board, timer
from mockloop.core.errors import Conflict, NotAllowed
from mockloop.core.vocabulary import Mode, Seat
from mockloop.db.models import Round, User
from mockloop.services.lifecycle import enforce_deadline
from mockloop.services.rounds import append_event
from mockloop.services.seats import role_of


def pen_of(rnd: Round) -> Seat:
    return board.pen_holder(e.kind for e in rnd.events)


def hand_pen(rnd: Round, actor: User, to: Seat, now: datetime) -> Seat:
    """Give the pen to `to`: the candidate lends it to the interviewer and takes it back; the
    interviewer can only give it back. Recorded as an event (the state's version moves, so both
    pages learn of it from their next poll). Returns who holds it now."""
    enforce_deadline(rnd, now)
    seat = role_of(rnd, actor)
    if rnd.mode != Mode.PEER or rnd.interviewer_id is None:
        raise Conflict("Only a peer round with an interviewer seated has a pen to hand over.", reason="no_peer")
    if rnd.status not in (timer.RUNNING, timer.PAUSED):
        raise Conflict("The pen changes hands only while the round runs.", reason=rnd.status)
    if to == Seat.INTERVIEWER and seat != Seat.CANDIDATE:
        raise NotAllowed("Only the candidate hands their pen to the interviewer.")
    holder = pen_of(rnd)
    if holder == to:
        return holder  # a second click, or the other page got there first: nothing to record
    append_event(rnd, board.PEN_GIVEN if to == Seat.INTERVIEWER else board.PEN_BACK, now, actor)
    return to
