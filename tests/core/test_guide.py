"""What a prompt's guide offers in structured form for scoring against it: per-dimension levels and
the pitfalls, follow-ups and reference outline."""

import shutil
from pathlib import Path

from mockloop.core.catalog import load_catalog
from mockloop.core.loop import load_loop

DATA = Path(__file__).resolve().parents[1] / "data" / "prompts"
GOOD = (DATA / "quick" / "quick-prompt-1.md").read_text()


def test_levels_and_sections_are_parsed_from_the_guide(tmp_path):
    root = tmp_path / "prompts"
    shutil.copytree(DATA, root)
    text = GOOD.replace(
        "### clarity\n1. Muddled.\n",
        "### depth\n1. Only `happy` paths.\n2. Some.\n3. Most,\n   with **failure** modes.\n4. All.\n\n"
        "### clarity\n1. Muddled.\n",
    )
    (root / "quick" / "structured.md").write_text(text)
    catalog = load_catalog(load_loop(root / "loop.yaml"), root)
    assert not catalog.problems
    prompt = catalog.get("quick", "structured")
    assert prompt.levels_for("clarity") == ("Muddled.", "Partly clear.", "Clear.", "Crisp.")
    assert prompt.levels_for("depth") == (
        "Only <code>happy</code> paths.",
        "Some.",
        "Most, with <strong>failure</strong> modes.",  # a continuation line joins its item
        "All.",
    )
    assert prompt.levels_for("charisma") is None
    assert prompt.section_html("Pitfalls") == "<ul>\n<li>Rambling.</li>\n</ul>"
    assert "<li>One.</li>" in prompt.section_html("Follow-ups")
    assert "Say it plainly." in prompt.section_html("Reference outline")
    # Only what the candidate scores against; levels are read per dimension instead.
    assert prompt.section_html("Clarifying answers") is None and prompt.section_html("Levels") is None


def test_every_shipped_prompt_offers_the_scoring_sections_and_levels_for_its_stage():
    root = Path(__file__).resolve().parents[2] / "prompts"
    loop = load_loop(root / "loop.yaml")
    catalog = load_catalog(loop, root)
    for prompt in catalog.prompts.values():
        for name in ("Pitfalls", "Follow-ups", "Reference outline"):
            assert prompt.section_html(name), (prompt.slug, name)
        keys = {d.key for d in loop.stage(prompt.stage).rubric}
        assert prompt.guide_levels and {k for k, _ in prompt.guide_levels} <= keys, prompt.slug
