"""The AI reviewer through the real SDKs against the fake provider: what it is sent (the round's own
material, the scoring parts of the guide, nothing else), the quotes checked against that material,
the rubric's rules with one retry, the failures and the budget as messages, the AI card labelled and
kept to its candidate, copied into a self-assessment, in history, progress and the export."""

import json
import logging
import re

import pytest

from mockloop.core.ai_disclosure import REVIEWER
from mockloop.db import db
from mockloop.db.models import AiUsage, Scorecard
from tests.conftest import AI_KEY
from tests.fake_provider import Reply
from tests.helpers import csrf_token, form_page, signed_up

GUIDE_MARKER, NOTES_MARKER = "SECRET-GUIDE-TEXT", "PRIVATE-NOTE-4242"
PAD = "Plan: start with a write-ahead log, then snapshot every hour.\nRisk: the disk fills."


def card_output(**changes):
    out = {
        "dimensions": {
            "clarity": {
                "level": 3,
                "quotes": ["start with a  write-ahead log", "we shard by tenant"],  # the second is made up
                "reasoning": "A clear plan in order.",
            },
            "depth": {"level": 2, "quotes": ["Risk: the disk fills."], "reasoning": "One risk, no mitigation."},
        },
        "overall": "yes",
        "keep": "Lead with the plan.",
        "stop": "Naming risks without answers.",
        "start": "Size the log.",
    }
    out.update(changes)
    return out


@pytest.fixture(params=["anthropic", "openai"])
def app(request, make_ai_app):
    return make_ai_app(request.param)


def locked_round(api, stage="quick", prompt="quick-prompt-1"):
    rid = api.start(stage=stage, prompt=prompt).get_json()["id"]
    api.call("PUT", f"/api/rounds/{rid}/scratchpad", {"text": PAD, "revision": 0})
    api.call("POST", f"/api/rounds/{rid}/end")
    return rid


def ask(api, rid):
    return api.client.post(f"/rounds/{rid}/ai-review", data={"csrf_token": api.token()})


def sent(fake):
    """The user message of the last request, either API."""
    body = fake.requests[-1].body
    return next(m["content"] for m in body["messages"] if m["role"] == "user")


def ai_card(app, rid):
    with app.app_context():
        return db.session.execute(db.select(Scorecard).filter_by(round_id=rid, role="ai")).scalar_one_or_none()


def page(api, url):
    return re.sub(r"\s+", " ", api.client.get(url).get_data(as_text=True))


def test_the_reviewer_drafts_a_labelled_card_with_the_quotes_that_are_in_the_round(app, fake_provider, frozen_clock):
    ada = signed_up(app)
    rid = locked_round(ada)
    assert "Ask the AI reviewer for a draft" in page(ada, f"/rounds/{rid}")
    fake_provider.script(Reply(tool_input=card_output(), input_tokens=700, output_tokens=120))
    res = ask(ada, rid)
    card = ai_card(app, rid)
    assert res.status_code == 302 and res.headers["Location"] == f"/scorecards/{card.id}"
    assert (card.reviewer_id, card.reviewer_name, card.status, card.overall) == (
        None,
        "AI (test-model)",
        "submitted",
        "yes",
    )
    shown = page(ada, f"/scorecards/{card.id}")
    assert "AI reviewer by AI (test-model) (not calibrated on this instance)" in shown
    assert '"start with a write-ahead log" (scratchpad)' in shown and '"Risk: the disk fills." (scratchpad)' in shown
    assert "we shard by tenant" not in shown  # not in the round: dropped, and the card says so
    assert "1 quote the model gave was not found in the round's material and was dropped" in shown
    round_page = page(ada, f"/rounds/{rid}")
    assert "AI used in this round: reviewer." in shown and "AI used in this round: reviewer." in round_page
    assert f'href="/scorecards/{card.id}">The AI reviewer\'s draft</a>' in round_page
    with app.app_context():
        used = db.session.execute(db.select(AiUsage)).scalar_one()
        assert (used.user_id, used.round_id, used.feature, used.input_tokens, used.output_tokens) == (
            1,
            rid,
            "reviewer",
            700,
            120,
        )


