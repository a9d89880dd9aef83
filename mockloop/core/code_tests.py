"""Executable tests of a coding prompt (prompts/FORMAT.md, "Executable tests"): the `tests <language>`
blocks, the reference solutions and the levels, read out of a prompt file's Markdown; the comparison
of a reported value with the expected one; and which level a round has reached.

Candidate code runs only in the browser. The server compares values the browser reports for hidden
tests (whose expected values it never sends), and the prompt lint runs reference solutions, which are
trusted content, in a subprocess (services/prompt_check.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import yaml

FENCE = re.compile(r"^(`{3,}|~{3,})\s*(.*?)\s*$")
TESTS_INFO = re.compile(r"^tests\s+(python|javascript)$")
SOLUTION_LANGUAGES = ("python", "javascript")
LEVEL_HEADING = re.compile(r"^## Level (\d+)\s*:\s*(.+)$")
MAX_LEVELS = 4


@dataclass(frozen=True)
class CodeTest:
    name: str
    call: str
    expected: object
    line: int  # where its block starts, for messages

    def public(self) -> dict[str, object]:
        """What the candidate may see of an example test (all of it)."""
        return {"name": self.name, "call": self.call, "expected": self.expected}


@dataclass(frozen=True)
class Block:
    info: str
    body: str
    line: int  # 1-based line of the opening fence


@dataclass(frozen=True)
class Level:
    number: int
    title: str
    brief_md: str
    examples: dict[str, tuple[CodeTest, ...]]
    hidden: dict[str, tuple[CodeTest, ...]] = field(default_factory=dict)


def headings(lines: list[str], start: int, level: int) -> list[tuple[int, str]]:
    """(index, title) of every heading of exactly `level` outside code fences, from `start`."""
    marker, out, fence = "#" * level + " ", [], None
    for i in range(start, len(lines)):
        opened = FENCE.match(lines[i])
        if opened and (fence is None or opened.group(1).startswith(fence)):
            fence = None if fence else opened.group(1)
        elif fence is None and lines[i].startswith(marker):
            out.append((i, lines[i][len(marker) :].strip()))
    return out


def spans(heads: list[tuple[int, str]], end: int) -> list[tuple[int, str, int]]:
    """(index, title, end of its section) for consecutive headings, the last ending at `end`."""
    return [(i, t, heads[n + 1][0] if n + 1 < len(heads) else end) for n, (i, t) in enumerate(heads)]


def blocks(lines: list[str], offset: int = 0) -> list[Block]:
    """The fenced blocks of `lines` (offset: the 0-based index of lines[0] in the file)."""
    out, i = [], 0
    while i < len(lines):
        opened = FENCE.match(lines[i])
        if opened:
            fence, info, start = opened.group(1), opened.group(2), i
            i += 1
            body = []
            while i < len(lines) and not lines[i].strip().startswith(fence):
                body.append(lines[i])
                i += 1
            out.append(Block(info, "\n".join(body), offset + start + 1))
        i += 1
    return out


class TestsError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def parse_tests(block: Block) -> tuple[CodeTest, ...]:
    """A `tests <language>` block's YAML: a non-empty list of {name, call, expected}."""
    try:
        data = yaml.safe_load(block.body)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise TestsError(
            block.line + 1 + (mark.line if mark else 0), f"tests block is not valid YAML ({exc})"
        ) from None
    if not isinstance(data, list) or not data:
        raise TestsError(block.line, "a tests block holds a YAML list of tests ({name, call, expected})")
    tests = []
    for n, item in enumerate(data, start=1):
        if not isinstance(item, dict) or set(item) != {"name", "call", "expected"}:
            raise TestsError(block.line, f"test {n}: expected exactly the keys name, call and expected")
        if not isinstance(item["name"], str) or not item["name"].strip():
            raise TestsError(block.line, f"test {n}: name must be text")
        if not isinstance(item["call"], str) or not item["call"].strip():
            raise TestsError(block.line, f"test {item['name']!r}: call must be code (text)")
        if not _json_value(item["expected"]):
            raise TestsError(block.line, f"test {item['name']!r}: expected must be a JSON value")
        tests.append(CodeTest(item["name"].strip(), item["call"].rstrip(), item["expected"], block.line))
    return tuple(tests)


def tests_in(found: Iterable[Block]) -> dict[str, tuple[CodeTest, ...]]:
    """Every `tests <language>` block of a part, by language."""
    out: dict[str, tuple[CodeTest, ...]] = {}
    for block in found:
        info = TESTS_INFO.match(block.info)
        if info:
            out[info.group(1)] = out.get(info.group(1), ()) + parse_tests(block)
    return out


@dataclass(frozen=True)
class PromptTests:
    levels: tuple[Level, ...] = ()
    examples: dict[str, tuple[CodeTest, ...]] = field(default_factory=dict)
    hidden: dict[str, tuple[CodeTest, ...]] = field(default_factory=dict)
    solutions: dict[str, str] = field(default_factory=dict)
    intro_end: int = 0  # the brief before Level 1 (or the whole brief) ends at this line index

    def every(self) -> list[tuple[str, CodeTest]]:
        groups = [g for lv in self.levels for g in (lv.examples, lv.hidden)] + [self.examples, self.hidden]
        return [(lang, t) for g in groups for lang, ts in g.items() for t in ts]


