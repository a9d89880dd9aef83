"""The AI reviewer: drafts the round's AI card from the round's own material against its rubric
snapshot. An answer that does not fit the rubric is asked for once more, then refused clearly."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from datetime import datetime

from mockloop.config import AiSettings
from mockloop.core import ai_interviewer as chat
from mockloop.core import ai_review, board, timer
from mockloop.core import rubric as rubric_core
from mockloop.core.ai_disclosure import BOARD, BRIEF, CHAT, CODE, GUIDE_FOR_SCORING, RUBRIC, RUNS, SCRATCHPAD, TIMINGS
from mockloop.core.catalog import Prompt
from mockloop.core.errors import Conflict, Invalid, NotAllowed, Unavailable
from mockloop.core.vocabulary import Seat, WorkKind
from mockloop.db.models import Round, RoundRun, Scorecard, User
from mockloop.services import rounds, scorecards
from mockloop.services.ai import budget
from mockloop.services.ai.provider import Malformed, Provider, Tool, Usage, provider_for
from mockloop.services.seats import role_of

FEATURE = "reviewer"
MAX_TOKENS = 4_000  # a card of six dimensions with quotes fits in well under this
RUN_OUTPUT_SENT = 300  # characters of each run's output
GUIDE_PARTS = ("Levels", "Pitfalls", "Reference outline")


def _runs_text(runs: list[RoundRun], started: datetime) -> str:
    lines = []
    for run in runs:
        minute = (run.at - started).total_seconds() / 60
        tests = f", tests {run.tests_passed}/{run.tests_total}" if run.tests_total is not None else ""
        output = (run.stdout + run.stderr).strip()[:RUN_OUTPUT_SENT]
        lines.append(
            f"- minute {minute:.0f}: {run.kind} ({run.language}) {run.outcome}{tests}"
            + (f": {output}" if output else "")
        )
    return "\n".join(lines)


def _timings_text(state: timer.RoundState) -> str:
    lines = [
        f"- {p.name}: planned {p.planned_s / 60:g} min"
        + (f" (+{p.extended_s / 60:g})" if p.extended_s else "")
        + f", used {p.used_s / 60:.1f} min"
        for p in state.phases
    ]
    lines.append(f"Total used {state.elapsed_s / 60:.1f} of {state.total_s / 60:g} min; ended: {state.lock_reason}")
    lines.append(f"Pauses: {state.pauses} ({state.paused_s / 60:.1f} min); extensions: {state.extensions}")
    return "\n".join(lines)


def material(rnd: Round, prompt: Prompt | None, rubric: dict, now: datetime) -> list[tuple[str, str]]:
    """What the reviewer is sent, part by part: the rubric, the prompt, and the candidate's own work
    (never the interviewer's notes, nor any scorecard)."""
    parts = [(RUBRIC, ai_review.rubric_text(rubric))]
    if prompt is not None:
        parts.append((BRIEF, f"{prompt.title}\n\n{prompt.brief_md}"))
        guide = "\n\n".join(f"### {name}\n{text}" for name in GUIDE_PARTS if (text := prompt.section_md(name)))
        if guide:
            parts.append((GUIDE_FOR_SCORING, guide))
    parts.append((SCRATCHPAD, rnd.text(WorkKind.SCRATCHPAD)))
    code = rnd.work.get(WorkKind.CODE)
    if code is not None:
        parts.append((CODE, f"({code.language or 'python'})\n{code.body}"))
    if WorkKind.BOARD in rnd.work:
        parts.append((BOARD, "\n".join(board.labels(rnd.text(WorkKind.BOARD)))))
    if WorkKind.CHAT in rnd.work:
        parts.append((CHAT, chat.transcript(chat.parse(rnd.text(WorkKind.CHAT)))))
    if rnd.runs:
        parts.append((RUNS, _runs_text(rnd.runs, rnd.created_at)))
    parts.append((TIMINGS, _timings_text(rounds.state_of(rnd, now))))
    return parts


def score(
    provider: Provider, rubric: dict, parts: list[tuple[str, str]], spend: Callable[[Usage], None]
) -> tuple[dict, int]:
    """Ask for the card, once more if the answer does not fit; `spend(usage)` is told of every call.
    Returns (answers, quotes dropped); Unavailable when the second answer does not fit either."""
    tool = Tool(ai_review.TOOL_NAME, ai_review.TOOL_DESCRIPTION, ai_review.schema(rubric))
    text, problem = ai_review.request_text(parts), ""
    for _ in range(2):
        try:
            output, usage = provider.structured(
                ai_review.system_prompt(), [{"role": "user", "content": text}], tool, MAX_TOKENS
            )
        except Malformed as exc:
            problem = str(exc)
        else:
            spend(usage)
            try:
                return ai_review.answers_from_output(rubric, output, parts)
            except Invalid as exc:
                problem = exc.message
        text = ai_review.retry_text(parts, problem)
    raise Unavailable(
        f"The AI reviewer's answer did not fit the rubric, twice ({problem}). Nothing was saved; try again.",
        reason="invalid_output",
    )


def review(
    rnd: Round, prompt: Prompt | None, rubric: dict, user: User, settings: AiSettings, now: datetime
) -> Scorecard:
    """Draft (or redraft) the AI card of a locked round the user was the candidate of."""
    if role_of(rnd, user) != Seat.CANDIDATE:
        raise NotAllowed("Only the round's candidate can ask for an AI review of it.")
    if rnd.status != timer.LOCKED:
        raise Conflict("The AI reviews a round once it is locked.", reason="not_locked")
    budget.remaining(user.id, settings, now)

    def spend(usage: Usage) -> None:
        budget.record(user.id, rnd.id, FEATURE, usage, now)

    with closing(provider_for(settings)) as provider:
        answers, _ = score(provider, rubric, material(rnd, prompt, rubric, now), spend)
    return scorecards.store_ai_card(rnd, rubric, answers, f"AI ({settings.model})", now)


def copy_to_self(ai: Scorecard, own: Scorecard, now: datetime) -> None:
    """The AI card's answers as the draft of the candidate's own card, to edit and submit as theirs
    (fields of dimensions their card's rubric lacks are left out)."""
    scorecards.save_draft(own, rubric_core.fields_from_answers(ai.rubric, scorecards.answers_of(ai)), now)
