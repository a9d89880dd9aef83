"""Stories in export and import: a round trip with drills and told-in marks, idempotence, and an
import that only ever touches the importing account's rows, whatever uids the file names."""

import io
import json

import pytest

from mockloop.db import db
from mockloop.db.models import Round, Story, StoryDrill, StoryUse
from tests.helpers import scored_round, signed_up


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


def export(api):
    return api.client.get("/export.json").get_json()


def upload(api, doc):
    res = api.client.post(
        "/import",
        data={"csrf_token": api.token(), "file": (io.BytesIO(json.dumps(doc).encode()), "x.json")},
        content_type="multipart/form-data",
    )
    return res, api.client.get("/history").get_data(as_text=True)


def ada_with_a_story(api, frozen_clock) -> int:
    """A story with a rated drill, told in Ada's scored talk round."""
    res = api.client.post(
        "/stories/new",
        data={
            "csrf_token": api.token(),
            "title": "Pager storm",
            "action": "I split the pager rota.",
            "dimensions": ["clarity"],
            "prompts": ["talk-prompt-1"],
        },
    )
    sid = int(res.headers["Location"].rsplit("/", 1)[1])
    drill = api.client.post(
        f"/stories/{sid}/drill", data={"csrf_token": api.token(), "seconds": "90", "cue": "bullets"}
    ).headers["Location"]
    frozen_clock.advance(seconds=80)
    api.client.post(f"{drill}/rate", data={"csrf_token": api.token(), "rating_clarity": "3"})
    rid = api.start(stage="talk", prompt="talk-prompt-1").get_json()["id"]
    api.call("PUT", f"/api/rounds/{rid}/stories/{sid}", {"used": True})
    api.call("POST", f"/api/rounds/{rid}/end")
    frozen_clock.advance(hours=1)
    return sid


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


def test_stories_round_trip_with_their_drills_and_told_in_marks(app, api, frozen_clock):
    ada_with_a_story(api, frozen_clock)
    original = export(api)
    [story] = original["stories"]
    assert story["title"] == "Pager storm" and story["action"] == "I split the pager rota."
    assert story["dimensions"] == ["clarity"] and story["prompts"] == ["talk-prompt-1"]
    assert [d["ratings"] for d in story["drills"]] == [{"clarity": 3}] and story["drills"][0]["cue"] == "bullets"
    assert story["told_in"] == [original["rounds"][0]["uid"]]

    # Another instance, as far as the data can tell: Ada's rows are gone, another account imports.
    with app.app_context():
        for model in (Story, Round):
            for row in db.session.execute(db.select(model)).scalars():
                db.session.delete(row)
        db.session.commit()
    other = signed_up(app, "ada@elsewhere.example", "Ada")
    res, page = upload(other, original)
    assert res.status_code == 302 and "Stories: 1 added, 0 already in your bank." in page
    copied = export(other)
    assert copied["stories"] == original["stories"]
    grid = other.client.get("/stories").get_data(as_text=True)
    assert "Pager storm" in grid and "drilled, rated 3 or higher" in grid
    res, page = upload(other, original)
    assert "Stories: 0 added, 1 already in your bank." in page
    assert count(app, Story) == 1 and count(app, StoryDrill) == 1 and count(app, StoryUse) == 1


def test_a_file_from_before_the_story_bank_still_imports(app, api, frozen_clock):
    scored_round(api, frozen_clock)
    doc = export(api)
    del doc["stories"]
    doc["rounds"] = [dict(r, uid=r["uid"][:-4] + "beef") for r in doc["rounds"]]
    res, page = upload(api, doc)
    assert res.status_code == 302 and "Imported 1 rounds" in page and "Stories:" not in page


