"""Scheduled practice: loop plans, booked peer rounds, and the notices the scheduler fires.

Notices (a round opening, a reminder, a no-show check) are rows with a due time; the scheduler
fires each exactly once with a conditional UPDATE, the same way rounds are locked, so restarts and
several processes change nothing. The database stays the source of truth: moving a plan moves the
rows, and the scheduler's watch job follows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update

from .core import planning, timer
from .core.catalog import Prompt
from .core.loop import Loop
from .extensions import db
from .models import LoopPlan, Notice, Round, User
from .rounds import RoundConflict, append_event, create_round, state_of

REMINDER_BEFORE = timedelta(minutes=10)
NO_SHOW_AFTER = timedelta(minutes=10)
JOIN_WINDOW = timedelta(minutes=15)  # opening the round this long before its time counts as joining


@dataclass
class LoopItem:
    stage: str
    prompt: Prompt
    minutes: int
    pinned_at: datetime | None = None


def _slots(rounds: list[Round], now: datetime) -> list[planning.Slot]:
    slots = []
    for rnd in rounds:
        state = state_of(rnd, now)
        started = next((e.at for e in rnd.events if e.kind == timer.START), None)
        ends = state.locked_at if state.status == timer.LOCKED else state.deadline
        slots.append(planning.Slot(rnd.minutes, rnd.scheduled_at if rnd.pinned else None, started, ends,
                                   state.status == timer.LOCKED))
    return slots


def plan_loop(owner: User, loop: Loop, items: list[LoopItem], start_at: datetime, break_minutes: int,
              now: datetime) -> LoopPlan:
    """Create the plan and its rounds (not started), with an 'open' notice at each round's time."""
    slots = [planning.Slot(i.minutes, i.pinned_at) for i in items]
    plan = LoopPlan(owner_id=owner.id, start_at=start_at, break_minutes=break_minutes, created_at=now)
    db.session.add(plan)
    db.session.flush()
    for position, (item, (opens, _)) in enumerate(zip(items, planning.original_plan(start_at, break_minutes, slots))):
        rnd = create_round(owner, loop.stage(item.stage), item.prompt, item.minutes, now, start=False,
                           scheduled_at=opens)
        rnd.loop_id, rnd.loop_position, rnd.pinned = plan.id, position, item.pinned_at is not None
        db.session.add(Notice(user_id=owner.id, round_id=rnd.id, kind="open", due_at=opens,
                              text=f"Round {position + 1} of your loop ({rnd.prompt_title}) is open: start it when ready."))
    db.session.commit()
    return plan


def loop_timeline(plan: LoopPlan, now: datetime) -> list[tuple[Round, planning.Planned]]:
    rounds = list(plan.rounds)
    return list(zip(rounds, planning.timeline(plan.start_at, plan.break_minutes, _slots(rounds, now), now)))


def can_start(rnd: Round, now: datetime) -> str | None:
    """Why a loop round may not start yet (None when it may)."""
    if rnd.loop_id is None:
        return None
    plan = db.session.get(LoopPlan, rnd.loop_id)
    for other, planned in loop_timeline(plan, now):
        if other.loop_position < rnd.loop_position and other.status != timer.LOCKED and not other.pinned:
            return "Finish the round before this one first."
        if other.id == rnd.id and planned.opens_at > now:
            return f"This round opens at {planned.opens_at:%H:%M} UTC."
    return None


def replan(plan: LoopPlan, now: datetime) -> None:
    """Move the unfired 'open' notices of rounds not started yet to their current times."""
    for rnd, planned in loop_timeline(plan, now):
        if rnd.status == timer.PLANNED:
            db.session.execute(update(Notice).where(Notice.round_id == rnd.id, Notice.kind == "open",
                                                    Notice.fired_at.is_(None)).values(due_at=planned.opens_at))
    db.session.commit()


def after_round_change(round_ids: list[int], now: datetime) -> None:
    """A round locked or ended: later rounds of its loop may move."""
    plan_ids = {pid for (pid,) in db.session.execute(
        db.select(Round.loop_id).where(Round.id.in_(round_ids), Round.loop_id.is_not(None)))}
    for pid in plan_ids:
        replan(db.session.get(LoopPlan, pid), now)


def cancel_round(rnd: Round, actor: User, now: datetime) -> None:
    if rnd.status != timer.PLANNED:
        raise RoundConflict("Only a round that has not started can be cancelled.")
    append_event(rnd, timer.CANCEL, now, actor)
    db.session.execute(update(Notice).where(Notice.round_id == rnd.id, Notice.fired_at.is_(None))
                       .values(fired_at=now, seen_at=now))  # nothing left to remind anyone of
    db.session.commit()


def cancel_loop(plan: LoopPlan, actor: User, now: datetime) -> int:
    count = 0
    for rnd in plan.rounds:
        if rnd.status == timer.PLANNED:
            cancel_round(rnd, actor, now)
            count += 1
    plan.status = "cancelled"
    db.session.commit()
    return count


def reschedule_loop(plan: LoopPlan, start_at: datetime, now: datetime) -> None:
    """Move the loop to a new start; rounds already started keep their history."""
    if any(r.status != timer.PLANNED for r in plan.rounds if not r.pinned):
        raise RoundConflict("This loop has begun; cancel it and plan a new one instead.")
    plan.start_at = start_at
    slots = [planning.Slot(r.minutes, r.scheduled_at if r.pinned else None) for r in plan.rounds]
    for rnd, (opens, _) in zip(plan.rounds, planning.original_plan(start_at, plan.break_minutes, slots)):
        rnd.scheduled_at = opens
    db.session.commit()
    replan(plan, now)


