"""The story bank through its pages and API: create, autosave with revisions and 409s, the no-script
form, delete, drills and their ratings, stories told in a round, coverage and the practice plan."""

import re

import pytest

from mockloop.db import db
from mockloop.db.models import Story, StoryDrill, StoryUse
from tests.helpers import csrf_token, signed_up


@pytest.fixture
def app(small_loop_app):
    return small_loop_app  # its "talk" stage is behavioral: its one dimension, clarity, tags stories


def new_story(api, **fields) -> int:
    data = {"csrf_token": api.token(), "title": "Pager storm", "dimensions": ["clarity"], **fields}
    res = api.client.post("/stories/new", data=data)
    assert res.status_code == 302, res.get_data(as_text=True)[:400]
    return int(res.headers["Location"].rsplit("/", 1)[1])


def body(revision, **fields):
    return {"title": "Pager storm", "dimensions": ["clarity"], "prompts": [], "revision": revision, **fields}


def text(res) -> str:
    return re.sub(r"\s+", " ", res.get_data(as_text=True))


def test_a_new_story_is_saved_with_its_tags_and_shown(app, api):
    sid = new_story(api, situation="A launch *week*.", prompts=["talk-prompt-1"])
    page = text(api.client.get(f"/stories/{sid}"))
    assert "Pager storm" in page and "A launch *week*." in page  # the textarea holds the Markdown as typed
    assert re.search(r'value="clarity" checked', page) and re.search(r'value="talk-prompt-1" checked', page)
    assert "<strong>Situation:</strong> A launch week." in page  # the cue card
    with app.app_context():
        story = db.session.get(Story, sid)
        assert (story.revision, story.dimensions, story.prompts) == (1, ["clarity"], ["talk-prompt-1"])


def test_a_new_story_with_a_problem_comes_back_with_everything_typed(api):
    res = api.client.post("/stories/new", data={"csrf_token": api.token(), "title": " ", "action": "I paged the lead."})
    page = text(res)
    assert res.status_code == 400 and "Give the story a title" in page and "I paged the lead." in page


def test_the_coverage_grid_and_the_plan_link_to_a_new_story_for_a_gap(api):
    index = text(api.client.get("/stories"))
    assert "0 of 1 behavioral dimensions have a story" in index
    assert 'href="/stories/new?dimension=clarity"' in index
    form = text(api.client.get("/stories/new?dimension=clarity&dimension=bogus"))
    assert re.search(r'value="clarity" checked', form) and "bogus" not in form
    plan = text(api.client.get("/next"))
    assert "No story of yours shows Clarity (Talk rounds)." in plan


def test_autosave_moves_the_revision_and_a_stale_save_gets_409_leaving_the_newer_copy(app, api):
    sid = new_story(api)
    first = api.call("PUT", f"/api/stories/{sid}", body(1, action="Tab one's text."))
    assert first.status_code == 200 and first.get_json()["revision"] == 2
    stale = api.call("PUT", f"/api/stories/{sid}", body(1, action="Tab two's older text."))
    answer = stale.get_json()
    assert stale.status_code == 409 and answer["reason"] == "stale" and answer["revision"] == 2
    assert "that newer copy is the one kept" in answer["message"]
    saved = api.client.get(f"/api/stories/{sid}").get_json()
    assert saved["action"] == "Tab one's text." and saved["revision"] == 2
    again = api.call("PUT", f"/api/stories/{sid}", body(2, action="Tab two, on the newer copy."))
    assert again.status_code == 200 and again.get_json()["revision"] == 3


@pytest.mark.parametrize(
    "payload, status, message",
    [
        ({"title": "x"}, 400, "revision (a whole number)"),
        (body(2**31), 400, "revision (a whole number)"),
        (body(True), 400, "revision (a whole number)"),
        (body(1, title=""), 400, "Give the story a title"),
        (body(1, result="r" * 10_001), 400, "at most 10,000 characters"),
        (body(1, dimensions=["depth"]), 400, "Not dimensions of the behavioral rounds: depth"),
        (body(1, prompts=["quick-prompt-1"]), 400, "quick-prompt-1"),
        (body(1, task="\ud800"), 400, "surrogate"),
    ],
)
def test_bad_autosaves_are_refused_and_change_nothing(app, api, payload, status, message):
    sid = new_story(api)
    res = api.call("PUT", f"/api/stories/{sid}", payload)
    assert res.status_code == status and message in res.get_json()["message"]
    with app.app_context():
        story = db.session.get(Story, sid)
        assert (story.revision, story.title, story.result) == (1, "Pager storm", "")


