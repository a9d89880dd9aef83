"""How closely two raters agree on 1-4 levels: quadratic-weighted kappa (Cohen's kappa with weights
(i - j)^2 / (k - 1)^2, the measure automated essay and interview graders report), mean absolute
error, and the share of exact and adjacent (within one level) agreement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mockloop.core.loop import LEVELS

Pairs = Sequence[tuple[int, int]]  # (human level, AI level)


@dataclass(frozen=True)
class Agreement:
    pairs: int
    kappa: float | None  # None when undefined: fewer than two pairs, or both raters constant and equal
    mae: float
    exact: float  # share of pairs, 0-1
    adjacent: float  # share within one level, exact included


def weighted_kappa(pairs: Pairs, levels: int = LEVELS) -> float | None:
    """1 - (observed weighted disagreement / the disagreement expected by chance from the marginals)."""
    n = len(pairs)
    if n < 2:
        return None
    weight = [[(i - j) ** 2 / (levels - 1) ** 2 for j in range(levels)] for i in range(levels)]
    observed = [[0.0] * levels for _ in range(levels)]
    for a, b in pairs:
        observed[a - 1][b - 1] += 1
    rows = [sum(observed[i]) for i in range(levels)]
    cols = [sum(observed[i][j] for i in range(levels)) for j in range(levels)]
    disagreement = sum(weight[i][j] * observed[i][j] for i in range(levels) for j in range(levels))
    chance = sum(weight[i][j] * rows[i] * cols[j] / n for i in range(levels) for j in range(levels))
    if chance == 0:  # both raters gave one and the same level throughout: kappa says nothing
        return None
    return 1 - disagreement / chance


def agreement(pairs: Pairs) -> Agreement:
    n = len(pairs)
    if n == 0:
        return Agreement(0, None, 0.0, 0.0, 0.0)
    gaps = [abs(a - b) for a, b in pairs]
    return Agreement(
        pairs=n,
        kappa=weighted_kappa(pairs),
        mae=sum(gaps) / n,
        exact=sum(1 for g in gaps if g == 0) / n,
        adjacent=sum(1 for g in gaps if g <= 1) / n,
    )