def test_the_reviewer_is_sent_the_rounds_material_and_the_scoring_guide_only(app, fake_provider, frozen_clock):
    ada = signed_up(app)
    rid = locked_round(ada)
    fake_provider.script(Reply(tool_input=card_output()))
    ask(ada, rid)
    message = sent(fake_provider)
    labels = re.findall(r"^## (.+)$", message, flags=re.M)
    assert set(labels) <= {label for label, _ in REVIEWER.sent}
    assert {"Rubric", "Candidate brief", "Interviewer guide (scoring)", "Scratchpad", "Phase timings"} <= set(labels)
    assert PAD in message and "Explain **thing 1** in a minute." in message and "4. crisp and structured" in message
    assert "Say it plainly." in message and "Rambling." in message  # reference outline and pitfalls
    assert GUIDE_MARKER not in message and "First hint." not in message  # clarifying answers and hints are not
    assert (
        "Ada" not in fake_provider.requests[-1].sent_text
        and "ada@example.com" not in fake_provider.requests[-1].sent_text
    )
    tools = json.dumps(fake_provider.requests[-1].body["tools"])
    assert '"clarity"' in tools and '"depth"' in tools and '"strong_yes"' in tools


def test_a_peer_rounds_review_never_carries_the_interviewers_notes_or_cards(app, fake_provider, frozen_clock):
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    made = ada.start(stage="quick", prompt="quick-prompt-1", role="candidate").get_json()
    link = made["invite_url"].replace("http://localhost", "")
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
    rid = made["id"]
    bob.call("POST", f"/api/rounds/{rid}/start")
    bob.call("PUT", f"/api/rounds/{rid}/notes", {"text": f"## Clarity\n{NOTES_MARKER}", "revision": 0})
    ada.call("PUT", f"/api/rounds/{rid}/scratchpad", {"text": PAD, "revision": 0})
    bob.call("POST", f"/api/rounds/{rid}/end")
    _, token, revision = form_page(bob.client, f"/rounds/{rid}/score")
    from tests.helpers import answers

    bob.client.post(f"/rounds/{rid}/score", data=answers(token, revision, evidence_clarity="BOBS-CARD-TEXT"))
    assert bob.client.post(f"/rounds/{rid}/ai-review", data={"csrf_token": bob.token()}).status_code == 403
    fake_provider.script(Reply(tool_input=card_output()))
    assert ask(ada, rid).status_code == 302
    everything = fake_provider.requests[-1].sent_text
    assert NOTES_MARKER not in everything and "BOBS-CARD-TEXT" not in everything and "Bob" not in everything
    card = ai_card(app, rid)
    # The AI card is Ada's: Bob never sees it, on its page, the round's or in his export.
    assert bob.client.get(f"/scorecards/{card.id}").status_code == 404
    assert "AI (test-model)" not in bob.client.get(f"/rounds/{rid}").get_data(as_text=True)
    assert "AI (test-model)" not in bob.client.get("/export.json").get_data(as_text=True)
    assert "<td>AI reviewer</td>" in page(ada, "/history") and "<td>AI reviewer</td>" not in page(bob, "/history")


def test_an_answer_that_does_not_fit_the_rubric_is_asked_for_once_more(app, fake_provider, frozen_clock):
    ada = signed_up(app)
    rid = locked_round(ada)
    missing = card_output(dimensions={"clarity": card_output()["dimensions"]["clarity"]})
    fake_provider.script(Reply(tool_input=missing), Reply(tool_input=card_output()))
    ask(ada, rid)
    assert len(fake_provider.requests) == 2 and ai_card(app, rid) is not None
    assert "It was rejected: dimensions.depth: missing" in sent(fake_provider)


def test_an_over_long_keep_stop_or_start_is_cut_to_the_limit_not_refused(app, fake_provider, frozen_clock):
    ada = signed_up(app)
    rid = locked_round(ada)
    fake_provider.script(Reply(tool_input=card_output(keep="k" * 3_000)))
    ask(ada, rid)
    assert len(fake_provider.requests) == 1 and ai_card(app, rid).keep == "k" * 2_000


def test_a_second_answer_that_does_not_fit_is_a_clear_error_and_saves_nothing(app, fake_provider, frozen_clock):
    ada = signed_up(app)
    rid = locked_round(ada)
    fake_provider.script(Reply(tool_input=card_output(overall="maybe")), Reply(tool_input=card_output(keep="")))
    res = ask(ada, rid)
    assert res.status_code == 302 and res.headers["Location"] == f"/rounds/{rid}"
    shown = page(ada, f"/rounds/{rid}")
    assert (
        "No AI review: The AI reviewer&#39;s answer did not fit the rubric, twice (Write one line for keep doing.)"
        in shown
    )
    assert ai_card(app, rid) is None
    with app.app_context():  # both answers' tokens count
        assert db.session.execute(db.select(db.func.count(AiUsage.id))).scalar() == 2


