"""Loop definitions: stages, durations, phases and rubrics, loaded from YAML and validated."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn, overload

import yaml

from mockloop.core.work import WORKSPACES

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
LEVELS = 4


class DefinitionError(ValueError):
    """A content file is wrong; the message names the file, the field and what was expected."""

    def __init__(self, path: Path | str, field: str, expected: str, line: int | None = None):
        self.path, self.field, self.expected, self.line = str(path), field, expected, line
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {field}: expected {expected}")


@dataclass(frozen=True)
class Phase:
    name: str
    minutes: float


@dataclass(frozen=True)
class Dimension:
    key: str
    name: str
    levels: tuple[str, ...]


@dataclass(frozen=True)
class Duration:
    default: int
    min: int
    max: int

    def allows(self, minutes: int) -> bool:
        return self.min <= minutes <= self.max


@dataclass(frozen=True)
class Stage:
    slug: str
    title: str
    summary: str
    duration: Duration
    phases: tuple[Phase, ...]
    rubric: tuple[Dimension, ...]
    # The work area beside the scratchpad (core/work.py WORKSPACES): ("code",) for a coding round,
    # ("board",) for a drawn one; at most one.
    workspace: tuple[str, ...] = ()
    # A conversation won with prepared stories (recruiter screen, mission and culture): its
    # dimensions tag the story bank's stories, and its rounds can show them beside the brief.
    behavioral: bool = False

    def dimension(self, key: str) -> Dimension | None:
        return next((d for d in self.rubric if d.key == key), None)


@dataclass(frozen=True)
class Recommendation:
    key: str
    label: str


@dataclass(frozen=True)
class Loop:
    slug: str
    title: str
    description: str
    recommendation: tuple[Recommendation, ...]
    stages: tuple[Stage, ...]

    def stage(self, slug: str) -> Stage | None:
        return next((s for s in self.stages if s.slug == slug), None)

    @property
    def behavioral(self) -> tuple[Stage, ...]:
        return tuple(s for s in self.stages if s.behavioral)


def scale_phases(phases: tuple[Phase, ...], minutes: float) -> tuple[Phase, ...]:
    """Stretch or shrink a phase plan to a new total, keeping each phase's share."""
    total = sum(p.minutes for p in phases)
    if not total or total == minutes:
        return phases
    return tuple(Phase(p.name, p.minutes * minutes / total) for p in phases)


