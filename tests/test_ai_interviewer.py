"""The AI interviewer of a solo round through the real SDKs against the fake provider: replies
stream and are saved with the question, only the guide parts it may use are sent (clarifying
answers; follow-ups in the later phases), hints come from the guide on request and are counted, the
conversation locks at the deadline and is on the scorecard, in the reviewer's material and in the
export; failures and the budget are messages that change nothing else."""

import json
from io import BytesIO

import pytest

from mockloop.core.ai_disclosure import INTERVIEWER
from mockloop.core.ai_interviewer import NOT_COVERED
from mockloop.db import db
from mockloop.db.models import RoundWork
from tests.fake_provider import Reply
from tests.helpers import csrf_token, form_page, signed_up


@pytest.fixture(params=["anthropic", "openai"])
def app(request, make_ai_app):
    return make_ai_app(request.param)


def lines(res):
    return [json.loads(line) for line in res.get_data(as_text=True).splitlines()]


def ask(api, rid, text):
    """A question, its streamed answer read to the end as the page reads it."""
    res = api.call("POST", f"/api/rounds/{rid}/ai/chat", {"text": text})
    res.get_data()
    return res


def system_of(request):
    body = request.body
    return body.get("system") or next(m["content"] for m in body["messages"] if m["role"] == "system")


def stored(app, rid):
    with app.app_context():
        piece = db.session.get(RoundWork, (rid, "chat"))
        return json.loads(piece.body)["messages"] if piece else []


