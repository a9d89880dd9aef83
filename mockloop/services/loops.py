"""Loop plans: a user's scheduled run through the stages, whose later rounds move as earlier ones run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from mockloop.core import timeline, timer
from mockloop.core.catalog import Prompt
from mockloop.core.errors import Conflict, Invalid
from mockloop.core.loop import Loop
from mockloop.core.vocabulary import NoticeKind
from mockloop.db import db
from mockloop.db.models import LoopPlan, Notice, Round, User
from mockloop.services.rounds import append_event, create_round, state_of


@dataclass
class LoopItem:
    stage: str
    prompt: Prompt
    minutes: int
    pinned_at: datetime | None = None


def _slots(rounds: list[Round], now: datetime) -> list[timeline.Slot]:
    slots = []
    for rnd in rounds:
        state = state_of(rnd, now)
        started = next((e.at for e in rnd.events if e.kind == timer.START), None)
        ends = state.locked_at if state.status == timer.LOCKED else state.deadline
        slots.append(
            timeline.Slot(
                rnd.minutes, rnd.scheduled_at if rnd.pinned else None, started, ends, state.status == timer.LOCKED
            )
        )
    return slots


def plan_loop(
    owner: User, loop: Loop, items: list[LoopItem], start_at: datetime, break_minutes: int, now: datetime
) -> LoopPlan:
    """Create the plan and its rounds (not started), with an 'open' notice at each round's time."""
    slots = [timeline.Slot(i.minutes, i.pinned_at) for i in items]
    plan = LoopPlan(owner_id=owner.id, start_at=start_at, break_minutes=break_minutes, created_at=now)
    db.session.add(plan)
    db.session.flush()
    for position, (item, (opens, _)) in enumerate(zip(items, timeline.original_plan(start_at, break_minutes, slots))):
        stage = loop.stage(item.stage)
        if stage is None:
            raise Invalid(f"There is no stage {item.stage!r} in this loop.", field="stage")
        rnd = create_round(owner, stage, item.prompt, item.minutes, now, start=False, scheduled_at=opens)
        rnd.loop_id, rnd.loop_position, rnd.pinned = plan.id, position, item.pinned_at is not None
        db.session.add(
            Notice(
                user_id=owner.id,
                round_id=rnd.id,
                kind=NoticeKind.OPEN,
                due_at=opens,
                text=f"Round {position + 1} of your loop ({rnd.prompt_title}) is open: start it when ready.",
            )
        )
    return plan


def loop_timeline(plan: LoopPlan, now: datetime) -> list[tuple[Round, timeline.Planned]]:
    rounds = list(plan.rounds)
    return list(zip(rounds, timeline.timeline(plan.start_at, plan.break_minutes, _slots(rounds, now), now)))


def can_start(rnd: Round, now: datetime) -> str | None:
    """Why a loop round may not start yet (None when it may)."""
    if rnd.loop_id is None:
        return None
    plan = db.session.get_one(LoopPlan, rnd.loop_id)
    position = rnd.loop_position or 0  # every round of a loop has one
    for other, planned in loop_timeline(plan, now):
        if (other.loop_position or 0) < position and other.status != timer.LOCKED and not other.pinned:
            return "Finish the round before this one first."
        if other.id == rnd.id and planned.opens_at > now:
            return f"This round opens at {planned.opens_at:%H:%M} UTC."
    return None


def replan(plan: LoopPlan, now: datetime) -> None:
    """Move the unfired 'open' notices of rounds not started yet to their current times."""
    for rnd, planned in loop_timeline(plan, now):
        if rnd.status == timer.PLANNED:
            db.session.execute(
                update(Notice)
                .where(Notice.round_id == rnd.id, Notice.kind == NoticeKind.OPEN, Notice.fired_at.is_(None))
                .values(due_at=planned.opens_at)
            )


def after_round_change(round_ids: list[int], now: datetime) -> None:
    """A round locked or ended: later rounds of its loop may move."""
    plan_ids = {
        pid
        for (pid,) in db.session.execute(
            db.select(Round.loop_id).where(Round.id.in_(round_ids), Round.loop_id.is_not(None))
        )
    }
    for pid in plan_ids:
        replan(db.session.get_one(LoopPlan, pid), now)


def cancel_round(rnd: Round, actor: User, now: datetime) -> None:
    if rnd.status != timer.PLANNED:
        raise Conflict("Only a round that has not started can be cancelled.", reason="started")
    append_event(rnd, timer.CANCEL, now, actor)
    db.session.execute(
        update(Notice).where(Notice.round_id == rnd.id, Notice.fired_at.is_(None)).values(fired_at=now, seen_at=now)
    )  # nothing left to remind anyone of


def cancel_loop(plan: LoopPlan, actor: User, now: datetime) -> int:
    count = 0
    for rnd in plan.rounds:
        if rnd.status == timer.PLANNED:
            cancel_round(rnd, actor, now)
            count += 1
    plan.status = "cancelled"
    return count


def reschedule_loop(plan: LoopPlan, start_at: datetime, now: datetime) -> None:
    """Move the loop to a new start; rounds already started keep their history."""
    if any(r.status != timer.PLANNED for r in plan.rounds if not r.pinned):
        raise Conflict("This loop has begun; cancel it and plan a new one instead.", reason="started")
    plan.start_at = start_at
    slots = [timeline.Slot(r.minutes, r.scheduled_at if r.pinned else None) for r in plan.rounds]
    for rnd, (opens, _) in zip(plan.rounds, timeline.original_plan(start_at, plan.break_minutes, slots)):
        rnd.scheduled_at = opens
    replan(plan, now)


def _no_breaks(value: str) -> str:
    # A URL value is not TEXT (no escapes), but a line break or control character in it would end the line.
    return "".join(ch for ch in value if ch >= " " and ch != "\x7f")


def ics_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, every line break
    (CRLF, a bare CR or LF) as \\n; other control characters, which TEXT may not hold, dropped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return "".join(ch for ch in value if ch == "\t" or (ch >= " " and ch != "\x7f"))


def ics_fold(line: str, limit: int = 75) -> str:
    """One content line, CRLF-terminated, folded (CRLF and a space) so no line passes `limit` octets;
    a fold never splits a UTF-8 character (RFC 5545 3.1)."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append("".join(current))
            current, size = [" "], 1  # the continuation's leading space counts toward its octets
        current.append(ch)
        size += width
    out.append("".join(current))
    return "\r\n".join(out) + "\r\n"
