"""Scoring yourself against the guide: once a round is locked its rubric form shows, beside each
dimension, the prompt's own level descriptions next to the stage's, and the guide's pitfalls,
follow-ups and reference outline beside the locked scratchpad. Before the lock, or while the
candidate has another round on the prompt running, no guide material reaches them; the
interviewer's private notes never do."""

import re

import pytest

from tests.helpers import csrf_token, signed_up

GUIDE_MARKER, NOTES_MARKER = "SECRET-GUIDE-TEXT", "PRIVATE-NOTE-4242"
PANEL = "What good looks like"


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


def text(res) -> str:
    return re.sub(r"\s+", " ", res.get_data(as_text=True))


def fieldset(page: str, key: str) -> str:
    start = page.index(f'id="level_{key}-group"')
    return page[start : page.index("</fieldset>", start)]


def test_after_the_lock_the_form_shows_the_prompts_levels_and_the_guide_beside_the_work(api, frozen_clock):
    rid = api.start(stage="quick", prompt="quick-prompt-1").get_json()["id"]
    api.call("PUT", f"/api/rounds/{rid}/scratchpad", {"text": "My *locked* plan.", "revision": 0})
    api.call("POST", f"/api/rounds/{rid}/end")
    page = text(api.client.get(f"/rounds/{rid}/score"))
    clarity = fieldset(page, "clarity")
    # The stage's level 4 and the prompt's level 4 side by side, the prompt's read out with the radio.
    assert "4: crisp and structured" in clarity and "For this prompt" in clarity
    assert re.search(
        r'aria-describedby="level_clarity-p4"[^>]*value="4"|value="4"[^>]*aria-describedby="level_clarity-p4"', clarity
    )
    assert re.search(r'id="level_clarity-p4"><span class="visually-hidden">For this prompt: </span>Crisp.</p>', clarity)
    assert "For this prompt" not in fieldset(page, "depth")  # the guide has no levels for depth
    panel = page[page.index(PANEL) : page.index("</aside>")]
    assert "My <em>locked</em> plan." in panel
    for heading, content in (
        ("Pitfalls", "Rambling."),
        ("Follow-ups", "Three."),
        ("Reference outline", "Say it plainly."),
    ):
        assert f">{heading}</h3>" in panel and content in panel
    assert GUIDE_MARKER not in page  # the clarifying answers are not part of it


def test_no_guide_while_the_candidate_has_another_round_on_the_prompt_running(api, frozen_clock):
    done = api.start(stage="quick", prompt="quick-prompt-1").get_json()["id"]
    api.call("POST", f"/api/rounds/{done}/end")
    running = api.start(stage="quick", prompt="quick-prompt-1", minutes=3).get_json()["id"]
    page = text(api.client.get(f"/rounds/{done}/score"))
    assert "Submit scorecard" in page and PANEL not in page and "For this prompt" not in page
    assert "Rambling." not in page
    api.call("POST", f"/api/rounds/{running}/end")
    assert PANEL in text(api.client.get(f"/rounds/{done}/score"))


def peer_round(app, ada, bob):
    made = ada.start(stage="quick", prompt="quick-prompt-1", role="candidate").get_json()
    link = made["invite_url"].replace("http://localhost", "")
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
    bob.call("POST", f"/api/rounds/{made['id']}/start")
    bob.call("PUT", f"/api/rounds/{made['id']}/notes", {"text": f"## Clarity\n{NOTES_MARKER}", "revision": 0})
    return made["id"]


def test_a_peer_candidate_gets_the_guide_after_the_lock_but_never_the_interviewers_notes(app, frozen_clock):
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    rid = peer_round(app, ada, bob)
    before = ada.client.get(f"/rounds/{rid}/score")
    assert before.status_code == 409 and "Rambling." not in text(before) and GUIDE_MARKER not in text(before)
    bob.call("POST", f"/api/rounds/{rid}/end")
    mine = text(ada.client.get(f"/rounds/{rid}/score"))
    assert PANEL in mine and "Rambling." in mine and "For this prompt" in mine
    assert NOTES_MARKER not in mine
    theirs = text(bob.client.get(f"/rounds/{rid}/score"))
    assert PANEL in theirs and NOTES_MARKER in theirs  # his notes become his evidence, for him alone


def test_the_candidate_crawling_every_page_of_a_round_never_meets_notes_or_guide_before_the_lock(app, frozen_clock):
    """Every GET route with the round's ids, as its candidate: before the lock no guide material and
    no notes; after it the guide may show on the scoring form, the notes still nowhere."""
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    rid = peer_round(app, ada, bob)
    story = ada.client.post(
        "/stories/new", data={"csrf_token": ada.token(), "title": "Mine", "dimensions": ["clarity"]}
    ).headers["Location"]
    values = {"round_id": rid, "story_id": int(story.rsplit("/", 1)[1]), "slug": "quick", "stage_slug": "quick"}
    with app.test_request_context():
        from flask import url_for

        urls = []
        for rule in app.url_map.iter_rules():
            if (
                "GET" not in rule.methods
                or rule.endpoint == "static"
                or not set(rule.arguments) <= set(values) | {"slug"}
            ):
                continue
            args = {
                a: ("quick-prompt-1" if a == "slug" and "stage_slug" in rule.arguments else values[a])
                for a in rule.arguments
            }
            urls.append(url_for(rule.endpoint, **args))
    assert f"/rounds/{rid}/score" in urls and f"/api/rounds/{rid}/state" in urls and len(urls) > 15

    def crawl():
        return {url: ada.client.get(url).get_data(as_text=True) for url in urls}

    for url, page in crawl().items():
        assert GUIDE_MARKER not in page and NOTES_MARKER not in page and "Rambling." not in page, url
    bob.call("POST", f"/api/rounds/{rid}/end")
    for url, page in crawl().items():
        assert NOTES_MARKER not in page, url


def test_a_coding_rounds_locked_code_sits_beside_the_guide(api, frozen_clock):
    rid = api.start(stage="code", prompt="code-prompt-1").get_json()["id"]
    api.call("PUT", f"/api/rounds/{rid}/code", {"text": "def add(a, b):\n    return a <b> + b\n", "revision": 0})
    api.call("POST", f"/api/rounds/{rid}/end")
    page = text(api.client.get(f"/rounds/{rid}/score"))
    panel = page[page.index(PANEL) : page.index("</aside>")]
    assert "Your code, as locked" in panel and "return a &lt;b&gt; + b" in panel  # escaped, as written
    assert "Printing instead of returning." in panel
    assert "Correct on edge cases." in fieldset(page, "correctness")


def test_a_design_rounds_locked_board_sits_beside_the_guide(api, frozen_clock):
    import json

    rid = api.start(stage="draw", prompt="draw-prompt-1").get_json()["id"]
    scene = {"type": "excalidraw", "version": 2, "files": {}}
    scene["elements"] = [{"id": "t0", "type": "text", "text": "Load balancer <b>", "x": 0, "y": 0}]
    assert api.call("PUT", f"/api/rounds/{rid}/board", {"text": json.dumps(scene), "revision": 0}).status_code == 200
    api.call("POST", f"/api/rounds/{rid}/end")
    page = text(api.client.get(f"/rounds/{rid}/score"))
    panel = page[page.index(PANEL) : page.index("</aside>")]
    assert "Your whiteboard, as locked" in panel and "data-board-picture" in panel
    assert "Load balancer &lt;b&gt;" in panel  # the scene as text for board-view.js, escaped
    assert "board-view" in page and "board.css" in page
