"""Readiness at a glance: per stage, the recent level, its trend, the weakest dimension and when it
was last practiced; and a dimension-by-stage map of recent levels. Pure arithmetic on cards the
caller has read (newest first), so it is tested with plain values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from mockloop.core.levels import Figures
from mockloop.core.loop import Stage

RECENT_CARDS = 5  # "recent": a stage's last few cards; the few before them give the trend
STEADY = 0.25  # a change of the recent level smaller than this reads as steady
UP, DOWN, FLAT = "up", "down", "steady"


@dataclass(frozen=True)
class Card:
    """One scorecard about the user as candidate: when it was submitted and its levels; for a coding
    round also its round, prompt and level figures (the practice plan reads them)."""

    at: datetime
    levels: Mapping[str, int]
    round_id: int | None = None
    prompt: str = ""
    code: Figures | None = None


@dataclass(frozen=True)
class Weakest:
    key: str
    name: str
    mean: float


@dataclass(frozen=True)
class StageReadiness:
    stage: str
    title: str
    level: float | None  # mean of the recent cards' mean levels; None: never scored
    cards: int  # how many cards that mean is of
    previous: float | None  # the same mean over the cards just before them
    previous_cards: int
    weakest: Weakest | None
    means: dict[str, float]  # dimension -> mean over the recent cards
    last_practiced: datetime | None

    @property
    def change(self) -> float | None:
        return None if self.level is None or self.previous is None else self.level - self.previous

    @property
    def trend(self) -> str | None:
        change = self.change
        if change is None:
            return None
        return UP if change >= STEADY else DOWN if change <= -STEADY else FLAT


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _card_means(cards: Sequence[Card]) -> list[float]:
    return [sum(c.levels.values()) / len(c.levels) for c in cards if c.levels]


def stage_readiness(
    stage: Stage, cards: Sequence[Card], last_practiced: datetime | None, recent: int = RECENT_CARDS
) -> StageReadiness:
    """`cards` newest first; only the first 2 x `recent` are read."""
    now_cards, before = cards[:recent], cards[recent : 2 * recent]
    by_dim: dict[str, list[int]] = {}
    for card in now_cards:
        for key, level in card.levels.items():
            by_dim.setdefault(key, []).append(level)
    means = {key: sum(v) / len(v) for key, v in by_dim.items()}
    order = {d.key: i for i, d in enumerate(stage.rubric)}
    weakest = None
    if means:  # ties go to the dimension the rubric lists first; retired dimensions after
        key = min(means, key=lambda k: (means[k], order.get(k, len(order)), k))
        dim = stage.dimension(key)
        weakest = Weakest(key, dim.name if dim else key, means[key])
    return StageReadiness(
        stage=stage.slug,
        title=stage.title,
        level=_mean(_card_means(now_cards)),
        cards=len(now_cards),
        previous=_mean(_card_means(before)),
        previous_cards=len(before),
        weakest=weakest,
        means=means,
        last_practiced=last_practiced,
    )


@dataclass(frozen=True)
class HeatRow:
    key: str
    name: str
    # Per stage (in loop order): the recent mean, None if the stage scores it but has no cards yet,
    # or the stage does not score this dimension at all (scored False).
    cells: tuple[tuple[bool, float | None], ...]


def heat_map(stages: Sequence[Stage], readiness: Mapping[str, StageReadiness]) -> list[HeatRow]:
    """Dimensions (by key, in the order the loop first lists them) against stages. A key that stages
    name differently ("Production-quality code", "Code quality") is one row with both names."""
    names: dict[str, list[str]] = {}
    for stage in stages:
        for d in stage.rubric:
            if d.name not in names.setdefault(d.key, []):
                names[d.key].append(d.name)
    rows = []
    for key, all_names in names.items():
        cells = []
        for stage in stages:
            scored = stage.dimension(key) is not None
            r = readiness.get(stage.slug)
            cells.append((scored, r.means.get(key) if scored and r else None))
        rows.append(HeatRow(key, " / ".join(all_names), tuple(cells)))
    return rows