class _Reader:
    """Typed field access that turns every shape error into a DefinitionError for one file."""

    def __init__(self, path: Path | str):
        self.path = path

    def fail(self, field: str, expected: str) -> NoReturn:
        raise DefinitionError(self.path, field, expected)

    def mapping(self, value: object, field: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(field, "a mapping")
        return value

    def items(self, value: object, field: str, at_least: int = 1) -> list[Any]:
        if not isinstance(value, list) or len(value) < at_least:
            self.fail(field, f"a list of at least {at_least}")
        return value

    def text(self, data: dict[str, Any], key: str, field: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{field}.{key}" if field else key, "a non-empty string")
        return value.strip()

    # Whole numbers come back as int, so callers building int fields need no cast.
    @overload
    def number(
        self, data: dict[str, Any], key: str, field: str, low: float = 0, integer: Literal[True] = True
    ) -> int: ...

    @overload
    def number(
        self, data: dict[str, Any], key: str, field: str, low: float = 0, *, integer: Literal[False]
    ) -> float: ...

    def number(self, data: dict[str, Any], key: str, field: str, low: float = 0, integer: bool = True) -> float:
        value = data.get(key)
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or value <= low:
            kind = "a whole number" if integer else "a number"
            self.fail(f"{field}.{key}", f"{kind} greater than {low}")
        return value

    def phases(self, value: object, field: str) -> tuple[Phase, ...]:
        out = []
        for i, raw in enumerate(self.items(value, field)):
            item = self.mapping(raw, f"{field}[{i}]")
            out.append(
                Phase(
                    self.text(item, "name", f"{field}[{i}]"),
                    self.number(item, "minutes", f"{field}[{i}]", integer=False),
                )
            )
        return tuple(out)


def parse_loop(data: object, path: Path | str = "<loop>") -> Loop:
    r = _Reader(path)
    data = r.mapping(data, "top level")
    slug = r.text(data, "slug", "")
    title = r.text(data, "title", "")
    recommendation = []
    for i, raw in enumerate(r.items(data.get("recommendation"), "recommendation", at_least=2)):
        item = r.mapping(raw, f"recommendation[{i}]")
        recommendation.append(
            Recommendation(r.text(item, "key", f"recommendation[{i}]"), r.text(item, "label", f"recommendation[{i}]"))
        )
    if len(recommendation) % 2:
        r.fail("recommendation", "an even number of levels (no neutral middle)")

    stages, seen = [], set()
    for i, raw in enumerate(r.items(data.get("stages"), "stages")):
        field = f"stages[{i}]"
        item = r.mapping(raw, field)
        stage_slug = r.text(item, "slug", field)
        if not SLUG_RE.fullmatch(stage_slug):
            r.fail(f"{field}.slug", "lowercase letters, digits and hyphens")
        if stage_slug in seen:
            r.fail(f"{field}.slug", f"a slug not used before (duplicate {stage_slug!r})")
        seen.add(stage_slug)
        field = f"stages.{stage_slug}"
        dur = r.mapping(item.get("duration"), f"{field}.duration")
        duration = Duration(*(r.number(dur, k, f"{field}.duration") for k in ("default", "min", "max")))
        if not duration.min <= duration.default <= duration.max:
            r.fail(f"{field}.duration", "min <= default <= max")
        phases = r.phases(item.get("phases"), f"{field}.phases")
        behavioral = item.get("behavioral", False)
        if not isinstance(behavioral, bool):
            r.fail(f"{field}.behavioral", "true or false")
        if abs(sum(p.minutes for p in phases) - duration.default) > 1e-6:
            r.fail(f"{field}.phases", f"minutes adding up to duration.default ({duration.default})")
        stages.append(
            Stage(
                stage_slug,
                r.text(item, "title", field),
                str(item.get("summary") or "").strip(),
                duration,
                phases,
                _rubric(r, item.get("rubric"), f"{field}.rubric"),
                _workspace(r, item.get("workspace"), f"{field}.workspace"),
                behavioral=behavioral,
            )
        )
    return Loop(slug, title, str(data.get("description") or "").strip(), tuple(recommendation), tuple(stages))


def _workspace(r: _Reader, value: object, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(w, str) and w in WORKSPACES for w in value):
        r.fail(field, f"a list of workspaces from: {', '.join(WORKSPACES)}")
    if len(set(value)) > 1:  # the round page has room (and tabs) for one work area beside the brief
        r.fail(field, f"one workspace, not {len(set(value))}: a round shows one work area beside the brief")
    return tuple(dict.fromkeys(value))


def _rubric(r: _Reader, value: object, field: str) -> tuple[Dimension, ...]:
    dims, keys = [], set()
    for i, raw in enumerate(r.items(value, field)):
        item = r.mapping(raw, f"{field}[{i}]")
        key = r.text(item, "key", f"{field}[{i}]")
        if not KEY_RE.fullmatch(key) or key in keys:
            r.fail(f"{field}[{i}].key", "a unique snake_case key")
        keys.add(key)
        levels = item.get("levels")
        if (
            not isinstance(levels, list)
            or len(levels) != LEVELS
            or not all(isinstance(t, str) and t.strip() for t in levels)
        ):
            r.fail(f"{field}.{key}.levels", f"exactly {LEVELS} non-empty level descriptions")
        # Authors may number the levels ("3: Clear ..."); the number is the position, so drop it.
        texts = tuple(re.sub(rf"^{n}\s*[:.)]\s*", "", t.strip()) for n, t in enumerate(levels, start=1))
        dims.append(Dimension(key, r.text(item, "name", f"{field}.{key}"), texts))
    return tuple(dims)


def load_loop(path: Path) -> Loop:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DefinitionError(path, "file", f"a readable file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DefinitionError(
            path, "YAML", f"valid YAML ({getattr(exc, 'problem', exc)})", line=mark.line + 1 if mark else None
        ) from exc
    return parse_loop(data, path)
