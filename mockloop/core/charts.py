"""Server-rendered SVG charts: readable without JavaScript, no CDN, with a text alternative."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 320, 120, 24


def level_trend(
    points: list[int],
    label: str,
    chart_id: str,
    low: int = 1,
    high: int = 4,
    ticks: Sequence[int] | None = None,
    unit: str = "",
) -> Markup:
    """A line of values over successive rounds (oldest left), with its numbers in <desc>: rubric
    levels by default. `ticks` (every whole number from low to high unless given) are the axis's
    lines, and `unit` follows each number in the text, for levels cleared (0-4) or a pass rate (0-100 %)."""
    n = len(points)
    span = WIDTH - 2 * PAD

    def x(i: int) -> float:
        return PAD + (span * i / (n - 1) if n > 1 else span / 2)

    def y(level: float) -> float:
        return PAD + (HEIGHT - 2 * PAD) * (high - level) / (high - low)

    grid = "".join(
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(v):.1f}" y2="{y(v):.1f}" class="grid"/>'
        f'<text x="{PAD - 6}" y="{y(v) + 4:.1f}" class="axis" text-anchor="end">{v}</text>'
        for v in (range(low, high + 1) if ticks is None else ticks)
    )
    path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(points))
    dots = "".join(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" class="dot"/>' for i, v in enumerate(points))
    desc = f"{n} rounds, oldest first: {', '.join(f'{v}{unit}' for v in points)}" if n else "no rounds yet"
    line = f'<polyline points="{path}" class="line"/>' if n > 1 else ""
    return Markup(
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d">'
        f'<title id="{chart_id}-t">{escape(label)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
        f"{grid}{line}{dots}</svg>"
    )


def level_table(points: list[tuple[datetime, int]], caption: str) -> Markup:
    """A trend's numbers as a table (dates shown in the reader's zone by local-time.js): written in one
    pass because the progress page carries dozens of these."""
    rows = "".join(
        f'<tr><td><time datetime="{at.isoformat()}" data-local>{at:%Y-%m-%d}</time></td><td>{level}</td></tr>'
        for at, level in points
    )
    return Markup(
        f'<table><caption class="visually-hidden">{escape(caption)}</caption>'
        f'<thead><tr><th scope="col">When</th><th scope="col">Level</th></tr></thead><tbody>{rows}</tbody></table>'
    )