def read_tests(lines: list[str], brief: tuple[int, int], guide: tuple[int, int], runnable: bool) -> PromptTests:
    """The tests, levels and reference solutions of a prompt whose brief and guide occupy those
    (heading, end) line spans; TestsError names the line of the first problem."""
    sections = {t: (i, end) for i, t, end in spans(headings(lines, guide[0] + 1, 2), guide[1])}
    hidden_span, solution_span = sections.get("Hidden tests"), sections.get("Reference solution")
    solutions = solutions_in(blocks(lines[slice(*solution_span)], solution_span[0])) if solution_span else {}
    heads = [(i, t) for i, t in headings(lines, brief[0] + 1, 2) if i < brief[1] and LEVEL_HEADING.match(f"## {t}")]
    if heads:
        found = PromptTests(
            _levels(lines, heads, brief[1], hidden_span or guide), solutions=solutions, intro_end=heads[0][0]
        )
    else:
        hidden = tests_in(blocks(lines[slice(*hidden_span)], hidden_span[0])) if hidden_span else {}
        examples = tests_in(blocks(lines[brief[0] + 1 : brief[1]], brief[0] + 1))
        found = PromptTests((), examples, hidden, solutions, brief[1])
    _check(found, runnable, (solution_span or guide)[0] + 1, guide[0] + 1)
    return found


def _levels(lines: list[str], heads: list[tuple[int, str]], end: int, hidden: tuple[int, int]) -> tuple[Level, ...]:
    if not 2 <= len(heads) <= MAX_LEVELS:
        raise TestsError(heads[0][0] + 1, f"a prompt has 2 to {MAX_LEVELS} levels, found {len(heads)}")
    per_level = {t: tests_in(blocks(lines[i:e], i)) for i, t, e in spans(headings(lines, hidden[0] + 1, 3), hidden[1])}
    for n, (i, title) in enumerate(heads, start=1):
        number = LEVEL_HEADING.match(f"## {title}").group(1)  # type: ignore[union-attr]  # filtered so
        if int(number) != n:
            raise TestsError(i + 1, f"levels are numbered 1, 2, ... in order: expected Level {n}, found {number}")
    levels = []
    for n, (i, title, stop) in enumerate(spans(heads, end), start=1):
        name = LEVEL_HEADING.match(f"## {title}").group(2)  # type: ignore[union-attr]
        examples = tests_in(blocks(lines[i:stop], i))
        if not examples:
            raise TestsError(i + 1, f"Level {n} has no example tests (a 'tests python' block)")
        if not per_level.get(f"Level {n}"):
            raise TestsError(hidden[0] + 1, f"'## Hidden tests' lacks a '### Level {n}' with a tests block")
        levels.append(Level(n, name.strip(), "\n".join(lines[i + 1 : stop]).strip(), examples, per_level[f"Level {n}"]))
    return tuple(levels)


def _check(found: PromptTests, runnable: bool, solution_line: int, guide_line: int) -> None:
    every = found.every()
    if not every:
        if found.solutions:
            raise TestsError(solution_line, "a reference solution needs tests to prove it")
        return
    if not runnable:
        raise TestsError(every[0][1].line, "tests run only on stages with the code workspace")
    if not found.levels and not found.hidden:
        raise TestsError(guide_line, "a prompt with example tests needs '## Hidden tests' in the guide")
    for lang in sorted({lang for lang, _ in every} - set(found.solutions)):
        raise TestsError(solution_line, f"'## Reference solution' lacks a ```{lang} block")
    seen: set[tuple[str, str]] = set()
    for lang, t in every:  # results are shown and recorded by name
        if (lang, t.name) in seen:
            raise TestsError(t.line, f"two {lang} tests are called {t.name!r}; names must be unique")
        seen.add((lang, t.name))


def solutions_in(found: Iterable[Block]) -> dict[str, str]:
    return {b.info: b.body for b in found if b.info in SOLUTION_LANGUAGES}


def _json_value(value: object) -> bool:
    if value is None or isinstance(value, (bool, str)):
        return True
    if isinstance(value, (int, float)):
        return not isinstance(value, float) or math.isfinite(value)
    if isinstance(value, list):
        return all(_json_value(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_value(v) for k, v in value.items())
    return False


def json_equal(a: object, b: object) -> bool:
    """Equal as JSON values, as the browser's runner compares them: numbers by value (1 == 1.0),
    booleans only with booleans (true != 1, which Python alone would call equal), objects in any
    key order."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def current_level(closed: Iterable[int], levels: int) -> int:
    """The level the candidate works on: 1 plus the levels closed in order (passed, or moved on
    from), at most the last."""
    done, reached = set(closed), 1
    while reached in done and reached < levels:
        reached += 1
    return reached
