"""What the scorecard shows of a coding round's tests: each level's result (cleared when, moved on
from when, or as the last submit left it) and the round's level figures (core/levels.py), the hidden
tests themselves for a re-run on the locked code (the round is locked, so every participant may see
them now), and where each run fell on the phase bar."""

from __future__ import annotations

from dataclasses import dataclass

from mockloop.content import content
from mockloop.core import levels, timer
from mockloop.db.models import Round, RoundRun
from mockloop.services import rounds


@dataclass(frozen=True)
class Mark:
    run: RoundRun
    at_s: float  # round time (pauses excluded) when the run was reported


def code_results(rnd: Round) -> dict:
    prompt = content().catalog.get(rnd.stage, rnd.prompt_slug)
    runs = list(rnd.runs)
    plan, events = rounds.timer_inputs(rnd)
    marks = [Mark(r, timer.elapsed_at(plan, events, r.at)) for r in runs]
    final = rounds.state_of(rnd, rnd.locked_at or runs[-1].at) if runs else None
    count = len(prompt.levels) if prompt else 0
    per_level = levels.results(
        levels.Step(m.run.kind, m.run.level or 1, m.run.tests_passed, m.run.tests_total, m.at_s) for m in marks
    )
    hidden = {}
    if prompt and prompt.testable:
        for n in range(1, (count or 1) + 1):
            hidden[n if count else 0] = {lang: [t.public() for t in ts] for lang, ts in prompt.hidden_at(n).items()}
    return {
        "levels": count,
        "level_results": per_level,  # by level, 1 for a prompt without levels
        "figures": levels.figures(per_level, prompt.level_count if prompt else None) if hidden or per_level else None,
        "clock": levels.clock_text,
        "hidden_tests": hidden,
        "marks": marks,
        "phases": final.phases if final else (),
        "total_s": final.total_s if final else 0,
    }
