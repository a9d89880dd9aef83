"""A round's life as a participant drives it (start, pause, resume, extend, end, the lock at the
deadline), moving the rest of its loop as it goes."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert, update

from mockloop.core import timer
from mockloop.db import db, expire_loaded
from mockloop.db.models import Round, RoundEvent, User
from mockloop.services.rounds import append_event, state_of

_EVENTS = cast(Table, RoundEvent.__table__)  # a plain-table INSERT skips the unit of work


def act(rnd: Round, kind: str, actor: User, now: datetime) -> timer.RoundState:
    """Apply pause, resume, extend, end or start."""
    enforce_deadline(rnd, now)
    timer.check_action(state_of(rnd, now), kind)  # Conflict when the status does not allow it
    append_event(rnd, kind, now, actor, timer.EXTEND_MINUTES if kind == timer.EXTEND else 0.0)
    if rnd.loop_id is not None:
        _moved([rnd.id], now)  # starting, pausing, extending or ending moves the rest of its loop
    return state_of(rnd, now)


def lock_due(now: datetime, round_id: int | None = None) -> list[int]:
    """Lock every running round whose deadline has passed (or just one), each exactly once.

    The UPDATE's returned rows decide who writes the single expire event, whoever gets here first:
    the scheduler, the reconcile step at start, or any request that touches the round.
    """
    stmt = (
        update(Round)
        .where(Round.status == timer.RUNNING, Round.deadline_at <= now)
        .values(
            status=timer.LOCKED,
            lock_reason="time",
            locked_at=Round.deadline_at,
            deadline_at=None,
            version=Round.version + 1,
        )
        .returning(Round.id, Round.locked_at)
        .execution_options(synchronize_session=False)
    )
    if round_id is not None:
        stmt = stmt.where(Round.id == round_id)
    locked = db.session.execute(stmt).all()
    if locked:  # one INSERT for them all: the scheduler may lock a thousand at once after a restart
        db.session.execute(
            insert(_EVENTS),
            [
                {"round_id": rid, "kind": timer.EXPIRE, "at": deadline, "recorded_at": now, "minutes": 0.0}
                for rid, deadline in locked
            ],
        )
    db.session.flush()
    ids = [rid for rid, _ in locked]
    if ids:
        expire_loaded(Round, ids)  # their events were added beside any loaded collection, too
        _moved(ids, now)
    return ids


def _moved(round_ids: list[int], now: datetime) -> None:
    from mockloop.services.loops import (
        after_round_change,  # schedule builds on this module
    )

    after_round_change(round_ids, now)


def enforce_deadline(rnd: Round, now: datetime) -> None:
    """Lock this round if its time is up, so a lost scheduler job never leaves it open."""
    if rnd.status == timer.RUNNING and rnd.deadline_at is not None and rnd.deadline_at <= now:
        lock_due(now, rnd.id)
        db.session.refresh(rnd)
