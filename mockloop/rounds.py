"""Rounds in the database: creating them, timer actions, deadline locking and scratchpad saves.

Every write is a conditional UPDATE whose row count says whether it won, so two tabs, two
processes or the scheduler racing a request can never both apply the same change.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, update

from .core import timer
from .core.catalog import Catalog, Prompt
from .core.loop import Stage
from .extensions import db
from .models import Round, RoundEvent, User

SCRATCHPAD_LIMIT = 200_000  # characters; a long take-home write-up fits many times over


class RoundConflict(Exception):
    """The change lost a race or the round no longer allows it (HTTP 409)."""

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message, self.details = message, details


def events_of(rnd: Round) -> list[timer.Event]:
    return [timer.Event(e.kind, e.at, e.minutes) for e in rnd.events]


def state_of(rnd: Round, now: datetime) -> timer.RoundState:
    return timer.round_state([(name, minutes) for name, minutes in rnd.plan], events_of(rnd), now)


TRIAL_MINUTES = 2


def create_round(owner: User, stage: Stage, prompt: Prompt, minutes: int, now: datetime, *,
                 seats: dict[str, User | None] | None = None, start: bool | None = None,
                 scheduled_at: datetime | None = None, trial: bool = False) -> Round:
    """A solo round (seats=None) starts at once unless start=False (a loop's later rounds); a peer
    round waits for its interviewer to start it.

    seats maps "candidate" and "interviewer" to users, None for a seat an invite will fill.
    trial: a TRIAL_MINUTES solo round, shorter than any stage allows, to try the whole flow quickly.
    """
    if trial and (seats is not None or minutes != TRIAL_MINUTES):
        raise ValueError(f"A trial round is a solo round of {TRIAL_MINUTES} minutes.")
    if not trial and not stage.duration.allows(minutes):
        raise ValueError(f"{stage.title} rounds last {stage.duration.min}-{stage.duration.max} minutes.")
    candidate, interviewer = (owner, None) if seats is None else (seats.get("candidate"), seats.get("interviewer"))
    rnd = Round(owner_id=owner.id, candidate_id=candidate.id if candidate else None,
                interviewer_id=interviewer.id if interviewer else None, stage=stage.slug,
                prompt_slug=prompt.slug, prompt_title=prompt.title, minutes=minutes,
                plan=[[p.name, p.minutes] for p in prompt.plan(stage, minutes)], status=timer.PLANNED,
                mode="solo" if seats is None else "peer", created_at=now, scheduled_at=scheduled_at)
    db.session.add(rnd)
    db.session.flush()
    if (seats is None) if start is None else start:
        append_event(rnd, timer.START, now, owner)
    db.session.commit()
    return rnd


def append_event(rnd: Round, kind: str, now: datetime, actor: User | None, minutes: float = 0.0) -> None:
    """Add an event and store the derived status/deadline, if nobody changed the round meanwhile."""
    rnd.events.append(RoundEvent(kind=kind, at=now, recorded_at=now, minutes=minutes,
                                 actor_id=actor.id if actor else None))
    state = state_of(rnd, now)
    won = db.session.execute(
        update(Round).where(Round.id == rnd.id, Round.version == rnd.version)
        .values(status=state.status, lock_reason=state.lock_reason, deadline_at=state.deadline,
                locked_at=state.locked_at, version=Round.version + 1)
        .execution_options(synchronize_session=False)).rowcount
    if not won:
        db.session.rollback()
        raise RoundConflict("The round changed in another tab; reload to see its current state.")
    db.session.flush()


def act(rnd: Round, kind: str, actor: User, now: datetime) -> timer.RoundState:
    """Apply pause, resume, extend, end or start."""
    enforce_deadline(rnd, now)
    try:
        timer.check_action(state_of(rnd, now), kind)
    except timer.TimerError as exc:
        raise RoundConflict(str(exc)) from exc
    append_event(rnd, kind, now, actor, timer.EXTEND_MINUTES if kind == timer.EXTEND else 0.0)
    db.session.commit()
    if rnd.loop_id is not None:
        _moved([rnd.id], now)  # starting, pausing, extending or ending moves the rest of its loop
    return state_of(rnd, now)


def lock_due(now: datetime, round_id: int | None = None) -> list[int]:
    """Lock every running round whose deadline has passed (or just one), each exactly once.

    The UPDATE's returned rows decide who writes the single expire event, whoever gets here first:
    the scheduler, the reconcile step at start, or any request that touches the round.
    """
    stmt = (update(Round).where(Round.status == timer.RUNNING, Round.deadline_at <= now)
            .values(status=timer.LOCKED, lock_reason="time", locked_at=Round.deadline_at, deadline_at=None,
                    version=Round.version + 1)
            .returning(Round.id, Round.locked_at)
            .execution_options(synchronize_session=False))
    if round_id is not None:
        stmt = stmt.where(Round.id == round_id)
    locked = db.session.execute(stmt).all()
    for rid, deadline in locked:
        db.session.add(RoundEvent(round_id=rid, kind=timer.EXPIRE, at=deadline, recorded_at=now))
    db.session.commit()
    ids = [rid for rid, _ in locked]
    if ids:
        _moved(ids, now)
    return ids


def _moved(round_ids: list[int], now: datetime) -> None:
    from .schedule import after_round_change  # schedule builds on this module
    after_round_change(round_ids, now)


def enforce_deadline(rnd: Round, now: datetime) -> None:
    """Lock this round if its time is up, so a lost scheduler job never leaves it open."""
    if rnd.status == timer.RUNNING and rnd.deadline_at is not None and rnd.deadline_at <= now:
        lock_due(now, rnd.id)
        db.session.refresh(rnd)


def next_deadline() -> datetime | None:
    return db.session.execute(db.select(func.min(Round.deadline_at))
                              .where(Round.status == timer.RUNNING)).scalar()


def save_scratchpad(rnd: Round, text: str, base_revision: int, now: datetime) -> int:
    """Store the candidate's text if it was written on top of the latest revision; return the new one."""
    if len(text) > SCRATCHPAD_LIMIT:
        raise ValueError(f"The scratchpad holds at most {SCRATCHPAD_LIMIT:,} characters.")
    won = db.session.execute(
        update(Round).where(Round.id == rnd.id, Round.scratchpad_rev == base_revision,
                            Round.status.in_((timer.RUNNING, timer.PAUSED)),
                            (Round.deadline_at.is_(None)) | (Round.deadline_at > now))
        .values(scratchpad=text, scratchpad_rev=Round.scratchpad_rev + 1, scratchpad_saved_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    db.session.refresh(rnd)
    if won:
        return rnd.scratchpad_rev
    enforce_deadline(rnd, now)
    if rnd.status == timer.LOCKED:
        why = {"ended": "it was ended early", "cancelled": "it was cancelled"}.get(
            rnd.lock_reason, "this save came after the deadline")
        raise RoundConflict(f"The round is locked: {why}. Your earlier saves are kept.",
                            revision=rnd.scratchpad_rev, reason="locked", lock_reason=rnd.lock_reason)
    if rnd.status == timer.PLANNED:
        raise RoundConflict("The round has not started yet.", revision=rnd.scratchpad_rev, reason="planned")
    raise RoundConflict("The scratchpad was changed elsewhere (another tab or device). Reload to see "
                        "the newer text; copy anything you need first.", revision=rnd.scratchpad_rev,
                        reason="stale")


@dataclass(frozen=True)
class PromptFilter:
    tag: str | None = None
    difficulty: int | None = None


def pick_surprise(user: User, stage: Stage, catalog: Catalog, filters: PromptFilter,
                  rng: random.Random | None = None, exclude: set[str] = frozenset()) -> Prompt | None:
    """A random prompt the user has not practiced as candidate; failing that, the least recent one."""
    choices = [p for p in catalog.filter(stage.slug, tag=filters.tag, difficulty=filters.difficulty)
               if p.slug not in exclude]
    if not choices:
        return None
    last_seen = dict(db.session.execute(
        db.select(Round.prompt_slug, func.max(Round.created_at))
        .where(Round.candidate_id == user.id, Round.stage == stage.slug)
        .group_by(Round.prompt_slug)).all())
    unseen = [p for p in choices if p.slug not in last_seen]
    if unseen:
        return (rng or random).choice(unseen)
    return min(choices, key=lambda p: last_seen[p.slug])


_ROUNDS = Round.__table__  # a plain-table statement skips the ORM's bulk-update path
_BUMP = update(_ROUNDS).where(_ROUNDS.c.id == bindparam("round_id")).values(version=_ROUNDS.c.version + 1)


def bump(rnd: Round) -> None:
    """Change the round's state version (and so its ETag) when something beside the timer changed."""
    db.session.execute(_BUMP, {"round_id": rnd.id})