def test_a_reply_streams_in_pieces_and_is_saved_with_the_question(app, fake_provider, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    page = ada.client.get(f"/rounds/{rid}").get_data(as_text=True)
    assert "Turn on the AI interviewer for this round" in page and "Hints used: 0 of 3" in page
    fake_provider.script(Reply(text=("The answer ", "is 42."), input_tokens=90, output_tokens=6))
    res = ask(ada, rid, "What is the answer?")
    assert res.status_code == 200 and res.mimetype == "application/x-ndjson"
    got = lines(res)
    assert got[:2] == [{"text": "The answer "}, {"text": "is 42."}] and got[2]["done"] is True
    assert [(m["role"], m["text"]) for m in stored(app, rid)] == [
        ("user", "What is the answer?"),
        ("assistant", "The answer is 42."),
    ]
    again = ada.client.get(f"/rounds/{rid}").get_data(as_text=True)
    assert "The answer is 42." in again and "AI used in this round: interviewer." in again
    # The second question carries the conversation so far.
    ask(ada, rid, "And the unit?")
    assert [m["content"] for m in fake_provider.requests[-1].body["messages"] if m["role"] != "system"] == [
        "What is the answer?",
        "The answer is 42.",
        "And the unit?",
    ]


def test_only_the_clarifying_answers_are_sent_and_the_follow_ups_only_in_the_later_phases(
    app, fake_provider, frozen_clock
):
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    theirs = bob.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    bob.call("PUT", f"/api/rounds/{theirs}/scratchpad", {"text": "BOBS-OWN-PLAN", "revision": 0})
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    ada.call("PUT", f"/api/rounds/{rid}/scratchpad", {"text": "ADAS-SCRATCHPAD", "revision": 0})
    ask(ada, rid, "Is the answer 42?")
    first = system_of(fake_provider.requests[-1])
    labels = {line[3:] for line in first.splitlines() if line.startswith("## ")}
    assert labels <= {label for label, _ in INTERVIEWER.sent} and "Clarifying answers" in labels
    assert "SECRET-GUIDE-TEXT: the answer is 42." in first and "Explain **thing 1** in a minute." in first
    assert NOT_COVERED in first and "Now: Think" in first
    everything = fake_provider.requests[-1].sent_text
    for never in (
        "Say it plainly.",
        "Rambling.",
        "First hint.",
        "Muddled.",
        "One.",
        "ADAS-SCRATCHPAD",
        "BOBS-OWN-PLAN",
    ):
        assert never not in everything, never
    assert "Ada" not in everything and "ada@example.com" not in everything
    frozen_clock.advance(minutes=1.2)  # into "Answer", the later half of the plan
    ask(ada, rid, "Anything else?")
    later = system_of(fake_provider.requests[-1])
    assert "## Follow-ups\n1. One.\n2. Two.\n3. Three." in later and "Now: Answer" in later
    assert "Say it plainly." not in later and "First hint." not in later


def test_a_coding_prompt_never_sends_its_hidden_tests_solution_or_later_levels(app, fake_provider, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="code", prompt="code-levels", minutes=2).get_json()["id"]
    ask(ada, rid, "Are steps whole numbers?")
    everything = fake_provider.requests[-1].sent_text
    assert "steps are whole numbers" in everything and "Build a `Counter` class" in everything
    for never in (
        "counts twice",
        "counters are separate",
        "LEVEL-TWO-MARKER",
        "One attribute, two methods.",
        "inc twice",
    ):
        assert never not in everything, never


def test_hints_come_from_the_guide_when_asked_and_are_counted_on_the_scorecard(app, fake_provider, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    for n, text in ((1, "First hint."), (2, "Second hint."), (3, "Third hint.")):
        res = ada.call("POST", f"/api/rounds/{rid}/ai/hint")
        assert res.get_json()["messages"][-1] == {
            "role": "assistant",
            "text": f"Hint {n} of 3: {text}",
            "at": "2026-05-04T12:00:00+00:00",
            "hint": n,
        }
        assert res.get_json()["hints_used"] == n
    more = ada.call("POST", f"/api/rounds/{rid}/ai/hint")
    assert more.status_code == 400 and more.get_json()["message"] == "The guide has no more hints: you have had all 3."
    assert fake_provider.requests == []  # hints cost no call
    ask(ada, rid, "Thanks")
    assert "Hint 2 of 3: Second hint." in fake_provider.requests[-1].sent_text  # given hints are conversation
    ada.call("POST", f"/api/rounds/{rid}/end")
    _, token, revision = form_page(ada.client, f"/rounds/{rid}/score")
    from tests.helpers import answers

    res = ada.client.post(f"/rounds/{rid}/score", data=answers(token, revision))
    card = ada.client.get(res.headers["Location"]).get_data(as_text=True)
    assert "AI interviewer conversation (locked)" in card and "Hints used: 3 of 3" in card and "Third hint." in card


def test_the_conversation_locks_at_the_deadline(app, fake_provider, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=1).get_json()["id"]
    ask(ada, rid, "Before the end?")
    frozen_clock.advance(minutes=2)
    late = ask(ada, rid, "After the end?")
    assert late.status_code == 409 and late.get_json()["reason"] == "locked"
    assert ada.call("POST", f"/api/rounds/{rid}/ai/hint").status_code == 409
    assert [m["text"] for m in stored(app, rid)] == ["Before the end?", "Fine."]
    page = ada.client.get(f"/rounds/{rid}").get_data(as_text=True)
    assert "The conversation is locked with the round." in page and 'id="ai-form"' not in page


def test_a_reply_that_finishes_after_the_deadline_is_not_kept(app, fake_provider, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=1).get_json()["id"]
    fake_provider.script(Reply(text=("Half ", "a reply."), meanwhile=lambda: frozen_clock.advance(minutes=2)))
    got = lines(ask(ada, rid, "Just in time?"))
    assert got[0] == {"text": "Half "} and got[-1]["error"].startswith("The reply was not kept: The round is locked")
    assert [m["text"] for m in stored(app, rid)] == ["Just in time?"]  # the question, asked in time, stays


def test_a_failed_reply_keeps_the_question_and_says_why(app, fake_provider, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    fake_provider.script(Reply(status=429, headers={"retry-after": "12"}))
    got = lines(ask(ada, rid, "Still there?"))
    assert got == [
        {"error": "The AI provider is limiting requests (HTTP 429). Try again in 12 seconds.", "reason": "rate_limited"}
    ]
    assert [m["text"] for m in stored(app, rid)] == ["Still there?"]
    assert ada.call("PUT", f"/api/rounds/{rid}/scratchpad", {"text": "unaffected", "revision": 0}).status_code == 200
    ask(ada, rid, "Now?")  # the unanswered question goes with the next one
    assert fake_provider.requests[-1].body["messages"][-1]["content"] == "Still there?\n\nNow?"


def test_a_missing_key_or_a_spent_budget_refuses_before_anything_is_saved(make_ai_app, fake_provider, frozen_clock):
    app = make_ai_app(AI_API_KEY=None)
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    res = ask(ada, rid, "Hello?")
    assert res.status_code == 503 and res.get_json()["reason"] == "no_key" and stored(app, rid) == []
    limited = make_ai_app(AI_DAILY_TOKENS=40)
    bea = signed_up(limited, "bea@example.com", "Bea")
    rid = bea.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    ask(bea, rid, "One")  # 50 tokens: over the budget, but it had started under it
    res = ask(bea, rid, "Two")
    assert res.status_code == 409 and res.get_json()["message"].startswith("You have used today's AI budget (50 of 40")


def test_only_the_candidate_of_a_solo_round_talks_to_it(app, fake_provider, frozen_clock):
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    solo = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    assert ask(bob, solo, "Hi").status_code == 404
    made = ada.start(stage="quick", prompt="quick-prompt-1", role="candidate").get_json()
    link = made["invite_url"].replace("http://localhost", "")
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
    bob.call("POST", f"/api/rounds/{made['id']}/start")
    assert ask(ada, made["id"], "Hi").status_code == 404  # a peer round has a person for that
    assert "AI interviewer" not in ada.client.get(f"/rounds/{made['id']}").get_data(as_text=True)
    assert ada.call("GET", f"/api/rounds/{solo}/chat").status_code in (404, 405)  # no work route reads or writes it
    assert ada.call("PUT", f"/api/rounds/{solo}/chat", {"text": "[]", "revision": 0}).status_code in (404, 405)
    assert fake_provider.requests == []


def test_the_conversation_is_in_the_reviewers_material_and_the_export(app, fake_provider, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    fake_provider.script(Reply(text=("It is 42.",)))
    ask(ada, rid, "Is it 42 or 43?")
    ada.call("POST", f"/api/rounds/{rid}/end")
    fake_provider.script(Reply(status=500))
    ada.client.post(f"/rounds/{rid}/ai-review", data={"csrf_token": ada.token()})
    review = next(m["content"] for m in fake_provider.requests[-1].body["messages"] if m["role"] == "user")
    assert "## AI interviewer conversation\nCandidate: Is it 42 or 43?\nInterviewer: It is 42." in review
    exported = ada.client.get("/export.json").get_json()
    chat = exported["rounds"][0]["ai_chat"]
    assert [m["text"] for m in chat["messages"]] == ["Is it 42 or 43?", "It is 42."]
    eve = signed_up(app, "eve@example.com", "Eve")
    res = eve.client.post(
        "/import",
        data={"csrf_token": eve.token(), "file": (BytesIO(json.dumps(exported).encode()), "export.json")},
        content_type="multipart/form-data",
    )
    assert res.status_code == 302
    copy = eve.client.get("/export.json").get_json()["rounds"][0]["ai_chat"]
    assert [m["text"] for m in copy["messages"]] == ["Is it 42 or 43?", "It is 42."]


def test_the_conversation_is_in_the_replay_as_it_was_at_each_moment(app, fake_provider, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    fake_provider.script(Reply(text=("It is 42.",)))
    ask(ada, rid, "Is it 42 or 43?")
    frozen_clock.advance(seconds=30)
    fake_provider.script(Reply(text=("Metres.",)))
    ask(ada, rid, "And the unit?")
    ada.call("POST", f"/api/rounds/{rid}/end")
    page = ada.client.get(f"/rounds/{rid}/replay").get_data(as_text=True)
    assert 'id="replay-chat"' in page and "The AI interviewer" in page
    # Each question and each reply was a save: the replay can show the conversation before the second question.
    first = ada.client.get(f"/api/rounds/{rid}/history/chat/2").get_json()
    assert [m["text"] for m in json.loads(first["text"])["messages"]] == ["Is it 42 or 43?", "It is 42."]
    last = ada.client.get(f"/api/rounds/{rid}/history/chat/4").get_json()
    assert [m["text"] for m in json.loads(last["text"])["messages"]][-1] == "Metres."