def test_provider_failures_are_messages_and_leave_the_round_as_it_was(app, fake_provider, frozen_clock):
    ada = signed_up(app)
    rid = locked_round(ada)
    fake_provider.script(Reply(status=429, headers={"retry-after": "30"}))
    ask(ada, rid)
    shown = page(ada, f"/rounds/{rid}")
    assert "No AI review: The AI provider is limiting requests (HTTP 429). Try again in 30 seconds." in shown
    fake_provider.script(Reply(status=500))
    ask(ada, rid)
    assert "had an error of its own (HTTP 500)" in page(ada, f"/rounds/{rid}")
    assert ai_card(app, rid) is None
    assert ada.call("GET", f"/api/rounds/{rid}/scratchpad").get_json()["text"] == PAD
    assert form_page(ada.client, f"/rounds/{rid}/score")[0]  # scoring yourself works as before


def test_the_daily_budget_stops_the_reviewer_with_a_message(make_ai_app, fake_provider, frozen_clock):
    app = make_ai_app(AI_DAILY_TOKENS=60)  # each fake answer costs 50 tokens
    ada = signed_up(app)
    rid = locked_round(ada)
    for _ in range(3):
        fake_provider.script(Reply(tool_input=card_output()))
        ask(ada, rid)
    assert len(fake_provider.requests) == 2  # the third was refused before any call
    assert "No AI review: You have used today&#39;s AI budget (100 of 60 tokens)." in page(ada, f"/rounds/{rid}")


def test_the_candidate_copies_the_ai_card_into_their_own_self_assessment(app, fake_provider, frozen_clock):
    ada = signed_up(app)
    rid = locked_round(ada)
    fake_provider.script(Reply(tool_input=card_output()))
    ask(ada, rid)
    card = ai_card(app, rid)
    res = ada.client.post(f"/scorecards/{card.id}/copy-to-self", data={"csrf_token": ada.token()})
    assert res.status_code == 302
    form, token, revision = form_page(ada.client, res.headers["Location"])
    assert re.search(r'value="3"[^>]*checked|checked[^>]*value="3"', form) and "A clear plan in order." in form
    fields = {"csrf_token": token, "revision": revision, "level_clarity": "4", "level_depth": "2", "overall": "yes"}
    fields.update(evidence_clarity="Mine now.", evidence_depth="Mine.", keep="k", stop="s", start="st")
    own = ada.client.post(res.headers["Location"], data=fields)
    assert own.status_code == 302
    with app.app_context():
        mine = db.session.execute(db.select(Scorecard).filter_by(round_id=rid, role="self")).scalar_one()
        assert mine.status == "submitted" and mine.reviewer_id == 1
    both = page(ada, f"/scorecards/{mine.id}")
    assert '<th scope="col">Self</th>' in both and '<th scope="col">AI</th>' in both
    progress = page(ada, "/progress")
    assert "your self-assessment against the AI reviewer" in progress and "+1.0" in progress


def test_the_ai_card_goes_into_the_export_and_comes_back_on_import(app, fake_provider, frozen_clock):
    ada = signed_up(app)
    rid = locked_round(ada)
    fake_provider.script(Reply(tool_input=card_output()))
    ask(ada, rid)
    exported = ada.client.get("/export.json").get_json()
    (card,) = exported["rounds"][0]["scorecards"]
    assert (card["role"], card["reviewer"], card["reviewer_name"]) == ("ai", "ai", "AI (test-model)")
    eve = signed_up(app, "eve@example.com", "Eve")
    from io import BytesIO

    res = eve.client.post(
        "/import",
        data={"csrf_token": eve.token(), "file": (BytesIO(json.dumps(exported).encode()), "export.json")},
        content_type="multipart/form-data",
    )
    assert res.status_code in (200, 302), res.get_data(as_text=True)[:500]
    with app.app_context():
        copies = db.session.execute(db.select(Scorecard).filter_by(role="ai")).scalars().all()
        assert len(copies) == 2 and {c.reviewer_id for c in copies} == {None}


