"""Prompt files: parsing, each kind of problem reported and skipped, filtering, user-bank overrides."""

import shutil
from pathlib import Path

import pytest

from mockloop.core.catalog import load_catalog, scaffold
from mockloop.core.loop import load_loop

DATA = Path(__file__).resolve().parents[1] / "data" / "prompts"
GOOD = (DATA / "quick" / "quick-prompt-1.md").read_text()


@pytest.fixture
def bank(tmp_path):
    root = tmp_path / "prompts"
    shutil.copytree(DATA, root)
    return root


def load(root, user=None):
    loop = load_loop(root / "loop.yaml")
    return load_catalog(loop, root, user)


def test_prompts_are_parsed_and_rendered(bank):
    catalog = load(bank)
    prompt = catalog.get("quick", "quick-prompt-1")
    assert prompt.title == "Quick prompt 1" and prompt.tags == ("drill", "tag-1") and prompt.difficulty == 1
    assert "<strong>thing 1</strong>" in prompt.brief_html
    assert "SECRET-GUIDE-TEXT" not in prompt.brief_html and "SECRET-GUIDE-TEXT" in prompt.guide_html
    assert not catalog.problems


@pytest.mark.parametrize(
    "text, line, message",
    [
        (GOOD.replace("---\ntitle", "title", 1), 1, "front matter starting"),
        (GOOD.replace("difficulty: 1\n---", "difficulty: 1\n"), 1, "not closed"),
        (GOOD.replace("title: Quick prompt 1", "title: [broken"), 2, "not valid YAML"),
        (GOOD.replace("title: Quick prompt 1\n", ""), 1, "title: expected a non-empty string"),
        (GOOD.replace("stage: quick", "stage: talk"), 1, "the folder name 'quick'"),
        (GOOD.replace("stage: quick", "stage: nowhere"), 1, "stage: expected one of quick, talk"),
        (GOOD.replace("difficulty: 1", "difficulty: 5"), 1, "difficulty: expected 1, 2 or 3"),
        (GOOD.replace("tags: [drill, tag-1]", "tags: [Drill Tag]"), 1, "tags"),
        (GOOD.replace("difficulty: 1", "difficulty: 1\nduration: 30"), 1, "within 1-3"),
        (GOOD.replace("# Interviewer guide", "# Guide"), 8, "exactly the parts"),
        (
            GOOD.replace("## Hints\n1. First hint.\n2. Second hint.\n3. Third hint.\n", ""),
            12,
            "lacks the section '## Hints'",
        ),
        (GOOD.replace("3. Third hint.\n", ""), 17, "at least 3 numbered items"),
        (GOOD.replace("### clarity", "### charisma"), 28, "'charisma' is not a rubric key of quick"),
        (GOOD.replace("4. Crisp.\n", ""), 28, "exactly 4 numbered items"),
    ],
)
def test_broken_prompt_is_reported_with_line_and_skipped(bank, text, line, message):
    (bank / "quick" / "broken.md").write_text(text)
    catalog = load(bank)
    [problem] = catalog.problems
    assert problem.path.endswith("quick/broken.md")
    assert message in problem.message
    assert problem.line == line
    assert "broken" not in catalog.prompts
    assert len(catalog.prompts) == len(load(DATA).prompts)  # the others still load


def test_coding_stages_need_test_cases(tmp_path):
    shipped = load_loop(Path(__file__).resolve().parents[2] / "prompts" / "loop.yaml")
    root = tmp_path / "bank"
    (root / "phone-screen").mkdir(parents=True)
    (root / "phone-screen" / "fizz.md").write_text(
        scaffold(shipped.stage("phone-screen"), "fizz").split("## Test cases")[0]
    )
    catalog = load_catalog(shipped, root)
    assert any("'## Test cases'" in p.message for p in catalog.problems)


def test_duplicate_slug_in_one_bank_is_a_problem(bank):
    (bank / "talk" / "quick-prompt-1.md").write_text(GOOD.replace("stage: quick", "stage: talk"))
    catalog = load(bank)
    assert any("already used" in p.message for p in catalog.problems)


def test_filtering_by_tag_difficulty_and_text(bank):
    catalog = load(bank)
    assert [p.slug for p in catalog.filter("quick", tag="tag-2")] == ["quick-prompt-2"]
    assert [p.slug for p in catalog.filter("quick", difficulty=1)] == ["quick-prompt-1"]
    assert [p.slug for p in catalog.filter("quick", text="PROMPT 2")] == ["quick-prompt-2"]
    assert catalog.filter("quick", tag="drill", difficulty=3) == []
    assert catalog.tags("quick") == ["drill", "tag-1", "tag-2"]


def test_user_bank_adds_and_overrides(bank, tmp_path):
    user = tmp_path / "user"
    (user / "quick").mkdir(parents=True)
    (user / "quick" / "quick-prompt-1.md").write_text(GOOD.replace("Quick prompt 1", "My own version"))
    (user / "quick" / "mine.md").write_text(GOOD.replace("Quick prompt 1", "Brand new"))
    catalog = load(bank, user)
    assert catalog.get("quick", "quick-prompt-1").title == "My own version"
    assert catalog.get("quick", "quick-prompt-1").user_owned
    assert catalog.get("quick", "mine").title == "Brand new"
    assert not catalog.problems


def test_scaffold_is_a_valid_prompt(tmp_path):
    loop = load_loop(DATA / "loop.yaml")
    root = tmp_path / "bank"
    (root / "talk").mkdir(parents=True)
    (root / "talk" / "fresh-idea.md").write_text(scaffold(loop.stage("talk"), "fresh-idea"))
    catalog = load_catalog(loop, root)
    assert not catalog.problems and catalog.get("talk", "fresh-idea").title == "Fresh idea"
