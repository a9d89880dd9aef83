"""What a coding round's submits add up to, level by level: whether and when each level was cleared
(its hidden tests all passed at a submit) or moved on from, and whether the first submit of each
level passed. Pure arithmetic on the recorded submits, so it is tested with plain values.

"First-run pass rate": of the levels a candidate submitted, the share whose first submit passed
every hidden test. Runs of the example tests do not count (they are free practice); a level moved on
from without a submit is not in it either (it shows as not cleared). A prompt without levels counts
as one level.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mockloop.core.work import MOVE_ON, SUBMIT


def all_passed(passed: int | None, total: int | None) -> bool:
    """A submit clears its level when it ran hidden tests and every one of them passed."""
    return bool(total) and passed == total


@dataclass(frozen=True)
class Step:
    """A submit or a move-on as recorded, at `at_s` seconds of round time (pauses excluded)."""

    kind: str  # SUBMIT | MOVE_ON
    level: int  # 1 for a prompt without levels
    passed: int | None
    total: int | None
    at_s: float = 0.0


@dataclass(frozen=True)
class LevelResult:
    level: int
    submits: int
    first_passed: bool | None  # None: never submitted
    cleared_at_s: float | None  # the first submit that passed every hidden test
    cleared_on: int | None  # which submit of the level that was (1: the first)
    moved_on_at_s: float | None  # moved on without passing
    last: tuple[int, int] | None  # (passed, total) of the last submit

    @property
    def cleared(self) -> bool:
        return self.cleared_at_s is not None


@dataclass(frozen=True)
class Figures:
    """One round's level figures, as stored on its scorecards."""

    cleared: int
    submitted: int  # levels submitted at least once
    first_passed: int  # of those, the levels whose first submit passed every hidden test
    total: int | None = None  # the prompt's levels (1 without levels), when the prompt is known

    @property
    def first_run_rate(self) -> float | None:
        return self.first_passed / self.submitted if self.submitted else None


def results(steps: Iterable[Step]) -> dict[int, LevelResult]:
    """Per level (in order), what its submits and move-on came to; `steps` oldest first."""
    by_level: dict[int, list[Step]] = {}
    for step in steps:
        if step.kind in (SUBMIT, MOVE_ON):
            by_level.setdefault(step.level, []).append(step)
    out = {}
    for level in sorted(by_level):
        submits = [s for s in by_level[level] if s.kind == SUBMIT]
        clearing = next((n for n, s in enumerate(submits, 1) if all_passed(s.passed, s.total)), None)
        moved = next((s for s in by_level[level] if s.kind == MOVE_ON), None)
        last = submits[-1] if submits else None
        out[level] = LevelResult(
            level=level,
            submits=len(submits),
            first_passed=all_passed(submits[0].passed, submits[0].total) if submits else None,
            cleared_at_s=submits[clearing - 1].at_s if clearing else None,
            cleared_on=clearing,
            moved_on_at_s=moved.at_s if moved and not clearing else None,
            last=(last.passed or 0, last.total or 0) if last else None,
        )
    return out


def figures(per_level: dict[int, LevelResult], total: int | None = None) -> Figures:
    done = per_level.values()
    return Figures(
        cleared=sum(r.cleared for r in done),
        submitted=sum(r.submits > 0 for r in done),
        first_passed=sum(bool(r.first_passed) for r in done),
        total=total,
    )


@dataclass(frozen=True)
class Pooled:
    """Figures over several rounds: levels cleared of the levels there were (rounds whose prompt is
    known), and first submits that passed of the levels submitted."""

    rounds: int
    cleared: int
    levels: int
    first_passed: int
    submitted: int

    @property
    def cleared_share(self) -> float | None:
        return self.cleared / self.levels if self.levels else None

    @property
    def first_run_rate(self) -> float | None:
        return self.first_passed / self.submitted if self.submitted else None


def pooled(rounds: Sequence[Figures]) -> Pooled:
    known = [f for f in rounds if f.total]
    return Pooled(
        rounds=len(rounds),
        cleared=sum(f.cleared for f in known),
        levels=sum(f.total or 0 for f in known),
        first_passed=sum(f.first_passed for f in rounds),
        submitted=sum(f.submitted for f in rounds),
    )


def clock_text(seconds: float) -> str:
    """Round time as the scorecard says it: 7:05, or 1:02:09 past an hour."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
