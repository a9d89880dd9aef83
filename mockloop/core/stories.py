"""The story bank's domain: what a story holds, its cue card, the drill timer and rubric coverage.

A story is told in the behavioral rounds (the loop's stages marked `behavioral`); it is tagged with
the rubric dimensions of those stages it shows (by key: "communication" is one tag for every
behavioral stage that scores it) and with the prompts it answers. Time is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mockloop.core.errors import Invalid
from mockloop.core.loop import LEVELS, Loop

# The parts of a story, in the order it is told (STAR, then what the teller learned).
PARTS = (
    ("situation", "Situation"),
    ("task", "Task"),
    ("action", "Action"),
    ("result", "Result"),
    ("reflection", "Reflection"),
)
PART_KEYS = tuple(key for key, _ in PARTS)
TITLE_LIMIT = 200
PART_LIMIT = 10_000  # characters per part: a story told in two minutes is a few hundred words

# The drill: how long the teller has, and what they see while telling.
DRILL_DEFAULT_SECONDS = 120
DRILL_MIN_SECONDS, DRILL_MAX_SECONDS = 30, 600
CUES = {"hidden": "Story hidden", "bullets": "Bullet points"}
CUE_WORDS = 12  # words per bullet of the cue card


@dataclass(frozen=True)
class StoryText:
    """A story's checked content, as a save writes it."""

    title: str
    parts: dict[str, str]
    dimensions: tuple[str, ...]
    prompts: tuple[str, ...]


@dataclass(frozen=True)
class Tags:
    """What a story may be tagged with: the behavioral stages' dimensions and prompts, in loop order."""

    dimensions: dict[str, str]  # key -> name (the first behavioral stage's name for a shared key)
    stages_of: dict[str, tuple[str, ...]]  # key -> titles of the behavioral stages that score it
    prompts: dict[str, str]  # slug -> title


def tags_of(loop: Loop, prompts: Iterable[tuple[str, str, str]]) -> Tags:
    """The tags a story can carry. `prompts` is (stage slug, prompt slug, title) of the bank."""
    dims: dict[str, str] = {}
    stages_of: dict[str, list[str]] = {}
    for stage in loop.behavioral:
        for d in stage.rubric:
            dims.setdefault(d.key, d.name)
            stages_of.setdefault(d.key, []).append(stage.title)
    behavioral = {s.slug for s in loop.behavioral}
    return Tags(
        dims,
        {k: tuple(v) for k, v in stages_of.items()},
        {slug: title for stage, slug, title in prompts if stage in behavioral},
    )


