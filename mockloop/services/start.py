"""Turning a "start a round" request (form or JSON) into a running round, with field-level errors."""

from __future__ import annotations

from datetime import datetime

from mockloop.content import content
from mockloop.core.errors import Invalid
from mockloop.core.vocabulary import Mode, Seat
from mockloop.db.models import Round, User
from mockloop.services.rounds import (
    TRIAL_MINUTES,
    PromptFilter,
    create_round,
    pick_surprise,
)
from mockloop.services.seats import GUIDE_CLOSED, candidate_prompts

SURPRISE = "surprise"
ROLES = (Mode.SOLO, *Seat)  # what the start form offers: solo, or a seat of a peer round


def _int_or_none(value, field: str, label: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():  # JSON 60.0; not 2.7, NaN or Infinity
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise Invalid(f"{label} must be a whole number.", field=field)
    try:
        return int(value)
    except ValueError:
        raise Invalid(f"{label} must be a whole number.", field=field) from None


def start_round(user: User, data: dict, now: datetime) -> Round:
    loop, catalog = content().loop, content().catalog
    stage = loop.stage(str(data.get("stage") or ""))
    if stage is None:
        raise Invalid(f"Choose a stage: {', '.join(s.slug for s in loop.stages)}.", field="stage")
    choice = str(data.get("prompt") or SURPRISE)
    difficulty = _int_or_none(data.get("difficulty"), "difficulty", "Difficulty")
    if difficulty is not None and difficulty not in (1, 2, 3):
        raise Invalid("Difficulty is 1, 2 or 3.", field="difficulty")
    role = str(data.get("role") or Mode.SOLO)
    if role not in ROLES:
        raise Invalid("Role is solo, candidate or interviewer.", field="role")
    # An interviewer sees the guide: never of a prompt they are the candidate of in a round not ended.
    closed = candidate_prompts(user, stage.slug, now) if role == Seat.INTERVIEWER else set()
    if choice == SURPRISE:
        prompt = pick_surprise(user, stage, catalog, PromptFilter(data.get("tag") or None, difficulty), exclude=closed)
        if prompt is None:
            raise Invalid(
                "No prompt of this stage matches those filters; loosen them."
                if not closed
                else "No prompt of this stage matches those filters, apart from ones you are the "
                "candidate of in a round that has not ended (their guides stay closed until "
                "it locks); loosen them.",
                field="prompt",
            )
    else:
        prompt = catalog.get(stage.slug, choice)
        if prompt is None:
            raise Invalid(f"There is no prompt {choice!r} in {stage.title}.", field="prompt")
        if prompt.slug in closed:
            raise Invalid(f"{GUIDE_CLOSED} Interview on another prompt, or after it locks.", field="prompt")
    if data.get("trial"):
        if role != Mode.SOLO:
            raise Invalid(f'A {TRIAL_MINUTES}-minute trial round is solo; choose "Just me".', field="role")
        return create_round(user, stage, prompt, TRIAL_MINUTES, now, trial=True)
    # An empty duration means the prompt's own length (which may differ from the stage's default).
    minutes = _int_or_none(data.get("minutes"), "minutes", "Duration") or prompt.default_minutes(stage)
    if not stage.duration.allows(minutes):
        raise Invalid(
            f"{stage.title} rounds last between {stage.duration.min} and {stage.duration.max} minutes.", field="minutes"
        )
    seats: dict[Seat, User | None] | None = None if role == Mode.SOLO else {Seat(role): user}
    return create_round(user, stage, prompt, minutes, now, seats=seats)