def test_the_form_without_script_saves_on_its_revision_and_keeps_the_text_when_stale(api):
    sid = new_story(api)
    form = {"csrf_token": api.token(), "title": "Pager storm", "dimensions": ["clarity"], "revision": "1"}
    res = api.client.post(f"/stories/{sid}", data={**form, "result": "Errors fell."})
    assert res.status_code == 302
    stale = api.client.post(f"/stories/{sid}", data={**form, "result": "Typed in an old tab."})
    page = text(stale)
    assert stale.status_code == 409 and "that newer copy is the one kept" in page and "Typed in an old tab." in page
    assert api.client.get(f"/api/stories/{sid}").get_json()["result"] == "Errors fell."


def test_another_users_story_is_not_found_anywhere(app, api):
    sid = new_story(api)
    eve = signed_up(app, "eve@example.com", "Eve")
    assert eve.client.get(f"/stories/{sid}").status_code == 404
    assert eve.client.get(f"/api/stories/{sid}").status_code == 404
    assert eve.call("PUT", f"/api/stories/{sid}", body(1, title="Mine now")).status_code == 404
    res = eve.client.post(f"/stories/{sid}/delete", data={"csrf_token": csrf_token(eve.client, "/stories")})
    assert res.status_code == 404
    assert "Pager storm" not in text(eve.client.get("/stories"))
    assert api.client.get(f"/api/stories/{sid}").get_json()["title"] == "Pager storm"


def test_deleting_a_story_takes_its_drills_and_marks_with_it(app, api):
    sid = new_story(api)
    api.client.post(f"/stories/{sid}/drill", data={"csrf_token": api.token(), "seconds": "60", "cue": "hidden"})
    rid = api.start(stage="talk", prompt="talk-prompt-1").get_json()["id"]
    assert api.call("PUT", f"/api/rounds/{rid}/stories/{sid}", {"used": True}).status_code == 200
    res = api.client.post(f"/stories/{sid}/delete", data={"csrf_token": api.token()})
    assert res.status_code == 302 and "Deleted “Pager storm”" in text(api.client.get(res.headers["Location"]))
    assert api.client.get(f"/stories/{sid}").status_code == 404
    with app.app_context():
        for model in (Story, StoryDrill, StoryUse):
            assert db.session.execute(db.select(db.func.count()).select_from(model)).scalar() == 0
    assert api.client.get(f"/rounds/{rid}").status_code == 200  # the round stays


def test_a_drill_runs_on_the_server_clock_then_its_ratings_show_on_the_story_and_the_grid(api, frozen_clock):
    sid = new_story(api, situation="We paged everyone at once. Nobody knew who led.")
    start = api.client.post(
        f"/stories/{sid}/drill", data={"csrf_token": api.token(), "seconds": "90", "cue": "bullets"}
    )
    drill = start.headers["Location"]
    frozen_clock.advance(seconds=30)
    page = text(api.client.get(drill))
    assert 'role="timer"' in page and ">01:00<" in page and 'data-remaining-ms="60000"' in page
    assert "<strong>Situation:</strong> We paged everyone at once." in page and "Nobody knew" not in page
    frozen_clock.advance(seconds=75)
    assert 'data-over-ms="15000"' in text(api.client.get(drill))
    api.client.post(f"{drill}/finish", data={"csrf_token": api.token()})
    frozen_clock.advance(minutes=5)
    api.client.post(f"{drill}/finish", data={"csrf_token": api.token()})  # again: the clock stays stopped
    done = text(api.client.get(drill))
    assert "You took 01:45 of 01:30: over by 00:15." in done and "Rate how it went" in done
    missing = api.client.post(f"{drill}/rate", data={"csrf_token": api.token()})
    assert missing.status_code == 400 and "Rate Clarity from 1 to 4." in text(missing)
    rated = api.client.post(f"{drill}/rate", data={"csrf_token": api.token(), "rating_clarity": "2"})
    assert rated.status_code == 302
    story = text(api.client.get(f"/stories/{sid}"))
    assert "01:45 of 01:30" in story and '<span class="level l2">2</span>' in story
    grid = text(api.client.get("/stories"))
    assert "1 of 1 behavioral dimensions have a story" in grid and "drilled, rated 2 or lower" in grid
    assert "its last drill rated it 2" in text(api.client.get("/next"))
    progress = text(api.client.get("/progress"))
    assert "Stories for the behavioral rounds" in progress
    assert re.search(r'<th scope="row">Clarity</th> <td>1</td> <td><span class="level l2">2</span></td>', progress)


