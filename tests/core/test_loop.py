"""Loop definition validation: every kind of bad file names the file, the field and what was expected."""

from pathlib import Path

import pytest
import yaml

from mockloop.core.loop import DefinitionError, load_loop

SHIPPED = Path(__file__).resolve().parents[2] / "prompts" / "loop.yaml"
TEST_LOOP = Path(__file__).resolve().parents[1] / "data" / "prompts" / "loop.yaml"


def test_shipped_loop_has_the_six_rounds_in_order_and_the_online_assessment():
    loop = load_loop(SHIPPED)
    assert [s.slug for s in loop.stages] == [
        "recruiter-screen",
        "assessment",  # the reported online assessment (4 levels, 90 minutes) before the phone screen
        "phone-screen",
        "take-home",
        "systems-design",
        "ml-systems",
        "mission-culture",
    ]
    assert [r.label for r in loop.recommendation] == ["Strong No", "No", "Yes", "Strong Yes"]
    design = loop.stage("systems-design")
    assert (design.duration.default, design.duration.min, design.duration.max) == (60, 60, 90)
    assert all(len(d.levels) == 4 for s in loop.stages for d in s.rubric)
    assert loop.stage("take-home").duration.max == 480


def mutate(tmp_path, change):
    data = yaml.safe_load(TEST_LOOP.read_text())
    change(data)
    path = tmp_path / "loop.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def set_(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    "change, field, expected",
    [
        (set_(["title"], ""), "title", "a non-empty string"),
        (set_(["stages"], []), "stages", "a list of at least 1"),
        (set_(["stages", 0, "slug"], "Quick Drill"), "stages[0].slug", "lowercase"),
        (set_(["stages", 1, "slug"], "quick"), "stages[1].slug", "duplicate"),
        (
            set_(["stages", 0, "duration"], {"default": 1, "min": 2, "max": 3}),
            "stages.quick.duration",
            "min <= default",
        ),
        (
            set_(["stages", 0, "duration"], {"default": "one", "min": 1, "max": 3}),
            "stages.quick.duration.default",
            "a whole number",
        ),
        (set_(["stages", 0, "phases", 0, "minutes"], 5), "stages.quick.phases", "adding up to duration.default (1)"),
        (set_(["stages", 0, "phases"], "think"), "stages.quick.phases", "a list"),
        (
            set_(["stages", 0, "rubric", 0, "levels"], ["a", "b", "c"]),
            "stages.quick.rubric.clarity.levels",
            "exactly 4",
        ),
        (set_(["stages", 0, "rubric", 1, "key"], "clarity"), "stages.quick.rubric[1].key", "unique snake_case"),
        (
            set_(
                ["recommendation"], [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}, {"key": "c", "label": "C"}]
            ),
            "recommendation",
            "no neutral",
        ),
    ],
)
def test_bad_loop_files_are_reported_precisely(tmp_path, change, field, expected):
    path = mutate(tmp_path, change)
    with pytest.raises(DefinitionError) as err:
        load_loop(path)
    assert err.value.field == field
    assert expected in err.value.expected
    assert str(path) in str(err.value)


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("slug: x\ntitle: [unclosed\n")
    with pytest.raises(DefinitionError) as err:
        load_loop(path)
    assert err.value.field == "YAML" and err.value.line is not None


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(DefinitionError, match="readable file"):
        load_loop(tmp_path / "nope.yaml")
