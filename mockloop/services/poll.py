"""The state poll's read: every open round page asks for its round's state every second or three, and
most answers are "not modified". That answer needs only whether the login is still valid, where the
viewer sits, whether the deadline has passed and the round's version, so it is one narrow statement
on the plain tables (no ORM Session or objects): the login session and the round's seats in one row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, bindparam, select

from mockloop.core import timer
from mockloop.db import db
from mockloop.db.models import LoginSession, Round

_ROUNDS = cast(Table, Round.__table__)
_SESSIONS = cast(Table, LoginSession.__table__)

# A session row that no longer exists (logged out, a password change) gives no row at all; a round
# that does not exist gives one with its columns null. Built once: building it costs more than running it.
_LOOK = (
    select(
        _ROUNDS.c.id,
        _ROUNDS.c.owner_id,
        _ROUNDS.c.candidate_id,
        _ROUNDS.c.interviewer_id,
        _ROUNDS.c.status,
        _ROUNDS.c.deadline_at,
        _ROUNDS.c.version,
    )
    .select_from(_SESSIONS.outerjoin(_ROUNDS, _ROUNDS.c.id == bindparam("round_id")))
    .where(and_(_SESSIONS.c.id == bindparam("session_id"), _SESSIONS.c.user_id == bindparam("user_id")))
)


@dataclass(frozen=True)
class Look:
    """What the poll knows about a round before it answers."""

    owner_id: int
    candidate_id: int | None
    interviewer_id: int | None
    status: str
    deadline_at: datetime | None
    version: int

    def due(self, now: datetime) -> bool:
        """Its time ran out and nobody has locked it yet: the poll must lock it before it answers."""
        return self.status == timer.RUNNING and self.deadline_at is not None and self.deadline_at <= now


class LoggedOut(Exception):
    """The login session the cookie names is gone (or belongs to someone else)."""


def look(round_id: int, user_id: int, session_id: str) -> Look | None:
    """The round as the poll needs it; None if there is no such round. LoggedOut if the login
    session (login_sessions.key_of) no longer exists for that user."""
    # On a pooled connection of its own: the ORM Session around one statement costs more than the
    # statement does, and a 304 needs nothing else from the database.
    with db.engine.connect() as conn:
        row = conn.execute(_LOOK, {"round_id": round_id, "session_id": session_id, "user_id": user_id}).first()
    if row is None:
        raise LoggedOut
    if row.id is None:
        return None
    deadline = row.deadline_at
    return Look(row.owner_id, row.candidate_id, row.interviewer_id, row.status, deadline, row.version)