def book(rnd: Round, at: datetime) -> None:
    """Fix a peer round's time: reminders for both seats and a no-show check after the start."""
    rnd.scheduled_at = at
    db.session.execute(db.delete(Notice).where(Notice.round_id == rnd.id, Notice.fired_at.is_(None)))
    for user_id in {rnd.candidate_id, rnd.interviewer_id} - {None}:
        db.session.add(Notice(user_id=user_id, round_id=rnd.id, kind="reminder", due_at=at - REMINDER_BEFORE,
                              text=f"Your mock round ({rnd.prompt_title}) starts in 10 minutes."))
    db.session.add(Notice(user_id=rnd.owner_id, round_id=rnd.id, kind="no_show", due_at=at + NO_SHOW_AFTER))
    db.session.commit()


def mark_joined(rnd: Round, user: User, now: datetime) -> None:
    if rnd.scheduled_at is None or now < rnd.scheduled_at - JOIN_WINDOW:
        return
    column = "interviewer_joined_at" if user.id == rnd.interviewer_id else "candidate_joined_at"
    if getattr(rnd, column) is None:
        db.session.execute(update(Round).where(Round.id == rnd.id, getattr(Round, column).is_(None))
                           .values({column: now}))
        db.session.commit()
        db.session.refresh(rnd)


def next_notice_due() -> datetime | None:
    return db.session.execute(db.select(func.min(Notice.due_at)).where(Notice.fired_at.is_(None))).scalar()


def fire_due(now: datetime) -> list[int]:
    """Fire every notice that is due, each exactly once; a no-show check may cancel its round."""
    fired = db.session.execute(
        update(Notice).where(Notice.fired_at.is_(None), Notice.due_at <= now).values(fired_at=now)
        .returning(Notice.id, Notice.kind, Notice.round_id).execution_options(synchronize_session=False)).all()
    db.session.commit()
    for notice_id, kind, round_id in fired:
        if kind == "no_show":
            _check_no_show(db.session.get(Notice, notice_id), db.session.get(Round, round_id), now)
    return [n for n, _, _ in fired]


def _check_no_show(notice: Notice, rnd: Round, now: datetime) -> None:
    if rnd is None or rnd.status != timer.PLANNED:
        notice.seen_at = now  # the round happened (or was cancelled): nothing to say
        db.session.commit()
        return
    missing = [role for role, seat, joined in (("candidate", rnd.candidate_id, rnd.candidate_joined_at),
                                               ("interviewer", rnd.interviewer_id, rnd.interviewer_joined_at))
               if seat is None or joined is None]
    if not missing:
        notice.seen_at = now
        db.session.commit()
        return
    rnd.no_show = "both" if len(missing) == 2 else missing[0]
    append_event(rnd, timer.CANCEL, now, None)
    notice.text = (f"No-show recorded for {rnd.prompt_title}: the {' and the '.join(missing)} did not join within "
                   f"10 minutes of the start. The round is cancelled; book another time.")
    for user_id in {rnd.candidate_id, rnd.interviewer_id} - {None, notice.user_id}:
        db.session.add(Notice(user_id=user_id, round_id=rnd.id, kind="no_show_peer", due_at=now, fired_at=now,
                              text=notice.text))
    db.session.commit()


def unread_notices(user: User) -> list[Notice]:
    return list(db.session.execute(
        db.select(Notice).where(Notice.user_id == user.id, Notice.fired_at.is_not(None), Notice.seen_at.is_(None),
                                Notice.text != "")
        .order_by(Notice.fired_at.desc()).limit(10)).scalars())


def upcoming(user: User, now: datetime) -> list[Round]:
    return list(db.session.execute(
        db.select(Round).where((Round.candidate_id == user.id) | (Round.interviewer_id == user.id)
                               | (Round.owner_id == user.id),
                               Round.status == timer.PLANNED, Round.scheduled_at.is_not(None),
                               Round.scheduled_at >= now - timedelta(hours=2))
        .order_by(Round.scheduled_at).limit(50)).scalars())


def ics(rnd: Round, url: str, now: datetime) -> str:
    """An iCalendar file for one round (RFC 5545: CRLF lines, UTC times, escaped text, folded lines)."""
    def stamp(value: datetime) -> str:
        return value.strftime("%Y%m%dT%H%M%SZ")

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//mockloop//mock interview practice//EN", "BEGIN:VEVENT",
             f"UID:{ics_text(rnd.uid)}@mockloop", f"DTSTAMP:{stamp(now)}", f"DTSTART:{stamp(rnd.scheduled_at)}",
             f"DTEND:{stamp(rnd.scheduled_at + timedelta(minutes=rnd.minutes))}",
             f"SUMMARY:{ics_text('Mock interview: ' + rnd.prompt_title)}",
             f"DESCRIPTION:{ics_text('Open the round: ' + url)}", f"URL:{_no_breaks(url)}", "BEGIN:VALARM",
             "TRIGGER:-PT10M", "ACTION:DISPLAY", "DESCRIPTION:Mock round in 10 minutes", "END:VALARM", "END:VEVENT",
             "END:VCALENDAR"]
    return "".join(ics_fold(line) for line in lines)


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
    out, current, size = [], [], 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append("".join(current))
            current, size = [" "], 1  # the continuation's leading space counts toward its octets
        current.append(ch)
        size += width
    out.append("".join(current))
    return "\r\n".join(out) + "\r\n"
