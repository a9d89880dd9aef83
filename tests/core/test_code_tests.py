"""Executable tests in prompt files: the format's validation (each bad file reported with its line),
levels, JSON comparison as the browser makes it, and the prompt check running reference solutions."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockloop import prompt_check
from mockloop.core.catalog import load_catalog
from mockloop.core.code_tests import current_level, json_equal
from mockloop.core.loop import load_loop

DATA = Path(__file__).parent.parent / "data" / "prompts"

FRONT = "---\ntitle: T\nstage: code\ntags: [drill]\ndifficulty: 1\n---\n\n"
GUIDE_BASE = (
    "## Clarifying answers\n- a\n\n## Hints\n1. a\n2. b\n3. c\n\n## Follow-ups\n1. a\n2. b\n3. c\n\n"
    "## Levels\n### correctness\n1. a\n2. b\n3. c\n4. d\n\n## Pitfalls\n- a\n\n## Reference outline\n- a\n\n"
    "## Test cases\n- a\n"
)
SOLUTION = "\n## Reference solution\n```python\ndef add(a, b):\n    return a + b\n```\n"


def fenced(*items: str, language: str = "python") -> str:
    return f"```tests {language}\n" + "\n".join(items) + "\n```\n"


ADD = "- name: adds\n  call: add(1, 2)\n  expected: 3"
NEG = "- name: negatives\n  call: add(-1, -2)\n  expected: -3"


def load(tmp_path, brief: str, guide: str):
    root = tmp_path / "prompts"
    (root / "code").mkdir(parents=True)
    (root / "loop.yaml").write_text((DATA / "loop.yaml").read_text())
    (root / "code" / "p.md").write_text(FRONT + "# Candidate brief\n\n" + brief + "\n# Interviewer guide\n\n" + guide)
    catalog = load_catalog(load_loop(root / "loop.yaml"), root)
    return catalog.prompts.get("p"), catalog.problems


def test_a_prompt_with_examples_hidden_tests_and_a_solution_loads(tmp_path):
    prompt, problems = load(
        tmp_path, "Write add.\n\n" + fenced(ADD), GUIDE_BASE + "\n## Hidden tests\n" + fenced(NEG) + SOLUTION
    )
    assert problems == []
    assert [t.name for t in prompt.examples["python"]] == ["adds"]
    assert [t.name for t in prompt.hidden["python"]] == ["negatives"] and prompt.testable
    assert "SECRET" not in prompt.brief_html and "negatives" not in prompt.brief_html
    assert prompt_check.check(prompt) == (2, [])


@pytest.mark.parametrize(
    "brief, guide, at, message",
    [
        ("```tests python\n- name: [unclosed\n```\n", GUIDE_BASE, "- name: [unclosed", "not valid YAML"),
        (fenced("- just text"), GUIDE_BASE, "```tests python", "exactly the keys name, call and expected"),
        (fenced("- name: x\n  call: ''\n  expected: 1"), GUIDE_BASE, "```tests python", "call must be code"),
        (fenced(ADD), GUIDE_BASE + SOLUTION, "# Interviewer guide", "needs '## Hidden tests'"),
        (
            fenced(ADD),
            GUIDE_BASE + "\n## Hidden tests\n" + fenced(NEG),
            "# Interviewer guide",
            "lacks a ```python block",
        ),
        (
            fenced(ADD, ADD),
            GUIDE_BASE + "\n## Hidden tests\n" + fenced(NEG) + SOLUTION,
            "```tests python",
            "two python tests are called 'adds'",
        ),
        ("Text.\n", GUIDE_BASE + SOLUTION, "## Reference solution", "needs tests to prove it"),
        (
            "## Level 1: add\n" + fenced(ADD) + "\n## Level 3: more\n" + fenced(NEG),
            GUIDE_BASE + SOLUTION,
            "## Level 3",
            "expected Level 2, found 3",
        ),
        (
            "## Level 1: add\n" + fenced(ADD) + "\n## Level 2: more\n" + fenced(NEG),
            GUIDE_BASE + "\n## Hidden tests\n### Level 1\n" + fenced(ADD) + SOLUTION,
            "## Hidden tests",
            "lacks a '### Level 2'",
        ),
        ("## Level 1: only\n" + fenced(ADD), GUIDE_BASE, "## Level 1", "2 to 4 levels, found 1"),
    ],
)
def test_each_kind_of_bad_tests_is_reported_with_its_file_and_line(tmp_path, brief, guide, at, message):
    prompt, problems = load(tmp_path, brief, guide)
    assert prompt is None and len(problems) == 1
    assert problems[0].path.endswith("p.md") and message in problems[0].message
    lines = Path(problems[0].path).read_text().splitlines()
    assert problems[0].line == next(n for n, line in enumerate(lines, 1) if line.startswith(at)), problems[0]


def test_levels_split_the_brief_and_carry_their_own_tests(tmp_path):
    brief = (
        "Intro for all levels.\n\n## Level 1: add\nAdd two.\n" + fenced(ADD) + "\n## Level 2: negatives\n" + fenced(NEG)
    )
    hidden = (
        "\n## Hidden tests\n### Level 1\n"
        + fenced(ADD.replace("adds", "h1"))
        + "### Level 2\n"
        + fenced(NEG.replace("negatives", "h2"))
    )
    prompt, problems = load(tmp_path, brief, GUIDE_BASE + hidden + SOLUTION)
    assert problems == []
    assert [lv.title for lv in prompt.levels] == ["add", "negatives"]
    assert "Intro for all levels" in prompt.brief_html and "Level 1" not in prompt.brief_html
    assert "Add two" in prompt.level_html[0] and "Level 2: negatives" in prompt.level_html[1]
    assert [t.name for t in prompt.hidden_at(2)["python"]] == ["h2"]
    assert prompt_check.check(prompt) == (4, [])


def test_the_check_fails_on_a_test_the_solution_does_not_pass(tmp_path):
    wrong = "- name: wrong\n  call: add(2, 2)\n  expected: 5"
    prompt, _ = load(tmp_path, fenced(ADD), GUIDE_BASE + "\n## Hidden tests\n" + fenced(wrong) + SOLUTION)
    passed, failures = prompt_check.check(prompt)
    assert passed == 1 and len(failures) == 1
    assert "test 'wrong' expected 5, got 4" in str(failures[0]) and str(failures[0]).startswith(prompt.path)


def test_the_check_runs_javascript_solutions_with_node(tmp_path):
    js = "- name: adds\n  call: add(1, 2)\n  expected: 3"
    solution = (
        SOLUTION
        + "```javascript\nclass Box { constructor(v) { this.v = v } }\n"
        + "function add(a, b) { return new Box(a + b).v }\n```\n"
    )
    prompt, problems = load(
        tmp_path,
        fenced(ADD) + fenced(js, language="javascript"),
        GUIDE_BASE + "\n## Hidden tests\n" + fenced(NEG) + solution,
    )
    assert problems == []
    assert prompt_check.check(prompt) == (3, [])


@pytest.mark.parametrize(
    "a, b, equal",
    [
        (1, 1.0, True),
        (True, 1, False),
        (False, 0, False),
        ([1, [2]], [1, [2]], True),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}, True),
        ("1", 1, False),
        (None, None, True),
        ([1], [1, 2], False),
    ],
)
def test_json_equality_is_the_browsers(a, b, equal):
    assert json_equal(a, b) is equal and json_equal(b, a) is equal


def test_the_current_level_moves_on_only_in_order():
    assert current_level([], 4) == 1
    assert current_level([1, 2], 4) == 3
    assert current_level([2], 4) == 1  # closing level 2 first does not skip level 1
    assert current_level([1, 2, 3, 4], 4) == 4