def _text(data: Mapping[str, Any], key: str, limit: int, label: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise Invalid(f"{label}: send text.", field=key)
    value = value.replace("\x00", "")
    if len(value) > limit:
        raise Invalid(f"{label} holds at most {limit:,} characters; this has {len(value):,}.", field=key)
    return value


def _tags(value: object, allowed: Mapping[str, str], key: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"Send the {what} as a list of names.", field=key)
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise Invalid(f"Not {what} of the behavioral rounds: {', '.join(unknown)}.", field=key)
    chosen = set(value)
    return tuple(k for k in allowed if k in chosen)  # in loop order, each once


def parse_story(data: Mapping[str, Any], tags: Tags, keep: Iterable[str] = ()) -> StoryText:
    """Check a story as a form or the JSON API sends it; Invalid names the field at fault.

    `keep`: tags the story already carries that the loop no longer offers (a dimension removed
    from the loop file), which a save may keep but not add."""
    title = _text(data, "title", TITLE_LIMIT, "The title").strip()
    if not title:
        raise Invalid("Give the story a title, a few words you would recognise it by.", field="title")
    parts = {key: _text(data, key, PART_LIMIT, label) for key, label in PARTS}
    kept = set(keep)
    dims = {**tags.dimensions, **{k: k for k in kept if k not in tags.dimensions}}
    prompts = {**tags.prompts, **{k: k for k in kept if k not in tags.prompts}}
    return StoryText(
        title,
        parts,
        _tags(data.get("dimensions", []), dims, "dimensions", "dimensions"),
        _tags(data.get("prompts", []), prompts, "prompts", "prompts"),
    )


# ---------- the cue card ----------

_MARKUP_RE = re.compile(r"^\s*(?:[#>]+|[-*+]|\d+[.)])\s+|[*_`~]")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")


def cue(text: str, words: int = CUE_WORDS) -> str:
    """A part's first sentence (or first line), shortened to `words` words, Markdown marks dropped."""
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    plain = _MARKUP_RE.sub("", line).strip()
    first = _SENTENCE_RE.split(plain, maxsplit=1)[0]
    cut = first.split()
    return " ".join(cut[:words]) + ("…" if len(cut) > words else "")


def cue_card(parts: Mapping[str, str]) -> list[tuple[str, str]]:
    """(part label, bullet) for each part that has text: what the drill shows in bullet-point mode."""
    return [(label, cue(parts.get(key, ""))) for key, label in PARTS if parts.get(key, "").strip()]


# ---------- the drill timer ----------


@dataclass(frozen=True)
class DrillState:
    elapsed_s: float
    remaining_s: float
    over_s: float  # how far past the limit the telling ran
    finished: bool


def check_drill(limit_seconds: object, cue_mode: object) -> tuple[int, str]:
    if isinstance(limit_seconds, bool) or not isinstance(limit_seconds, int):
        raise Invalid("Give the time limit in whole seconds.", field="seconds")
    if not DRILL_MIN_SECONDS <= limit_seconds <= DRILL_MAX_SECONDS:
        raise Invalid(
            f"A drill lasts {DRILL_MIN_SECONDS} seconds to {DRILL_MAX_SECONDS // 60} minutes.", field="seconds"
        )
    if cue_mode not in CUES:
        raise Invalid("Choose whether the story is hidden or shown as bullet points.", field="cue")
    return limit_seconds, str(cue_mode)


def drill_state(started_at: datetime, limit_seconds: int, finished_at: datetime | None, now: datetime) -> DrillState:
    """Where a drill stands at `now`: the clock stops when the teller says they are done."""
    end = finished_at if finished_at is not None else now
    elapsed = max(0.0, (end - started_at).total_seconds())
    return DrillState(
        elapsed_s=elapsed,
        remaining_s=max(0.0, limit_seconds - elapsed),
        over_s=max(0.0, elapsed - limit_seconds),
        finished=finished_at is not None,
    )


def parse_ratings(data: Mapping[str, Any], dimensions: Iterable[str], names: Mapping[str, str]) -> dict[str, int]:
    """A drill's ratings from form fields `rating_<key>`: a level 1-4 for each of the story's dimensions."""
    out = {}
    for key in dimensions:
        raw = str(data.get(f"rating_{key}", "") or "")
        if not (raw.isdigit() and 1 <= int(raw) <= LEVELS):
            raise Invalid(f"Rate {names.get(key, key)} from 1 to {LEVELS}.", field=f"rating_{key}")
        out[key] = int(raw)
    return out


# ---------- coverage ----------

GAP, UNREHEARSED, WEAK, READY = "gap", "unrehearsed", "weak", "ready"
STATUS_TEXT = {
    GAP: "gap: no story shows it",
    UNREHEARSED: "not drilled yet",
    WEAK: "drilled, rated 2 or lower",
    READY: "drilled, rated 3 or higher",
}
READY_LEVEL = 3


@dataclass(frozen=True)
class StoryFacts:
    """What coverage needs of a story: its tags and its latest rated drill's ratings."""

    id: int
    title: str
    dimensions: tuple[str, ...]
    prompts: tuple[str, ...]
    ratings: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CoverageRow:
    key: str
    name: str
    stages: tuple[str, ...]
    cells: tuple[int | None, ...]  # per story (in the grid's order): None not tagged, 0 tagged and unrated, 1-4
    best: int | None  # the best latest rating among the stories tagged with it
    status: str


@dataclass(frozen=True)
class Coverage:
    stories: tuple[StoryFacts, ...]
    rows: tuple[CoverageRow, ...]
    prompts: tuple[tuple[str, str, tuple[str, ...]], ...]  # (slug, title, titles of stories answering it)

    @property
    def covered(self) -> int:
        return sum(1 for r in self.rows if r.status != GAP)

    @property
    def gaps(self) -> tuple[CoverageRow, ...]:
        return tuple(r for r in self.rows if r.status == GAP)


def coverage(tags: Tags, stories: Iterable[StoryFacts]) -> Coverage:
    """The behavioral dimensions against the stories: which story shows which, how its last drill
    went, and the gaps no story fills. A dimension's status comes from its best-rated story."""
    ordered = tuple(sorted(stories, key=lambda s: (s.title.lower(), s.id)))
    rows = []
    for key, name in tags.dimensions.items():
        cells: list[int | None] = []
        for s in ordered:
            cells.append((s.ratings.get(key) or 0) if key in s.dimensions else None)
        tagged = [c for c in cells if c is not None]
        rated = [c for c in tagged if c]
        best = max(rated) if rated else None
        if not tagged:
            status = GAP
        elif best is None:
            status = UNREHEARSED
        else:
            status = READY if best >= READY_LEVEL else WEAK
        rows.append(CoverageRow(key, name, tags.stages_of.get(key, ()), tuple(cells), best, status))
    prompts = tuple(
        (slug, title, tuple(s.title for s in ordered if slug in s.prompts)) for slug, title in tags.prompts.items()
    )
    return Coverage(ordered, tuple(rows), prompts)
