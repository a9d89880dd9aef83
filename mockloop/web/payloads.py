"""JSON payloads the pages and the API share: a round's state, times and durations."""

from __future__ import annotations

from datetime import datetime

from flask import url_for

from mockloop.content import content
from mockloop.core import timer
from mockloop.core.board import pen_holder
from mockloop.core.vocabulary import WorkKind
from mockloop.db.models import LoopPlan, Round, RoundRun
from mockloop.services import loops, rounds, work
from mockloop.services.scorecards import submitted_cards
from mockloop.web.now import request_now


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def run_payload(run: RoundRun) -> dict:
    return {
        "id": run.id,
        "at": iso(run.at),
        "language": run.language,
        "outcome": run.outcome,
        "duration_ms": run.duration_ms,
        "stdout": run.stdout,
        "stderr": run.stderr,
        "truncated": run.truncated,
        "code_revision": run.code_revision,
        "reported_by": "browser",  # the server never runs candidate code: these are the page's figures
        "kind": run.kind,
        "level": run.level,
        "tests_passed": run.tests_passed,
        "tests_total": run.tests_total,
    }


def _level(rnd: Round) -> int | None:
    """The open level of a leveled prompt, which a live viewer follows."""
    prompt = content().catalog.get(rnd.stage, rnd.prompt_slug)
    return work.level_of(rnd, prompt) if prompt and prompt.levels else None


def state_payload(rnd: Round, now: datetime) -> dict:
    state = rounds.state_of(rnd, now)
    return {**round_fields(rnd, state), **timer_fields(state, now)}


def round_fields(rnd: Round, state: timer.RoundState) -> dict:
    """The part of the state that changes only with the round's version (the state's ETag): the
    state poll keeps it per version (web/poll.py) and adds timer_fields for each answer. Whatever
    moves with the clock alone belongs in timer_fields. It is the same for every viewer (the poll
    hands one viewer's kept copy to the other): nothing here may depend on who asks."""
    last_pause = next((e for e in reversed(rnd.events) if e.kind == timer.PAUSE), None)
    return {
        "id": rnd.id,
        "stage": rnd.stage,
        "prompt": {"slug": rnd.prompt_slug, "title": rnd.prompt_title},
        # A pause ends only with an event, which changes the version.
        "paused_by": last_pause.actor.display_name
        if state.status == timer.PAUSED and last_pause and last_pause.actor
        else None,
        "version": rnd.version,
        # What a live viewer follows: fetch a piece (or the runs) when its number moves.
        "work": {k: r for k, r in work.revisions(rnd).items() if k != WorkKind.NOTES},
        "runs": work.run_count(rnd),
        "level": _level(rnd),
        "mode": rnd.mode,
        # The phases' bounds move only with an extension, which is an event.
        "phases": [
            {
                "name": p.name,
                "planned_ms": ms(p.planned_s),
                "extended_ms": ms(p.extended_s),
                "start_ms": ms(p.start_s),
                "end_ms": ms(p.end_s),
            }
            for p in state.phases
        ],
        "pen": pen_holder(e.kind for e in rnd.events),  # who draws on the whiteboard (a hand-over is an event)
        "candidate": rnd.candidate.display_name if rnd.candidate else None,
        "interviewer": rnd.interviewer.display_name if rnd.interviewer else None,
        "next_round": url_for("practice.round_page", round_id=rnd.swapped_round_id) if rnd.swapped_round_id else None,
        # Only a locked round can have scorecards: a running one skips the query on every poll. A
        # scorecard, like the lock, changes the version.
        "scorecards": [
            {"role": c.role, "url": url_for("scoring.scorecard", card_id=c.id)}
            for c in (submitted_cards(rnd) if state.status == timer.LOCKED else [])
        ],
    }


def timer_fields(state: timer.RoundState, now: datetime) -> dict:
    """The part of the state that moves with the clock, from core.timer alone (no database)."""
    phase = state.phase
    return {
        "status": state.status,
        "lock_reason": state.lock_reason,
        "phase": None
        if phase is None
        else {"name": phase.name, "index": state.phase_index, "ends_at": iso(phase.ends_at)},
        "remaining_ms": ms(state.remaining_s),
        "elapsed_ms": ms(state.elapsed_s),
        "total_ms": ms(state.total_s),
        "deadline": iso(state.deadline),
        "locked_at": iso(state.locked_at),
        "server_now": iso(now),
        "paused": state.status == timer.PAUSED,
        "pauses": state.pauses,
        "extensions": state.extensions,
    }


def loop_payload(plan: LoopPlan) -> dict:
    now = request_now()
    items = []
    for rnd, planned in loops.loop_timeline(plan, now):
        blocked = loops.can_start(rnd, now) if rnd.status == timer.PLANNED else None
        items.append(
            {
                "position": rnd.loop_position,
                "round": rnd.id,
                "status": rnd.status,
                "lock_reason": rnd.lock_reason,
                "opens_at": iso(planned.opens_at),
                "ends_at": iso(planned.ends_at),
                "pushed_minutes": round(planned.pushed.total_seconds() / 60),
                "startable": rnd.status == timer.PLANNED and blocked is None and plan.status == "planned",
                "url": url_for("practice.round_page", round_id=rnd.id),
            }
        )
    done = sum(1 for i in items if i["status"] == timer.LOCKED)
    return {
        "id": plan.id,
        "status": plan.status,
        "items": items,
        "done": done,
        "total": len(items),
        "server_now": iso(now),
    }
