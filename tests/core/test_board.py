"""The whiteboard's rules: what a saved drawing may hold, who holds the pen, starter drawings."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from mockloop.core.board import (
    IMAGES_LIMIT,
    MAX_IMAGES,
    PEN_BACK,
    PEN_GIVEN,
    StarterError,
    check_scene,
    parse_starter,
    pen_holder,
)
from mockloop.core.catalog import load_catalog
from mockloop.core.errors import Invalid
from mockloop.core.loop import DefinitionError, load_loop, parse_loop
from mockloop.core.timer import END, START, Event, round_state
from mockloop.core.vocabulary import Seat

PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUg=="


def scene(*elements, files=None, **top):
    return json.dumps({"type": "excalidraw", "elements": list(elements), "files": files or {}, **top})


def rect(**extra):
    return {"id": "r1", "type": "rectangle", "x": 0, "y": 0, "width": 100, "height": 50, **extra}


def image(file_id="f1"):
    return {"id": "i-" + file_id, "type": "image", "fileId": file_id}


def test_an_ordinary_drawing_and_an_empty_board_are_kept():
    check_scene("")
    check_scene(scene())
    label = {"id": "t1", "type": "text", "text": "<img src=x onerror=alert(1)>", "containerId": "r1"}
    check_scene(scene(rect(link="https://example.com/design?x=1"), label, {"id": "a1", "type": "arrow"}))
    check_scene(
        scene(rect(link="mailto:ada@example.com"), image(), files={"f1": {"mimeType": "image/png", "dataURL": PNG}})
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("not json", "not valid JSON"),
        ("[" * 100_000, "not valid JSON"),  # nested past Python's parser: refused, not a 500
        ("[1, 2]", "JSON object"),
        (json.dumps({"elements": {"a": 1}}), "elements as a list"),
        (scene("a string"), "Element 1 of the drawing is not an object"),
        (scene(rect(type="embeddable", link="https://www.youtube.com/embed/x")), "web embeds"),
        (scene(rect(type="iframe")), "web embeds"),
        (scene(rect(type="script")), "unknown type"),
        (scene(rect(text=["not", "text"])), "a text that is not text"),
    ],
)
def test_a_drawing_the_board_cannot_keep_is_refused_with_a_reason(text, message):
    with pytest.raises(Invalid) as refused:
        check_scene(text)
    assert message in refused.value.message and refused.value.field == "text"


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "https://ok.example/\njavascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example",
        "example.com",
        "",
        7,
    ],
)
def test_links_must_be_http_https_or_mailto_with_nothing_a_browser_could_reread(link):
    with pytest.raises(Invalid) as refused:
        check_scene(scene(rect(link=link)))
    assert "must start with http://, https:// or mailto:" in refused.value.message


@pytest.mark.parametrize(
    "file, message",
    [
        ({"mimeType": "image/svg+xml", "dataURL": "data:image/svg+xml;base64,PHN2Zz4="}, "not 'image/svg+xml'"),
        ({"mimeType": "image/png", "dataURL": "https://example.com/x.png"}, "not a base64 data URL"),
        ({"mimeType": "image/png", "dataURL": "data:image/jpeg;base64,AAAA"}, "not a base64 data URL"),
        ({"mimeType": "image/png", "dataURL": "data:image/png;base64,<svg onload=alert(1)>"}, "not a base64 data URL"),
        ({"mimeType": "image/png", "dataURL": "data:image/png;base64," + "A" * IMAGES_LIMIT}, "may take 400,000"),
    ],
)
def test_pasted_images_are_limited_to_raster_data_urls_within_a_total(file, message):
    with pytest.raises(Invalid) as refused:
        check_scene(scene(image(), files={"f1": file}))
    assert message in refused.value.message


def test_images_together_count_against_the_limit_and_their_number_is_bounded():
    half = {"mimeType": "image/webp", "dataURL": "data:image/webp;base64," + "A" * (IMAGES_LIMIT // 2)}
    check_scene(scene(files={"a": dict(half, dataURL=half["dataURL"][:-30])}))
    with pytest.raises(Invalid, match="in all"):
        check_scene(scene(files={"a": half, "b": half}))
    with pytest.raises(Invalid, match=f"at most {MAX_IMAGES} pasted images"):
        check_scene(
            scene(
                files={
                    str(n): {"mimeType": "image/gif", "dataURL": "data:image/gif;base64,R0"}
                    for n in range(MAX_IMAGES + 1)
                }
            )
        )


def test_the_pen_follows_the_last_hand_over():
    assert pen_holder([]) == Seat.CANDIDATE
    assert pen_holder([START, PEN_GIVEN]) == Seat.INTERVIEWER
    assert pen_holder([START, PEN_GIVEN, "pause", "resume"]) == Seat.INTERVIEWER
    assert pen_holder([START, PEN_GIVEN, PEN_BACK]) == Seat.CANDIDATE


def test_hand_overs_do_not_move_the_clock():
    t0 = datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc)
    plain = [Event(START, t0), Event(END, t0 + timedelta(minutes=3))]
    with_pen = [
        Event(START, t0),
        Event(PEN_GIVEN, t0 + timedelta(minutes=1)),
        Event(PEN_BACK, t0 + timedelta(minutes=2)),
    ]
    with_pen.append(plain[-1])
    later = t0 + timedelta(minutes=10)
    assert round_state([("Design", 5)], with_pen, later) == round_state([("Design", 5)], plain, later)


STARTER = [
    {"box": "Client", "at": [0, 0]},
    {"box": "API gateway", "at": [300, 0], "size": [200, 100]},
    {"diamond": "?", "at": [300, 200]},
    {"arrow": ["Client", "API gateway"], "label": "HTTPS"},
    {"arrow": ["API gateway", "?"]},
    {"text": "20k requests/s at peak", "at": [0, 150]},
]


def test_a_starter_becomes_excalidraw_skeletons_with_arrows_between_the_shapes_edges():
    client, gateway, unknown, https, down, note = parse_starter(STARTER)
    assert client == {
        "type": "rectangle",
        "id": "starter-1",
        "x": 0.0,
        "y": 0.0,
        "width": 160.0,
        "height": 80.0,
        "label": {"text": "Client"},
    }
    assert gateway["width"] == 200 and unknown["type"] == "diamond" and note["text"] == "20k requests/s at peak"
    # From the client's centre (80, 40) towards the gateway's (400, 50): out of the client's right
    # edge, into the gateway's left one.
    assert (https["x"], https["start"], https["end"], https["label"]) == (
        160.0,
        {"id": "starter-1"},
        {"id": "starter-2"},
        {"text": "HTTPS"},
    )
    assert https["points"][1][0] == pytest.approx(300 - 160) and https["y"] == pytest.approx(40 + 10 * 80 / 320)
    assert down["start"] == {"id": "starter-2"} and down["points"][1][1] > 0 and "label" not in down  # downwards


@pytest.mark.parametrize(
    "items, index, message",
    [
        ([], None, "a list of 1 to 60 items"),
        ("box: Client", None, "a list"),
        ([{"box": "A", "at": [0, 0]}] * 61, None, "1 to 60"),
        ([["box", "A"]], 0, "a mapping"),
        ([{"box": "A", "ellipse": "B", "at": [0, 0]}], 0, "exactly one of"),
        ([{"circle": "A", "at": [0, 0]}], 0, "exactly one of"),
        ([{"box": "A", "at": [0, 0], "colour": "red"}], 0, "(also colour)"),
        ([{"box": "A"}], 0, "at: expected [a, b]"),
        ([{"box": "A", "at": [0, "1"]}], 0, "at: expected [a, b]"),
        ([{"box": "A", "at": [0, 99999]}], 0, "from -5000 to 5000"),
        ([{"box": "A", "at": [0, 0], "size": [5, 5]}], 0, "size: expected"),
        ([{"box": "", "at": [0, 0]}], 0, "box: expected text"),
        ([{"box": "A", "at": [0, 0]}, {"ellipse": "A", "at": [9, 9]}], 1, "already used"),
        ([{"arrow": ["A", "B"]}, {"box": "A", "at": [0, 0]}], 0, "no shape labelled 'A' above it"),
        ([{"box": "A", "at": [0, 0]}, {"arrow": ["A", "A"]}], 1, "two different shapes"),
        ([{"box": "A", "at": [0, 0]}, {"arrow": "A"}], 1, "arrow: expected [from, to]"),
        ([{"text": "note", "at": [0, 0], "size": [50, 50]}], 0, "(also size)"),
    ],
)
def test_a_broken_starter_names_the_item_and_what_was_expected(items, index, message):
    with pytest.raises(StarterError) as broken:
        parse_starter(items)
    assert broken.value.index == index and message in broken.value.message


# ---------- starter drawings in prompt files: linted with the file and line ----------

DATA = Path(__file__).resolve().parents[1] / "data" / "prompts"
DRAW = (DATA / "draw" / "draw-prompt-1.md").read_text()


def bank_with(tmp_path, folder, name, text):
    root = tmp_path / "prompts"
    shutil.copytree(DATA, root)
    (root / folder / name).write_text(text)
    return load_catalog(load_loop(root / "loop.yaml"), root)


def test_a_prompts_starter_drawing_is_kept_as_skeletons_for_the_board():
    catalog = load_catalog(load_loop(DATA / "loop.yaml"), DATA)
    starter = json.loads(catalog.get("draw", "draw-prompt-1").board)
    assert [e["type"] for e in starter] == ["rectangle", "rectangle", "diamond", "arrow", "arrow"]
    assert starter[3]["label"] == {"text": "HTTPS"} and starter[4]["end"] == {"id": "starter-3"}
    assert catalog.get("quick", "quick-prompt-1").board == ""


def test_a_broken_starter_item_is_reported_at_its_line_and_the_prompt_skipped(tmp_path):
    broken = DRAW.replace('  - arrow: [Gateway, "?"]\n', "  - arrow: [Gateway, Cache]\n")
    catalog = bank_with(tmp_path, "draw", "broken.md", broken)
    [problem] = catalog.problems
    line = broken.splitlines().index("  - arrow: [Gateway, Cache]") + 1
    assert (problem.line, problem.message) == (line, "board, item 5: arrow: no shape labelled 'Cache' above it")
    assert "broken" not in catalog.prompts


def test_a_starter_needs_the_board_workspace_and_a_list(tmp_path):
    quick = (DATA / "quick" / "quick-prompt-1.md").read_text()
    on_quick = quick.replace("difficulty: 1\n", "difficulty: 1\nboard:\n  - box: A\n    at: [0, 0]\n", 1)
    [problem] = bank_with(tmp_path, "quick", "broken.md", on_quick).problems
    assert problem.line == 1 and "a starter drawing only on a stage with the board workspace" in problem.message
    not_a_list = DRAW.replace("board:\n", "board: client -> gateway\nx:\n", 1)
    [problem] = bank_with(tmp_path / "2", "draw", "broken.md", not_a_list).problems
    assert problem.line == 6 and problem.message == "board: expected a list of 1 to 60 items"


def test_a_stage_shows_one_work_area_beside_the_brief():
    data = yaml.safe_load((DATA / "loop.yaml").read_text())
    assert parse_loop(data).stage("draw").workspace == ("board",)
    data["stages"][-1]["workspace"] = ["board", "code"]
    with pytest.raises(DefinitionError, match="one workspace, not 2"):
        parse_loop(data)
