"""The prompt catalog: Markdown prompt files parsed, linted and rendered once at start."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import yaml

from mockloop.core.board import StarterError, parse_starter, starter_json
from mockloop.core.code_tests import CodeTest, Level, PromptTests, TestsError, headings, read_tests
from mockloop.core.loop import (
    SLUG_RE,
    DefinitionError,
    Loop,
    Phase,
    Stage,
    _Reader,
    scale_phases,
)
from mockloop.core.markup import render_trusted
from mockloop.core.work import RUN_SECONDS_DEFAULT, RUN_SECONDS_MAX

BRIEF, GUIDE = "Candidate brief", "Interviewer guide"
GUIDE_SECTIONS = ("Clarifying answers", "Hints", "Follow-ups", "Levels", "Pitfalls", "Reference outline")
MIN_LISTED = {"Hints": 3, "Follow-ups": 3}
TAG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NUMBERED_RE = re.compile(r"^\d+[.)]\s+\S")
NUMBER_MARK_RE = re.compile(r"^\d+[.)]\s+")
# The guide sections a candidate scores against once their round is locked (beside their work).
SCORING_SECTIONS = ("Pitfalls", "Follow-ups", "Reference outline")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Prompt:
    slug: str
    stage: str
    title: str
    tags: tuple[str, ...]
    difficulty: int
    duration: int | None
    phases: tuple[Phase, ...] | None
    brief_html: str
    guide_html: str
    path: str
    user_owned: bool = False
    run_seconds: int = RUN_SECONDS_DEFAULT  # a code run's wall-clock limit in the browser
    board: str = ""  # a starter drawing for the whiteboard: Excalidraw skeletons as JSON (core/board.py)
    # Executable tests (code_tests.py): by language; leveled prompts keep theirs per level instead.
    examples: dict[str, tuple[CodeTest, ...]] = field(default_factory=dict)
    hidden: dict[str, tuple[CodeTest, ...]] = field(default_factory=dict)
    solutions: dict[str, str] = field(default_factory=dict)
    levels: tuple[Level, ...] = ()
    level_html: tuple[str, ...] = ()  # each level's brief, shown once the level opens

    @property
    def testable(self) -> bool:
        return bool(self.hidden or self.levels)

    @property
    def level_count(self) -> int | None:
        """The levels a round of this prompt can clear: a prompt with hidden tests but no levels has
        one; a prompt without tests has none to clear (None)."""
        return (len(self.levels) or 1) if self.testable else None

    def examples_at(self, level: int) -> dict[str, tuple[CodeTest, ...]]:
        return self.levels[level - 1].examples if self.levels else self.examples

    def hidden_at(self, level: int) -> dict[str, tuple[CodeTest, ...]]:
        return self.levels[level - 1].hidden if self.levels else self.hidden

    # What the guide says in structured form, for scoring against it after the lock: per rubric
    # key, the four level descriptions (inline HTML, level 1 first); SCORING_SECTIONS as HTML.
    guide_levels: tuple[tuple[str, tuple[str, ...]], ...] = ()
    guide_sections: tuple[tuple[str, str], ...] = ()
    # The brief and every guide section as written (Markdown), for the AI features, each of which
    # sends only the sections core/ai_disclosure.py lists for it.
    brief_md: str = ""
    guide_md: tuple[tuple[str, str], ...] = ()

    def phases_for(self, stage: Stage, minutes: int) -> tuple[Phase, ...]:
        """The phase plan for a round of `minutes` on this prompt."""
        return scale_phases(self.phases or stage.phases, minutes)

    def default_minutes(self, stage: Stage) -> int:
        return self.duration or stage.duration.default

    def levels_for(self, key: str) -> tuple[str, ...] | None:
        """This prompt's own four level descriptions for a rubric key, or None if the guide has none."""
        return next((levels for k, levels in self.guide_levels if k == key), None)

    def section_html(self, name: str) -> str | None:
        return next((html for n, html in self.guide_sections if n == name), None)

    def section_md(self, name: str) -> str:
        return next((text for n, text in self.guide_md if n == name), "")


class _Meta(TypedDict):
    """A prompt's checked front matter."""

    title: str
    stage: Stage
    tags: tuple[str, ...]
    difficulty: int
    duration: int | None
    phases: tuple[Phase, ...] | None
    run_seconds: int
    board: str