def test_a_hidden_drill_shows_no_story_until_it_is_done(api, frozen_clock):
    sid = new_story(api, action="I wrote the runbook.")
    drill = api.client.post(
        f"/stories/{sid}/drill", data={"csrf_token": api.token(), "seconds": "120", "cue": "hidden"}
    ).headers["Location"]
    assert "I wrote the runbook." not in text(api.client.get(drill))
    api.client.post(f"{drill}/finish", data={"csrf_token": api.token()})
    assert "I wrote the runbook." in text(api.client.get(drill))  # to compare with, beside the rating


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"seconds": "5", "cue": "hidden"}, "A drill lasts 30 seconds to 10 minutes."),
        ({"seconds": "two", "cue": "hidden"}, "Give the time limit in whole seconds."),
        ({"seconds": "120", "cue": "script"}, "hidden or shown as bullet points"),
    ],
)
def test_bad_drill_settings_say_why_on_the_story_page(app, api, fields, message):
    sid = new_story(api)
    res = api.client.post(f"/stories/{sid}/drill", data={"csrf_token": api.token(), **fields})
    assert res.status_code == 302 and message in text(api.client.get(res.headers["Location"]))
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(StoryDrill)).scalar() == 0


def test_a_story_without_dimensions_cannot_be_drilled_yet(api):
    sid = new_story(api, dimensions=[])
    page = text(api.client.get(f"/stories/{sid}"))
    assert "Tick the dimensions this story shows first" in page and "Start the drill" not in page
    res = api.client.post(f"/stories/{sid}/drill", data={"csrf_token": api.token(), "seconds": "120", "cue": "hidden"})
    assert "Tag the story with the dimensions it shows first" in text(api.client.get(res.headers["Location"]))


def test_stories_beside_a_behavioral_round_and_the_ones_told_on_its_scorecard(app, api, frozen_clock):
    told, other = new_story(api, prompts=["talk-prompt-1"], title="Answers it"), new_story(api, title="Another")
    rid = api.start(stage="talk", prompt="talk-prompt-1").get_json()["id"]
    page = text(api.client.get(f"/rounds/{rid}"))
    assert '<details class="card stories-panel" id="my-stories" open>' in page
    assert page.index("Answers it") < page.index("Another")  # stories answering the prompt first
    assert "answers this prompt" in page
    assert api.call("PUT", f"/api/rounds/{rid}/stories/{told}", {"used": True}).get_json() == {"used": True}
    assert api.call("PUT", f"/api/rounds/{rid}/stories/{other}", {"used": True}).status_code == 200
    assert api.call("PUT", f"/api/rounds/{rid}/stories/{other}", {"used": False}).get_json() == {"used": False}
    assert api.call("PUT", f"/api/rounds/{rid}/stories/{told}", {"used": "yes"}).status_code == 400
    assert 'aria-pressed="true"' in text(api.client.get(f"/rounds/{rid}"))
    api.call("POST", f"/api/rounds/{rid}/end")
    form = text(api.client.get(f"/rounds/{rid}/score"))
    assert "Your stories" in form and 'aria-pressed="true"' in form  # still markable while scoring
    fields = {"csrf_token": api.token(), "revision": "0", "level_clarity": "3", "evidence_clarity": "Clear."}
    fields |= {"overall": "yes", "keep": "k", "stop": "s", "start": "t"}
    card = api.client.post(f"/rounds/{rid}/score", data=fields).headers["Location"]
    scorecard = text(api.client.get(card))
    assert "Your stories told in this round" in scorecard and "Answers it" in scorecard and "Another" not in scorecard
    assert "Told in rounds" in text(api.client.get(f"/stories/{told}"))
    assert f'href="/rounds/{rid}"' in text(api.client.get(f"/stories/{told}"))


def test_a_round_that_is_not_behavioral_shows_no_stories(api):
    new_story(api)
    rid = api.start(stage="quick", prompt="quick-prompt-1").get_json()["id"]
    assert "Your stories" not in text(api.client.get(f"/rounds/{rid}"))


