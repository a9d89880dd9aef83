"""Storing rounds: creating them, their events and derived state, locking what ran out."""

from __future__ import annotations

import random
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, cast

from sqlalchemy import Table, bindparam, func, update

from mockloop.core import timer
from mockloop.core.errors import Conflict, Invalid
from mockloop.core.vocabulary import Mode, Seat
from mockloop.db import db, dml
from mockloop.db.models import Round, RoundEvent, User

if TYPE_CHECKING:  # the scheduler imports this module and renders no prompt: it need not load the catalog
    from mockloop.core.catalog import Catalog, Prompt
    from mockloop.core.loop import Stage


def events_of(rnd: Round) -> list[timer.Event]:
    return [timer.Event(e.kind, e.at, e.minutes) for e in rnd.events]


def timer_inputs(rnd: Round) -> tuple[list[tuple[str, float]], list[timer.Event]]:
    """What core.timer derives the round's state from: its phase plan and its events."""
    return [(name, minutes) for name, minutes in rnd.plan], events_of(rnd)


def state_of(rnd: Round, now: datetime) -> timer.RoundState:
    return timer.round_state(*timer_inputs(rnd), now)


TRIAL_MINUTES = 2


def create_round(
    owner: User,
    stage: Stage,
    prompt: Prompt,
    minutes: int,
    now: datetime,
    *,
    seats: dict[Seat, User | None] | None = None,
    start: bool | None = None,
    scheduled_at: datetime | None = None,
    trial: bool = False,
) -> Round:
    """A solo round (seats=None) starts at once unless start=False (a loop's later rounds); a peer
    round waits for its interviewer to start it.

    seats maps each Seat to a user, None for a seat an invite will fill.
    trial: a TRIAL_MINUTES solo round, shorter than any stage allows, to try the whole flow quickly.
    """
    if trial and (seats is not None or minutes != TRIAL_MINUTES):
        raise Invalid(f"A trial round is a solo round of {TRIAL_MINUTES} minutes.", field="minutes")
    if not trial and not stage.duration.allows(minutes):
        raise Invalid(f"{stage.title} rounds last {stage.duration.min}-{stage.duration.max} minutes.", field="minutes")
    candidate, interviewer = (
        (owner, None) if seats is None else (seats.get(Seat.CANDIDATE), seats.get(Seat.INTERVIEWER))
    )
    rnd = Round(
        owner_id=owner.id,
        candidate_id=candidate.id if candidate else None,
        interviewer_id=interviewer.id if interviewer else None,
        stage=stage.slug,
        prompt_slug=prompt.slug,
        prompt_title=prompt.title,
        minutes=minutes,
        plan=[[p.name, p.minutes] for p in prompt.phases_for(stage, minutes)],
        status=timer.PLANNED,
        mode=Mode.SOLO if seats is None else Mode.PEER,
        created_at=now,
        scheduled_at=scheduled_at,
    )
    db.session.add(rnd)
    db.session.flush()
    if (seats is None) if start is None else start:
        append_event(rnd, timer.START, now, owner)
    return rnd


def append_event(rnd: Round, kind: str, now: datetime, actor: User | None, minutes: float = 0.0) -> None:
    """Add an event and store the derived status/deadline, if nobody changed the round meanwhile."""
    rnd.events.append(
        RoundEvent(kind=kind, at=now, recorded_at=now, minutes=minutes, actor_id=actor.id if actor else None)
    )
    state = state_of(rnd, now)
    won = dml(
        update(Round)
        .where(Round.id == rnd.id, Round.version == rnd.version)
        .values(
            status=state.status,
            lock_reason=state.lock_reason,
            deadline_at=state.deadline,
            locked_at=state.locked_at,
            version=Round.version + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        db.session.rollback()
        raise Conflict("The round changed in another tab; reload to see its current state.", reason="stale")
    db.session.flush()
    # The UPDATE bypassed the ORM: the loaded round re-reads what it wrote when next used.
    db.session.expire(rnd, ["status", "lock_reason", "deadline_at", "locked_at", "version"])


def next_deadline() -> datetime | None:
    return db.session.execute(db.select(func.min(Round.deadline_at)).where(Round.status == timer.RUNNING)).scalar()


@dataclass(frozen=True)
class PromptFilter:
    tag: str | None = None
    difficulty: int | None = None


def pick_surprise(
    user: User,
    stage: Stage,
    catalog: Catalog,
    filters: PromptFilter,
    rng: random.Random | None = None,
    exclude: AbstractSet[str] = frozenset(),
) -> Prompt | None:
    """A random prompt the user has not practiced as candidate; failing that, the least recent one."""
    choices = [
        p for p in catalog.filter(stage.slug, tag=filters.tag, difficulty=filters.difficulty) if p.slug not in exclude
    ]
    if not choices:
        return None
    last_seen = dict(
        db.session.execute(
            db.select(Round.prompt_slug, func.max(Round.created_at))
            .where(Round.candidate_id == user.id, Round.stage == stage.slug)
            .group_by(Round.prompt_slug)
        ).all()
    )
    unseen = [p for p in choices if p.slug not in last_seen]
    if unseen:
        return (rng or random).choice(unseen)
    return min(choices, key=lambda p: last_seen[p.slug])


_ROUNDS = cast(Table, Round.__table__)  # a plain-table statement skips the ORM's bulk-update path


_BUMP = update(_ROUNDS).where(_ROUNDS.c.id == bindparam("round_id")).values(version=_ROUNDS.c.version + 1)


def bump(rnd: Round) -> None:
    """Change the round's state version (and so its ETag) when something beside the timer changed."""
    db.session.execute(_BUMP, {"round_id": rnd.id})
    db.session.expire(rnd, ["version"])
