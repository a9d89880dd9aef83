"""The shipped prompt bank passes the lint and is deep enough to practice on."""

from pathlib import Path

from mockloop.core.catalog import load_catalog
from mockloop.core.loop import load_loop

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"
MINIMUM = {
    "recruiter-screen": 6,
    "phone-screen": 8,
    "take-home": 6,
    "systems-design": 10,
    "ml-systems": 8,
    "mission-culture": 6,
}


def test_shipped_bank_lints_clean_with_enough_prompts_per_stage():
    loop = load_loop(PROMPTS / "loop.yaml")
    catalog = load_catalog(loop, PROMPTS)
    assert [str(p) for p in catalog.problems] == []
    counts = {s.slug: len(catalog.for_stage(s.slug)) for s in loop.stages}
    short = {stage: (counts[stage], need) for stage, need in MINIMUM.items() if counts[stage] < need}
    assert not short, f"stages below their minimum (have, need): {short}"
    files = list(PROMPTS.glob("*/*.md"))
    assert len(files) == len(catalog.prompts)  # no two files share a slug