def test_in_a_running_peer_round_the_stories_stay_folded_and_the_interviewer_sees_none(app, api, frozen_clock):
    sid = new_story(api, title="Only mine")
    bob = signed_up(app, "bob@example.com", "Bob")
    made = api.start(stage="talk", prompt="talk-prompt-1", role="candidate").get_json()
    link = made["invite_url"].replace("http://localhost", "")
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
    rid = made["id"]
    assert '<details class="card stories-panel" id="my-stories" open>' in text(api.client.get(f"/rounds/{rid}"))
    bob.call("POST", f"/api/rounds/{rid}/start")
    running = text(api.client.get(f"/rounds/{rid}"))
    assert '<details class="card stories-panel" id="my-stories">' in running and "(only you see them)" in running
    assert "Only mine" in running  # there if she chooses to unfold it
    assert "Only mine" not in text(bob.client.get(f"/rounds/{rid}"))
    res = bob.call("PUT", f"/api/rounds/{rid}/stories/{sid}", {"used": True})
    assert res.status_code == 403
    api.call("PUT", f"/api/rounds/{rid}/stories/{sid}", {"used": True})
    bob.call("POST", f"/api/rounds/{rid}/end")
    with app.app_context():
        assert db.session.execute(db.select(StoryUse.story_id)).scalars().all() == [sid]
    assert "Only mine" not in text(bob.client.get(f"/rounds/{rid}/score"))


def test_a_cancelled_round_records_no_story(app, api, make_round):
    from mockloop.db.models import Round

    sid = new_story(api)
    rid = api.start(stage="talk", prompt="talk-prompt-1").get_json()["id"]
    with app.app_context():
        db.session.execute(db.update(Round).where(Round.id == rid).values(status="locked", lock_reason="cancelled"))
        db.session.commit()
    res = api.call("PUT", f"/api/rounds/{rid}/stories/{sid}", {"used": True})
    assert res.status_code == 409 and "cancelled" in res.get_json()["message"]


def test_hostile_story_text_runs_nowhere_it_is_shown(app, api, frozen_clock):
    """Every payload in a story's parts and a hostile title, on every page that shows a story."""
    from tests.test_security import problems
    from tests.xss_payloads import PAYLOADS

    text_of = "\n\n".join(PAYLOADS)
    parts = dict(zip(("situation", "task", "action", "result", "reflection"), (text_of[i::5] for i in range(5))))
    sid = new_story(api, title='"><img src=x onerror=alert(1)>Pager', prompts=["talk-prompt-1"], **parts)
    api.call("PUT", f"/api/stories/{sid}", body(1, title="</textarea><script>alert(1)</script>", action=text_of[:9000]))
    drill = api.client.post(
        f"/stories/{sid}/drill", data={"csrf_token": api.token(), "seconds": "60", "cue": "bullets"}
    ).headers["Location"]
    running = api.client.get(drill).get_data(as_text=True)
    api.client.post(f"{drill}/finish", data={"csrf_token": api.token()})
    rid = api.start(stage="talk", prompt="talk-prompt-1").get_json()["id"]
    api.call("PUT", f"/api/rounds/{rid}/stories/{sid}", {"used": True})
    round_page = api.client.get(f"/rounds/{rid}").get_data(as_text=True)
    api.call("POST", f"/api/rounds/{rid}/end")
    fields = {"csrf_token": api.token(), "revision": "0", "level_clarity": "3", "evidence_clarity": "Clear."}
    fields |= {"overall": "yes", "keep": "k", "stop": "s", "start": "t"}
    form = api.client.get(f"/rounds/{rid}/score").get_data(as_text=True)
    card = api.client.post(f"/rounds/{rid}/score", data=fields).headers["Location"]
    api.client.post(f"{drill}/rate", data={"csrf_token": api.token(), "rating_clarity": "2"})
    pages = {
        "drill (running)": running,
        "drill (done)": api.client.get(drill).get_data(as_text=True),
        "round": round_page,
        "score form": form,
        "scorecard": api.client.get(card).get_data(as_text=True),
    }
    for url in (f"/stories/{sid}", "/stories", "/progress", "/next", "/"):
        pages[url] = api.client.get(url).get_data(as_text=True)
    assert "&lt;/textarea&gt;&lt;script&gt;" in pages[f"/stories/{sid}"]  # the title, escaped
    for name, html in pages.items():
        assert problems(html) == [], name