def _line_of_board(raw: str, index: int | None) -> int:
    """The file line of the front matter's `board:` key, or of its item `index` (the front matter
    starts on the file's second line)."""
    root = yaml.compose(raw, Loader=yaml.SafeLoader)
    for key, node in root.value if isinstance(root, yaml.MappingNode) else ():
        if key.value == "board":
            items = node.value if isinstance(node, yaml.SequenceNode) else []
            target = items[index] if index is not None and index < len(items) else key
            return int(target.start_mark.line) + 2
    return 1


def _numbered(lines: list[str]) -> int:
    return sum(1 for line in lines if NUMBERED_RE.match(line))


Span = tuple[int, int]  # (heading line index, end) of a part of a prompt file


def _sections(lines: list[str], guide: tuple[int, int]) -> dict[str, tuple[int, int]]:
    """The guide's '## ' sections: title -> (heading line, end), in file order."""
    start, end = guide
    heads = [(i, t) for i, t in headings(lines, start, 2) if i < end]
    return {t: (i, next((j for j, _ in heads if j > i), end)) for i, t in heads}


def _inline(markdown_text: str) -> str:
    """One list item's Markdown as inline HTML (a level description inside a table cell)."""
    html = render_trusted(markdown_text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def _levels(lines: list[str], span: tuple[int, int] | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Per '### <key>' under Levels, its numbered items (an item's continuation lines joined to it).
    Only keys with exactly four items: the lint has reported any other shape already."""
    if span is None:
        return ()
    heads = [(i, key) for i, key in headings(lines, span[0], 3) if i < span[1]]
    out = []
    for n, (i, key) in enumerate(heads):
        stop = heads[n + 1][0] if n + 1 < len(heads) else span[1]
        items: list[list[str]] = []
        for line in lines[i + 1 : stop]:
            if NUMBERED_RE.match(line):
                items.append([NUMBER_MARK_RE.sub("", line, count=1)])
            elif items and line.strip():
                items[-1].append(line.strip())
        if len(items) == 4:
            out.append((key, tuple(_inline(" ".join(item)) for item in items)))
    return tuple(out)


class _PromptParser:
    problems: list[Problem]

    def __init__(self, path: Path, loop: Loop):
        self.path, self.loop, self.problems = path, loop, []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(str(self.path), line, message))

    def parse(self, user_owned: bool) -> Prompt | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.problem(1, f"cannot read the file ({exc})")
            return None
        lines = text.splitlines()
        if not lines or lines[0].strip() != "---":
            self.problem(1, "expected front matter starting with '---' on the first line")
            return None
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is None:
            self.problem(1, "front matter is not closed by a second '---' line")
            return None
        meta = self.front_matter("\n".join(lines[1:end]))
        parts = self.parts(lines, end + 1)
        if meta is None or parts is None:
            return None
        brief, guide = parts
        self.lint_guide(lines, guide, meta["stage"])
        if self.problems:
            return None
        tests = self.tests(lines, brief, guide, meta["stage"])
        if self.problems or tests is None:
            return None
        brief_md = "\n".join(lines[brief[0] + 1 : tests.intro_end]).strip()
        guide_md = "\n".join(lines[guide[0] + 1 : guide[1]]).strip()
        sections = _sections(lines, guide)
        return Prompt(
            slug=self.path.stem,
            stage=meta["stage"].slug,
            title=meta["title"],
            tags=meta["tags"],
            difficulty=meta["difficulty"],
            duration=meta["duration"],
            phases=meta["phases"],
            brief_html=render_trusted(brief_md),
            guide_html=render_trusted(guide_md),
            path=str(self.path),
            user_owned=user_owned,
            run_seconds=meta["run_seconds"],
            board=meta["board"],
            examples=tests.examples,
            hidden=tests.hidden,
            solutions=tests.solutions,
            levels=tests.levels,
            level_html=tuple(
                render_trusted(f"## Level {lv.number}: {lv.title}\n\n{lv.brief_md}") for lv in tests.levels
            ),
            guide_levels=_levels(lines, sections.get("Levels")),
            guide_sections=tuple(
                (name, render_trusted("\n".join(lines[span[0] + 1 : span[1]]).strip()))
                for name, span in sections.items()
                if name in SCORING_SECTIONS
            ),
            brief_md=brief_md,
            guide_md=tuple((name, "\n".join(lines[span[0] + 1 : span[1]]).strip()) for name, span in sections.items()),
        )

    def front_matter(self, raw: str) -> _Meta | None:
        try:
            data = yaml.safe_load(raw)
            r = _Reader(self.path)
            data = r.mapping(data, "front matter")
            title = r.text(data, "title", "")
            stage = self.loop.stage(r.text(data, "stage", ""))
            if stage is None:
                r.fail("stage", f"one of {', '.join(s.slug for s in self.loop.stages)}")
            if stage.slug != self.path.parent.name:
                r.fail("stage", f"the folder name {self.path.parent.name!r}")
            tags = data.get("tags")
            if (
                not isinstance(tags, list)
                or not tags
                or not all(isinstance(t, str) and TAG_RE.fullmatch(t) for t in tags)
            ):
                r.fail("tags", "a non-empty list of lowercase hyphenated words")
            difficulty = data.get("difficulty")
            if difficulty not in (1, 2, 3) or isinstance(difficulty, bool):
                r.fail("difficulty", "1, 2 or 3")
            duration = data.get("duration")
            if duration is not None:
                duration = r.number(data, "duration", "")
                if not stage.duration.allows(duration):
                    r.fail("duration", f"minutes within {stage.duration.min}-{stage.duration.max}")
            phases = None
            if data.get("phases") is not None:
                phases = r.phases(data["phases"], "phases")
                total = duration or stage.duration.default
                if abs(sum(p.minutes for p in phases) - total) > 1e-6:
                    r.fail("phases", f"minutes adding up to the duration ({total})")
            run_seconds = RUN_SECONDS_DEFAULT
            if data.get("run_seconds") is not None:
                run_seconds = r.number(data, "run_seconds", "")
                if "code" not in stage.workspace or run_seconds > RUN_SECONDS_MAX:
                    r.fail("run_seconds", f"up to {RUN_SECONDS_MAX} seconds, on a stage with the code workspace")
            board: str | None = ""
            if data.get("board") is not None:
                if "board" not in stage.workspace:
                    r.fail("board", "a starter drawing only on a stage with the board workspace")
                board = self.starter(raw, data["board"])
        except yaml.YAMLError as exc:
            mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
            self.problem(mark.line + 2 if mark else 1, f"front matter is not valid YAML ({exc})")
            return None
        except DefinitionError as exc:
            self.problem(1, f"{exc.field}: expected {exc.expected}")
            return None
        if board is None:  # the problem is reported, with its line
            return None
        if not SLUG_RE.fullmatch(self.path.stem):
            self.problem(1, "file name: expected lowercase letters, digits and hyphens")
            return None
        return _Meta(
            title=title,
            stage=stage,
            tags=tuple(tags),
            difficulty=difficulty,
            duration=duration,
            phases=phases,
            run_seconds=run_seconds,
            board=board,
        )

    def starter(self, raw: str, value: object) -> str | None:
        """The front matter's `board:` starter drawing as JSON; a problem names the item's line."""
        try:
            return starter_json(parse_starter(value))
        except StarterError as exc:
            where = "board" if exc.index is None else f"board, item {exc.index + 1}"
            self.problem(_line_of_board(raw, exc.index), f"{where}: {exc.message}")
            return None

    def parts(self, lines: list[str], start: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
        found = headings(lines, start, 1)
        titles = [t for _, t in found]
        if titles != [BRIEF, GUIDE]:
            self.problem(
                found[0][0] + 1 if found else start + 1,
                f"expected exactly the parts '# {BRIEF}' then '# {GUIDE}', found {titles or 'none'}",
            )
            return None
        (b, _), (g, _) = found
        if not "\n".join(lines[b + 1 : g]).strip():
            self.problem(b + 1, "the candidate brief is empty")
        return (b, g), (g, len(lines))

    def tests(
        self, lines: list[str], brief: tuple[int, int], guide: tuple[int, int], stage: Stage
    ) -> PromptTests | None:
        try:
            return read_tests(lines, brief, guide, "code" in stage.workspace)
        except TestsError as exc:
            self.problem(exc.line, exc.message)
            return None

    def lint_guide(self, lines: list[str], guide: tuple[int, int], stage: Stage) -> None:
        start = guide[0]
        bounds = _sections(lines, guide)
        required = GUIDE_SECTIONS + (("Test cases",) if "code" in stage.workspace else ())
        for name in required:
            if name not in bounds:
                self.problem(start + 1, f"interviewer guide lacks the section '## {name}'")
            elif not "\n".join(lines[bounds[name][0] + 1 : bounds[name][1]]).strip():
                self.problem(bounds[name][0] + 1, f"section '## {name}' is empty")
        for name, least in MIN_LISTED.items():
            if name in bounds and _numbered(lines[slice(*bounds[name])]) < least:
                self.problem(bounds[name][0] + 1, f"section '## {name}' needs at least {least} numbered items")
        if "Levels" in bounds:
            self.lint_levels(lines, bounds["Levels"], stage)

    def lint_levels(self, lines: list[str], span: tuple[int, int], stage: Stage) -> None:
        heads = [(i, t) for i, t in headings(lines, span[0], 3) if i < span[1]]
        if not heads:
            self.problem(span[0] + 1, "section '## Levels' needs a '### <rubric key>' per dimension")
        for n, (i, key) in enumerate(heads):
            stop = heads[n + 1][0] if n + 1 < len(heads) else span[1]
            if stage.dimension(key) is None:
                self.problem(
                    i + 1,
                    f"'{key}' is not a rubric key of {stage.slug} "
                    f"(expected one of {', '.join(d.key for d in stage.rubric)})",
                )
            elif _numbered(lines[i + 1 : stop]) != 4:
                self.problem(i + 1, f"levels for '{key}' need exactly 4 numbered items")


@dataclass
class Catalog:
    prompts: dict[str, Prompt] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def for_stage(self, stage: str) -> list[Prompt]:
        return sorted((p for p in self.prompts.values() if p.stage == stage), key=lambda p: (p.difficulty, p.title))

    def get(self, stage: str, slug: str) -> Prompt | None:
        prompt = self.prompts.get(slug)
        return prompt if prompt and prompt.stage == stage else None

    def filter(
        self, stage: str, tag: str | None = None, difficulty: int | None = None, text: str | None = None
    ) -> list[Prompt]:
        needle = (text or "").strip().lower()
        return [
            p
            for p in self.for_stage(stage)
            if (not tag or tag in p.tags)
            and (not difficulty or p.difficulty == difficulty)
            and (not needle or needle in p.title.lower() or any(needle in t for t in p.tags))
        ]

    def tags(self, stage: str) -> list[str]:
        return sorted({t for p in self.for_stage(stage) for t in p.tags})


def load_catalog(loop: Loop, shipped: Path, user: Path | None = None) -> Catalog:
    """Load every prompt of the loop's stages; a broken file is reported and skipped.

    User prompts (instance/prompts/) load after the shipped bank and may replace a shipped slug.
    """
    catalog = Catalog()
    for root, user_owned in ((shipped, False), (user, True)):
        if root is None or not root.is_dir():
            continue
        local: dict[str, str] = {}
        for stage in loop.stages:
            for path in sorted((root / stage.slug).glob("*.md")):
                parser = _PromptParser(path, loop)
                prompt = parser.parse(user_owned)
                catalog.problems.extend(parser.problems)
                if prompt is None:
                    continue
                if prompt.slug in local:
                    catalog.problems.append(
                        Problem(str(path), 1, f"slug '{prompt.slug}' is already used by {local[prompt.slug]}")
                    )
                    continue
                local[prompt.slug] = str(path)
                catalog.prompts[prompt.slug] = prompt
    return catalog


def scaffold(stage: Stage, slug: str) -> str:
    """A valid prompt file for `mockloop prompts new`, to be filled in."""
    coding = "\n## Test cases\n- Input ... -> expected ...\n" if "code" in stage.workspace else ""
    levels = "\n".join(
        f"### {d.key}\n" + "\n".join(f"{n}. {d.levels[n - 1]}" for n in range(1, 5)) + "\n" for d in stage.rubric[:3]
    )
    title = slug.replace("-", " ").capitalize()
    return f"""---
title: {title}
stage: {stage.slug}
tags: [practice]
difficulty: 2
---

# {BRIEF}

Describe the scenario, the constraints and the numbers the candidate needs.

# {GUIDE}

## Clarifying answers
- Question a candidate should ask: the answer, with numbers.

## Hints
1. A gentle nudge.
2. A stronger nudge.
3. The strongest nudge that still leaves the answer to the candidate.

## Follow-ups
1. A deeper question.
2. Another.
3. One more.

## Levels
{levels}
## Pitfalls
- A common mistake.

## Reference outline
- The shape of a strong answer.
{coding}"""
