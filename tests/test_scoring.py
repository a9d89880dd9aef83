"""Scoring a finished round: validation, forged posts, drafts, stale edits, snapshots, sanitizing."""

import re

import pytest

from mockloop.db import db
from mockloop.db.models import Score, Scorecard
from tests.helpers import answers, form_page, scorecard_path, statements_sent

XSS = '<script>alert(1)</script><img src=x onerror="alert(2)"> [click](javascript:alert(3)) **kept**'


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


@pytest.fixture
def ended_round(api, make_round):
    return make_round(stage="quick", prompt="quick-prompt-1", status="locked")  # by the signed-up user


def test_running_round_cannot_be_scored_yet(api):
    rid = api.start(stage="quick").get_json()["id"]
    res = api.client.get(f"/rounds/{rid}/score")
    assert res.status_code == 409 and "still going" in res.get_data(as_text=True)


def test_form_shows_every_level_description(api, ended_round):
    page, _, _ = form_page(api.client, f"/rounds/{ended_round}/score")
    assert "crisp and structured" in page and "expert depth" in page
    assert "Strong No" in page and "Strong Yes" in page and "Neutral" not in page


def test_submit_stores_scores_and_shows_the_scorecard(app, api, ended_round):
    url = f"/rounds/{ended_round}/score"
    _, token, revision = form_page(api.client, url)
    res = api.client.post(url, data=answers(token, revision))
    assert res.status_code == 302
    page = api.client.get(res.headers["Location"]).get_data(as_text=True)
    assert "Explained the plan." in page and "Skipped the failure modes." in page and "Name trade-offs." in page
    assert "Planned and actual time per phase" in page and "early, by choice" in page
    with app.app_context():
        rows = db.session.execute(db.select(Score.dimension, Score.level, Score.role).order_by(Score.position)).all()
    assert rows == [("clarity", 3, "self"), ("depth", 2, "self")]
    assert api.client.get(url).status_code == 302  # scoring again goes to the scorecard


def test_the_saved_scorecard_confirms_without_rewriting_the_session(api, ended_round):
    url = f"/rounds/{ended_round}/score"
    _, token, revision = form_page(api.client, url)
    res = api.client.post(url, data=answers(token, revision))
    assert res.status_code == 302 and "Set-Cookie" not in res.headers  # no flash re-signed the session
    page = api.client.get(res.headers["Location"]).get_data(as_text=True)
    assert '<p class="flash success" role="status">Scorecard saved.</p>' in page
    plain = api.client.get(res.headers["Location"].split("?")[0]).get_data(as_text=True)
    assert "Scorecard saved." not in plain and "Explained the plan." in plain


