"""What to practice next: weakest recent dimensions (and, in coding stages, levels left uncleared or
first submits that failed) first, prompts on a spaced-repetition schedule."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from mockloop.core import levels, stories

WINDOW = 3  # recent rounds that decide a stage's weakest dimension
# Days until a prompt is due again, by how the last attempt went: misses come back sooner.
# Keyed by str | None: an unscored attempt (overall None) looks up the default.
REVIEW_DAYS: dict[str | None, int] = {"strong_no": 2, "no": 4, "yes": 10, "strong_yes": 21}
DEFAULT_REVIEW_DAYS = 7
UNSCORED_PRIORITY = 1.5  # a stage never scored ranks like a middling weakness
# A coding stage's shortfall (the share of levels left uncleared, or of first submits that failed)
# ranks on the same 0-3 scale as a dimension's 4 - mean: clearing nothing ranks like scoring 1.
CODE_WEIGHT = 3.0


@dataclass(frozen=True)
class ScorePoint:
    stage: str
    dimension: str
    level: int
    at: datetime


@dataclass(frozen=True)
class Attempt:
    prompt: str
    stage: str
    at: datetime
    overall: str | None


@dataclass(frozen=True)
class Suggestion:
    stage: str
    prompt: str
    reason: str
    priority: float


def _weakest(points: list[ScorePoint], names: dict[str, str]) -> tuple[float, str] | None:
    by_dim: dict[str, list[int]] = {}
    for p in sorted(points, key=lambda p: p.at, reverse=True):
        if len(by_dim.setdefault(p.dimension, [])) < WINDOW:
            by_dim[p.dimension].append(p.level)
    if not by_dim:
        return None
    dim, levels = min(by_dim.items(), key=lambda kv: (sum(kv[1]) / len(kv[1]), kv[0]))
    mean = sum(levels) / len(levels)
    name = names.get(dim, dim)
    rounds = f"last {len(levels)}" if len(levels) > 1 else "last"
    if len(set(levels)) == 1:
        return mean, f"{name} has scored {levels[0]} in your {rounds}"
    return mean, f"{name} has averaged {mean:.1f} in your {rounds}"


def _code_shortfall(rounds: Sequence[levels.Figures]) -> tuple[float, str] | None:
    """The larger shortfall of a coding stage's last WINDOW rounds (newest first), with its reason."""
    recent = list(rounds[:WINDOW])
    if not recent:
        return None
    p = levels.pooled(recent)
    shortfalls = []
    if p.cleared_share is not None:
        shortfalls.append((1 - p.cleared_share, f"you cleared {p.cleared} of {p.levels} levels"))
    if p.first_run_rate is not None:
        shortfalls.append(
            (1 - p.first_run_rate, f"{p.first_passed} of your {p.submitted} first submits passed every hidden test")
        )
    if not shortfalls:
        return None
    gap, why = max(shortfalls, key=lambda s: s[0])
    rounds_text = f"last {len(recent)}" if len(recent) > 1 else "last"
    return CODE_WEIGHT * gap, f"{why} in your {rounds_text}"


def _pick_prompt(prompts: list[str], attempts: list[Attempt], now: datetime) -> tuple[str, str] | None:
    last: dict[str, Attempt] = {}
    for a in attempts:
        if a.prompt not in last or a.at > last[a.prompt].at:
            last[a.prompt] = a
    fresh = [p for p in prompts if p not in last]
    if fresh:
        return fresh[0], "a prompt you have not practiced"

    def due(a: Attempt) -> datetime:
        return a.at + timedelta(days=REVIEW_DAYS.get(a.overall, DEFAULT_REVIEW_DAYS))

    candidates = [last[p] for p in prompts if p in last]
    if not candidates:
        return None
    best = min(candidates, key=due)
    days = (now - best.at).days
    when = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
    status = "due for review" if due(best) <= now else "the one due soonest"
    return best.prompt, f"last practiced {when}, {status}"


def _of_rounds(why: str, title: str) -> str:
    """Name the stage's rounds after a reason: "in your last 3 Phone screen rounds", "in your last Phone
    screen round"."""
    return f"{why} {title} round{'s' if 'last ' in why else ''}"


def suggest(
    stages: list[tuple[str, str]],
    prompts_by_stage: dict[str, list[str]],
    dimension_names: dict[str, dict[str, str]],
    scores: list[ScorePoint],
    attempts: list[Attempt],
    now: datetime,
    code: Mapping[str, Sequence[levels.Figures]] | None = None,
) -> list[Suggestion]:
    """One suggestion per stage with prompts, weakest first. `stages` is (slug, title) in loop order;
    `code`: per coding stage, its recent rounds' level figures, newest first."""
    out = []
    for slug, title in stages:
        prompt = _pick_prompt(prompts_by_stage.get(slug, []), [a for a in attempts if a.stage == slug], now)
        if prompt is None:
            continue
        weakest = _weakest([p for p in scores if p.stage == slug], dimension_names.get(slug, {}))
        if weakest is None:
            priority, why = UNSCORED_PRIORITY, f"you have no scored {title} rounds yet"
        else:
            priority, why = 4 - weakest[0], _of_rounds(weakest[1], title)
        shortfall = _code_shortfall((code or {}).get(slug, ()))
        if shortfall is not None and shortfall[0] > priority:
            priority, why = shortfall[0], _of_rounds(shortfall[1], title)
        out.append(Suggestion(slug, prompt[0], f"{why[0].upper()}{why[1:]}; {prompt[1]}.", priority))
    return sorted(out, key=lambda s: -s.priority)


# ---------- the story bank's part of the plan ----------

STORY_STEPS = 3  # story suggestions in the plan at most; the coverage grid lists every gap


@dataclass(frozen=True)
class StoryStep:
    kind: str  # write | rehearse
    dimension: str
    story_id: int | None
    reason: str


def story_steps(cov: stories.Coverage, limit: int = STORY_STEPS) -> list[StoryStep]:
    """Write a story for each gap, then rehearse the story that would lift a dimension rated low in
    its last drill, then one never drilled: in that order, as many as `limit`."""
    out = []
    for row in cov.gaps:
        where = " and ".join(row.stages)
        out.append(StoryStep("write", row.key, None, f"No story of yours shows {row.name} ({where} rounds)."))
    for status in (stories.WEAK, stories.UNREHEARSED):
        for row in cov.rows:
            if row.status != status:
                continue
            tagged = [(cell, s) for cell, s in zip(row.cells, cov.stories) if cell is not None]
            cell, story = max(tagged, key=lambda cs: cs[0] or 0)
            if status == stories.WEAK:
                why = f"“{story.title}” shows {row.name}, but its last drill rated it {cell}."
            else:
                why = f"“{story.title}” shows {row.name}, but you have not drilled it yet."
            out.append(StoryStep("rehearse", row.key, story.id, why))
    return out[:limit]