def test_importing_someone_elses_export_copies_their_stories_and_touches_none_of_theirs(app, api, frozen_clock):
    sid = ada_with_a_story(api, frozen_clock)
    doc = export(api)
    with app.app_context():
        ada_round = db.session.execute(db.select(StoryUse.round_id)).scalar_one()
    eve = signed_up(app, "eve@example.com", "Eve")
    res, page = upload(eve, doc)
    assert res.status_code == 302 and "Stories: 1 added" in page
    with app.app_context():
        ada_story = db.session.get(Story, sid)
        assert (ada_story.title, ada_story.revision, len(ada_story.drills)) == ("Pager storm", 1, 1)
        eve_story = db.session.execute(db.select(Story).where(Story.id != sid)).scalar_one()
        assert eve_story.uid != ada_story.uid and eve_story.owner_id != ada_story.owner_id
        uses = db.session.execute(db.select(StoryUse.story_id, StoryUse.round_id)).all()
        eve_round = next(r for s, r in uses if s == eve_story.id)
        assert (sid, ada_round) in uses and eve_round != ada_round
        assert db.session.get(Round, eve_round).candidate_id == eve_story.owner_id  # her own copy of the round
    assert api.client.get(f"/stories/{sid}").status_code == 200
    assert "Pager storm" in eve.client.get("/stories").get_data(as_text=True)


def test_told_in_marks_never_reach_a_round_the_file_does_not_bring(app, api, frozen_clock):
    ada_with_a_story(api, frozen_clock)
    doc = export(api)
    eve = signed_up(app, "eve@example.com", "Eve")
    eve_round = eve.start(stage="talk", prompt="talk-prompt-1").get_json()["id"]
    with app.app_context():
        eve_uid = db.session.get(Round, eve_round).uid
    mallory = signed_up(app, "mallory@example.com", "Mallory")
    story = dict(doc["stories"][0], uid="m" * 36, told_in=[eve_uid])
    res, page = upload(mallory, {**doc, "rounds": [], "stories": [story]})
    assert res.status_code == 302 and "Stories: 1 added" in page
    with app.app_context():
        assert db.session.execute(db.select(StoryUse.round_id).where(StoryUse.round_id == eve_round)).first() is None


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda s: s.update(title="   "), "stories[0].title"),
        (lambda s: s.update(action="a" * 10_001), "stories[0].action"),
        (lambda s: s.update(dimensions=["Clarity!"]), "stories[0].dimensions"),
        (lambda s: s.update(dimensions=["clarity", "clarity"]), "stories[0].dimensions"),
        (lambda s: s.update(prompts="talk-prompt-1"), "stories[0].prompts"),
        (lambda s: s["drills"][0].update(ratings={"clarity": 7}), "stories[0].drills[0].ratings"),
        (lambda s: s["drills"][0].update(ratings={"clarity": True}), "stories[0].drills[0].ratings"),
        (lambda s: s["drills"][0].update(limit_seconds=10**9), "stories[0].drills[0].limit_seconds"),
        (lambda s: s["drills"][0].update(cue="script"), "stories[0].drills[0].cue"),
        (lambda s: s["drills"][0].update(started_at="9999-01-01T00:00:00+00:00"), "stories[0].drills[0].started_at"),
        (lambda s: s.update(told_in=[{"uid": 1}]), "stories[0].told_in"),
        (lambda s: s.update(uid="short"), "stories[0].uid"),
    ],
)
def test_a_hostile_story_is_refused_with_its_path_and_nothing_changes(app, api, frozen_clock, mutate, message):
    ada_with_a_story(api, frozen_clock)
    doc = export(api)
    doc["rounds"] = [dict(r, uid=r["uid"][:-4] + "beef") for r in doc["rounds"]]  # would be added
    doc["stories"][0]["uid"] = "n" * 36
    mutate(doc["stories"][0])
    before = (count(app, Round), count(app, Story), count(app, StoryDrill))
    res = api.client.post(
        "/import",
        data={"csrf_token": api.token(), "file": (io.BytesIO(json.dumps(doc).encode()), "x.json")},
        content_type="multipart/form-data",
    )
    assert res.status_code == 400 and message in res.get_data(as_text=True)
    assert (count(app, Round), count(app, Story), count(app, StoryDrill)) == before


def test_two_stories_with_one_uid_are_refused(app, api, frozen_clock):
    ada_with_a_story(api, frozen_clock)
    doc = export(api)
    doc["stories"].append(dict(doc["stories"][0]))
    res = api.client.post(
        "/import",
        data={"csrf_token": api.token(), "file": (io.BytesIO(json.dumps(doc).encode()), "x.json")},
        content_type="multipart/form-data",
    )
    assert res.status_code == 400 and "stories[1].uid: expected a uid no other story of the file has" in res.get_data(
        as_text=True
    )