def test_first_submit_without_opening_the_form_creates_the_card(app, api, ended_round):
    # A post straight from another tab (or after the draft card was lost) creates and submits at once.
    url = f"/rounds/{ended_round}/score"
    res = api.client.post(url, data=answers(api.token(), "0"))
    assert res.status_code == 302
    assert "Skipped the failure modes." in api.client.get(res.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        card = db.session.execute(db.select(Scorecard)).scalar_one()
        assert (card.status, card.revision, card.draft, card.role) == ("submitted", 1, None, "self")
        assert [d["key"] for d in card.rubric["dimensions"]] == ["clarity", "depth"]
        assert db.session.execute(db.select(db.func.count()).select_from(Score)).scalar() == 2


def test_a_submit_reads_the_round_and_the_reviewers_card_in_one_statement(app, api, ended_round):
    # The submit's reads: the user loader's, then the round beside the reviewer's own card; then the
    # writes. A statement fewer is a tenth of the submit (docs/performance.md).
    url = f"/rounds/{ended_round}/score"
    _, token, revision = form_page(api.client, url)  # opens the draft card the submit then finds
    with statements_sent(app) as statements:
        assert api.client.post(url, data=answers(token, revision)).status_code == 302
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 2 and "FROM users" in reads[0], statements
    assert "FROM rounds LEFT OUTER JOIN scorecards" in reads[1], statements
    with app.app_context():
        assert db.session.execute(db.select(Scorecard.status)).scalar_one() == "submitted"  # the draft, found


def test_first_submit_with_a_problem_comes_back_around_a_new_draft(app, api, ended_round):
    res = api.client.post(f"/rounds/{ended_round}/score", data=answers(api.token(), "0", overall=None))
    page = res.get_data(as_text=True)
    assert res.status_code == 400 and "Pick an overall recommendation." in page and "Rushing the ending." in page
    with app.app_context():
        card = db.session.execute(db.select(Scorecard)).scalar_one()
    assert card.status == "draft" and f"/scorecards/{card.id}/draft" in page  # autosave can take over


def test_a_card_created_meanwhile_makes_a_first_submit_stale(app, api, ended_round):
    # Two tabs of one reviewer both post a first submit: the second insert meets the unique
    # (round, reviewer) constraint and must be a 409 with nothing changed, not a 500 or a second card.
    from mockloop import clock
    from mockloop.core.errors import Conflict
    from mockloop.db.models import Round, User
    from mockloop.services.scorecards import submit

    assert api.client.post(f"/rounds/{ended_round}/score", data=answers(api.token(), "0")).status_code == 302
    with app.app_context():
        rnd, ada = db.session.get(Round, ended_round), db.session.execute(db.select(User)).scalar_one()
        rubric = db.session.execute(db.select(Scorecard)).scalar_one().rubric
        other_tab = {
            "levels": {"clarity": 1, "depth": 1},
            "evidence": {"clarity": "x", "depth": "y"},
            "overall": "no",
            "keep": "k",
            "stop": "s",
            "start": "t",
        }
        with pytest.raises(Conflict, match="changed after you opened it"):
            submit(rnd, None, rubric, other_tab, ada, 0, clock.now())
        assert db.session.execute(db.select(Scorecard.overall, Scorecard.revision)).all() == [("yes", 1)]
        assert sorted(db.session.execute(db.select(Score.level)).scalars()) == [2, 3]


@pytest.mark.parametrize(
    "override, message",
    [
        ({"level_clarity": None}, "Pick a level for Clarity."),
        ({"evidence_depth": ""}, "Write what you saw that supports the level for Depth."),
        ({"overall": None}, "Pick an overall recommendation."),
        ({"keep": ""}, "Write one line for keep doing."),
        ({"evidence_clarity": "x" * 5001}, "Keep this to 5,000 characters; it has 5,001."),
    ],
)
def test_missing_or_too_long_answers_rerender_with_everything_kept(app, api, ended_round, override, message):
    url = f"/rounds/{ended_round}/score"
    _, token, revision = form_page(api.client, url)
    res = api.client.post(url, data=answers(token, revision, **override))
    page = res.get_data(as_text=True)
    assert res.status_code == 400
    assert message in page
    assert "Rushing the ending." in page or override.get("stop") == ""  # typed text survives
    assert 'checked id="level_depth-1"' in page or override.get("level_depth") is None
    with app.app_context():
        assert db.session.execute(db.select(Score)).first() is None


@pytest.mark.parametrize(
    "override",
    [
        {"level_charisma": "4"},
        {"evidence_charisma": "made up"},
        {"level_clarity": "7"},
        {"level_clarity": "0"},
        {"overall": "neutral"},
    ],
)
def test_forged_dimension_or_level_is_400_and_nothing_stored(app, api, ended_round, override):
    url = f"/rounds/{ended_round}/score"
    _, token, revision = form_page(api.client, url)
    res = api.client.post(url, data=answers(token, revision, **override))
    assert res.status_code == 400 and "not part of this rubric" in res.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(Score)).first() is None
        assert db.session.execute(db.select(Scorecard.status)).scalar() == "draft"


def test_post_without_csrf_is_refused(api, ended_round):
    url = f"/rounds/{ended_round}/score"
    _, token, revision = form_page(api.client, url)
    res = api.client.post(url, data=answers("forged-token", revision))
    assert res.status_code == 400 and "expired or was sent from elsewhere" in res.get_data(as_text=True)