def test_the_key_never_reaches_the_database_a_page_a_log_or_an_export(
    app, fake_provider, frozen_clock, caplog, tmp_path
):
    caplog.set_level(logging.DEBUG)
    ada = signed_up(app)
    rid = locked_round(ada)
    fake_provider.script(Reply(tool_input=card_output()), Reply(status=401))
    ask(ada, rid)
    ask(ada, rid)  # a refused key: its message names the settings, never the key
    assert "refused the API key" in page(ada, f"/rounds/{rid}")
    assert fake_provider.requests[0].sent_text.count(AI_KEY) == 0  # in a header only
    card = ai_card(app, rid)
    urls = ["/", "/ai", "/healthz", "/history", "/progress", f"/rounds/{rid}", f"/scorecards/{card.id}", "/export.csv"]
    for url in [*urls, "/export.json"]:
        assert AI_KEY not in ada.client.get(url).get_data(as_text=True), url
    assert AI_KEY not in caplog.text
    with app.app_context():  # every row of every table, on either engine
        dump = "\n".join(
            repr(row) for table in db.metadata.sorted_tables for row in db.session.execute(table.select()).all()
        )
        db.session.remove()
    assert "ada@example.com" in dump and AI_KEY not in dump  # the rows were read, and hold no key


def test_only_the_candidate_of_a_locked_round_may_ask_and_copy(app, fake_provider, frozen_clock):
    ada, eve = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "eve@example.com", "Eve")
    rid = locked_round(ada)
    running = ada.start(stage="quick", minutes=3).get_json()["id"]
    assert eve.client.post(f"/rounds/{rid}/ai-review", data={"csrf_token": eve.token()}).status_code == 404
    ask(ada, running)
    assert "No AI review: The AI reviews a round once it is locked." in page(ada, f"/rounds/{running}")
    fake_provider.script(Reply(tool_input=card_output()))
    ask(ada, rid)
    card = ai_card(app, rid)
    assert eve.client.post(f"/scorecards/{card.id}/copy-to-self", data={"csrf_token": eve.token()}).status_code == 404
    assert eve.client.get(f"/scorecards/{card.id}").status_code == 404
    assert len(fake_provider.requests) == 1


def correctness_output(quote):
    return {
        "dimensions": {"correctness": {"level": 2, "quotes": [quote], "reasoning": "Runs, no edge cases."}},
        "overall": "no",
        "keep": "k",
        "stop": "s",
        "start": "st",
    }


def test_a_coding_rounds_code_and_runs_and_a_design_rounds_board_labels_are_its_material(
    app, fake_provider, frozen_clock
):
    ada = signed_up(app)
    coding = ada.start(stage="code", prompt="code-prompt-1").get_json()["id"]
    ada.call("PUT", f"/api/rounds/{coding}/code", {"text": "def add(a, b):\n    return a + b\n", "revision": 0})
    frozen_clock.advance(seconds=30)
    run = {"language": "python", "outcome": "error", "duration_ms": 5, "stderr": "NameError: name 'c' is not defined"}
    assert ada.call("POST", f"/api/rounds/{coding}/runs", run).status_code == 201
    ada.call("POST", f"/api/rounds/{coding}/end")
    fake_provider.script(Reply(tool_input=correctness_output("NameError: name 'c' is not defined")))
    ask(ada, coding)
    message = sent(fake_provider)
    assert "## Code\n(python)\ndef add(a, b):\n    return a + b" in message
    assert "## Test runs\n- minute 0: run (python) error: NameError: name 'c' is not defined" in message
    assert "(test runs)" in page(ada, f"/scorecards/{ai_card(app, coding).id}")  # the quote's source

    drawing = ada.start(stage="draw", prompt="draw-prompt-1").get_json()["id"]
    scene = {"type": "excalidraw", "version": 2, "files": {}}
    scene["elements"] = [
        {"id": "t0", "type": "text", "text": "Load balancer", "x": 0, "y": 0},
        {"id": "t1", "type": "text", "text": "Old cache", "x": 0, "y": 50, "isDeleted": True},
        {"id": "r0", "type": "rectangle", "x": 0, "y": 90, "width": 10, "height": 10},
    ]
    ada.call("PUT", f"/api/rounds/{drawing}/board", {"text": json.dumps(scene), "revision": 0})
    ada.call("POST", f"/api/rounds/{drawing}/end")
    ask(ada, drawing)
    message = sent(fake_provider)
    assert "## Whiteboard labels\nLoad balancer\n\n" in message and "Old cache" not in message
    assert '"type"' not in message  # the labels, not the drawing's JSON
