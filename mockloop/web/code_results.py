"""What the scorecard shows of a coding round's tests: the hidden-test result of each level as the
last submit left it, the hidden tests themselves for a re-run on the locked code (the round is
locked, so every participant may see them now), and where each run fell on the phase bar."""

from __future__ import annotations

from dataclasses import dataclass

from mockloop.content import content
from mockloop.core.work import MOVE_ON, SUBMIT
from mockloop.db.models import Round, RoundRun
from mockloop.services import rounds


@dataclass(frozen=True)
class Mark:
    run: RoundRun
    at_s: float  # round time (pauses excluded) when the run was reported


def code_results(rnd: Round) -> dict:
    prompt = content().catalog.get(rnd.stage, rnd.prompt_slug)
    runs = list(rnd.runs)
    marks = [Mark(r, rounds.state_of(rnd, r.at).elapsed_s) for r in runs]
    final = rounds.state_of(rnd, rnd.locked_at or runs[-1].at) if runs else None
    levels = len(prompt.levels) if prompt else 0
    outcome = {}  # level (0 without levels) -> the last submit or move-on on it
    for r in runs:
        if r.kind in (SUBMIT, MOVE_ON):
            outcome[r.level or 0] = r
    hidden = {}
    if prompt and prompt.testable:
        for n in range(1, (levels or 1) + 1):
            hidden[n if levels else 0] = {lang: [t.public() for t in ts] for lang, ts in prompt.hidden_at(n).items()}
    return {
        "levels": levels,
        "level_outcome": outcome,
        "hidden_tests": hidden,
        "marks": marks,
        "phases": final.phases if final else (),
        "total_s": final.total_s if final else 0,
    }