def test_draft_autosaves_and_restores(app, api, ended_round):
    url = f"/rounds/{ended_round}/score"
    _, token, _ = form_page(api.client, url)
    with app.app_context():
        card_id = db.session.execute(db.select(Scorecard.id)).scalar()
    res = api.client.post(
        f"/scorecards/{card_id}/draft",
        data={"level_depth": "4", "keep": "Half-written thought", "not_a_field": "dropped"},
        headers={"X-CSRFToken": token},
    )
    assert res.status_code == 200
    page = api.client.get(url).get_data(as_text=True)  # a new tab, later
    assert "Half-written thought" in page and 'checked id="level_depth-3"' in page
    with app.app_context():
        assert "not_a_field" not in db.session.get(Scorecard, card_id).draft


def test_edit_with_stale_revision_is_409_and_history_records_changes(app, api, ended_round):
    url = f"/rounds/{ended_round}/score"
    _, token, revision = form_page(api.client, url)
    card_url = scorecard_path(api.client.post(url, data=answers(token, revision)))
    edit_url = card_url + "/edit"
    _, token, rev_tab1 = form_page(api.client, edit_url)
    _, _, rev_tab2 = form_page(api.client, edit_url)
    assert api.client.post(edit_url, data=answers(token, rev_tab1, level_clarity="4")).status_code == 302
    stale = api.client.post(edit_url, data=answers(token, rev_tab2, keep="From the older tab"))
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "changed after you opened it" in page and "From the older tab" in page
    card = api.client.get(card_url).get_data(as_text=True)
    assert "Edit history" in card and "Clarity level" in card and "From the older tab" not in card
    with app.app_context():
        assert db.session.execute(db.select(Score.level).filter_by(dimension="clarity")).scalar() == 4


def test_rubric_snapshot_survives_a_changed_loop_file(make_app, tmp_path):
    import shutil

    from tests.helpers import TEST_PROMPTS, Api, Auth

    prompts = tmp_path / "prompts"
    shutil.copytree(TEST_PROMPTS, prompts)
    app = make_app(PROMPTS_DIR=str(prompts))
    client = app.test_client()
    Auth(client).signup()
    api = Api(client)
    rid = api.start(stage="quick", prompt="quick-prompt-1").get_json()["id"]
    api.call("POST", f"/api/rounds/{rid}/end")
    _, token, revision = form_page(client, f"/rounds/{rid}/score")
    card_url = scorecard_path(client.post(f"/rounds/{rid}/score", data=answers(token, revision)))

    loop = prompts / "loop.yaml"
    loop.write_text(
        loop.read_text().replace("crisp and structured", "REWRITTEN LEVEL").replace("name: Depth", "name: Rigour")
    )
    edited = make_app(PROMPTS_DIR=str(prompts)).test_client()
    Auth(edited).login()
    page = edited.get(card_url).get_data(as_text=True)
    assert "Depth" in page and "Rigour" not in page
    edit_form = edited.get(card_url + "/edit").get_data(as_text=True)
    assert "crisp and structured" in edit_form and "REWRITTEN LEVEL" not in edit_form


def test_hostile_markdown_is_sanitized(api, ended_round):
    url = f"/rounds/{ended_round}/score"
    _, token, revision = form_page(api.client, url)
    card_url = scorecard_path(api.client.post(url, data=answers(token, revision, evidence_clarity=XSS, keep=XSS)))
    page = api.client.get(card_url).get_data(as_text=True)
    assert "<strong>kept</strong>" in page
    # The tags are shown as the text they are (`&lt;img src=x onerror=...&gt;`), never as elements.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror" in page
    assert "<script>alert" not in page and not re.search(r"<[^>]+\son[a-z]+\s*=", page)
    assert not re.search(r"""<[^>]+=\s*["']?\s*javascript:""", page)


def test_other_users_cannot_see_or_edit_the_card(app, api, ended_round):
    from tests.helpers import Auth

    url = f"/rounds/{ended_round}/score"
    _, token, revision = form_page(api.client, url)
    card_url = scorecard_path(api.client.post(url, data=answers(token, revision)))
    eve = app.test_client()
    Auth(eve).signup(email="eve@example.com", name="Eve")
    assert eve.get(card_url).status_code == 404
    assert eve.get(card_url + "/edit").status_code == 404
    assert eve.get(url).status_code == 404
