"""History filters and pagination, progress numbers, export/import round trips and bad imports."""

import io
import json
import re

import pytest

from mockloop.db import db
from mockloop.db.models import Round, Scorecard
from tests.helpers import Auth, answers, form_page, scored_round, signed_up


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


def rows(page_html):
    return re.findall(r'<tr>\s*<td><a href="/scorecards/(\d+)"', page_html)


def test_history_newest_first_with_pagination(api, frozen_clock, make_round, make_scorecard):
    for _ in range(23):
        make_scorecard(make_round())
        frozen_clock.advance(hours=1)
    first = api.client.get("/history").get_data(as_text=True)
    ids = rows(first)
    assert len(ids) == 20 and ids == sorted(ids, key=int, reverse=True)
    older = re.search(r'href="(/history\?older=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = api.client.get(older).get_data(as_text=True)
    assert rows(second) == ["3", "2", "1"]
    newer = re.search(r'href="(/history\?newer=[^"]+)"', second).group(1).replace("&amp;", "&")
    assert rows(api.client.get(newer).get_data(as_text=True)) == ids


def test_history_filters(api, frozen_clock):
    scored_round(api, frozen_clock, prompt="quick-prompt-1", overall="no")
    scored_round(api, frozen_clock, prompt="quick-prompt-2", overall="yes")
    scored_round(api, frozen_clock, stage="talk", prompt="talk-prompt-1", overall="strong_yes")

    def count(query):
        return len(rows(api.client.get("/history" + query).get_data(as_text=True)))

    assert count("") == 3
    assert count("?stage=talk") == 1
    assert count("?prompt=quick-prompt-2") == 1
    assert count("?tag=tag-1") == 2  # quick-prompt-1 and talk-prompt-1 carry tag-1
    assert count("?overall=no") == 1
    assert count("?role=self") == 3 and count("?role=candidate") == 0 and count("?role=interviewer") == 0
    assert count("?since=2026-05-04&until=2026-05-04") == 3
    assert count("?since=2026-05-05") == 0


@pytest.mark.parametrize(
    "query, message",
    [
        ("until=9999-12-31", "Dates go from 2000-01-01 to 2028-05-04."),
        ("since=0001-01-01", "Dates go from 2000-01-01 to 2028-05-04."),
        ("since=2026-02-30", "Enter dates as year-month-day"),
        ("older=20260504T120000.000000_" + "9" * 20, "That page link is broken"),
        ("newer=99991231T235959.999999_" + "1" * 20, "That page link is broken"),
        ("older=20260504T120000.000000_-5", "That page link is broken"),
    ],
)
def test_history_params_out_of_range_are_a_400_with_the_list_kept(api, frozen_clock, query, message):
    scored_round(api, frozen_clock)
    res = api.client.get("/history?" + query)
    page = res.get_data(as_text=True)
    assert res.status_code == 400 and message in page and len(rows(page)) == 1
    name, _, value = query.partition("=")
    if name in ("since", "until"):
        assert f'name="{name}" value="{value}"' in page  # what was typed stays in the form


def test_history_row_shows_the_level_strip(api, make_round, make_scorecard):
    make_scorecard(make_round(), levels={"clarity": 4, "depth": 1})
    page = api.client.get("/history").get_data(as_text=True)
    assert 'aria-label="Levels: 4, 1"' in page and "Quick prompt 1" in page


def test_scorecard_has_previous_and_next(api, frozen_clock, make_round, make_scorecard):
    ids = [make_round() for _ in range(3)]
    for rid in ids:
        make_scorecard(rid)
        frozen_clock.advance(hours=1)
    with api.client.application.app_context():
        cards = [db.session.execute(db.select(Scorecard.id).filter_by(round_id=r)).scalar() for r in ids]
    middle = api.client.get(f"/scorecards/{cards[1]}").get_data(as_text=True)
    assert (
        f'href="/scorecards/{cards[2]}" rel="prev"' in middle and f'href="/scorecards/{cards[0]}" rel="next"' in middle
    )


def test_progress_trend_numbers_and_averages(api, frozen_clock, make_round, make_scorecard):
    for clarity in (1, 2, 4):
        make_scorecard(make_round(), levels={"clarity": clarity, "depth": 3})
        frozen_clock.advance(hours=1)
    page = api.client.get("/progress").get_data(as_text=True)
    assert "3 rounds, oldest first: 1, 2, 4" in page  # the chart's text alternative
    assert re.search(r"Clarity · recent average <strong>2.3</strong>", page)
    assert re.search(r"Depth · recent average <strong>3.0</strong>", page)
    assert "<svg" in page and 'role="img"' in page


def test_progress_pacing_counts_extended_phases(api, frozen_clock):
    rid = api.start(stage="quick", prompt="quick-prompt-1").get_json()["id"]
    api.call("POST", f"/api/rounds/{rid}/extend")
    frozen_clock.advance(minutes=7)  # the round runs out with Think extended
    _, token, revision = form_page(api.client, f"/rounds/{rid}/score")
    api.client.post(f"/rounds/{rid}/score", data=answers(token, revision))
    page = api.client.get("/progress").get_data(as_text=True)
    assert re.search(r'<th scope="row">Think</th><td>1 of 1</td>', page)
    assert re.search(r'<th scope="row">Answer</th><td>0 of 1</td>', page)
    # A second round, run to plan: the first one's final phase times (kept by the worker) and the new
    # one's (read from its events) are counted together.
    second = api.start(stage="quick", prompt="quick-prompt-1").get_json()["id"]
    frozen_clock.advance(minutes=7)
    _, token, revision = form_page(api.client, f"/rounds/{second}/score")
    api.client.post(f"/rounds/{second}/score", data=answers(token, revision))
    page = api.client.get("/progress").get_data(as_text=True)
    assert re.search(r'<th scope="row">Think</th><td>1 of 2</td>', page)


def test_practice_plan_starts_a_round_in_one_click(api, frozen_clock):
    scored_round(api, frozen_clock, clarity="1", depth="1")
    page = api.client.get("/next").get_data(as_text=True)
    assert "Clarity has scored 1 in your last Quick drill round" in page
    form = re.search(r'action="(/stages/quick/start)".*?name="prompt" value="([^"]+)"', page, re.S)
    res = api.client.post(form.group(1), data={"csrf_token": api.token(), "prompt": form.group(2), "role": "solo"})
    assert res.status_code == 302 and res.headers["Location"].startswith("/rounds/")


def export(api):
    return api.client.get("/export.json").get_json()


def upload(api, payload: bytes):
    return api.client.post(
        "/import",
        data={"csrf_token": api.token(), "file": (io.BytesIO(payload), "x.json")},
        content_type="multipart/form-data",
    )


def test_export_then_import_round_trips_and_is_idempotent(app, api, frozen_clock):
    scored_round(api, frozen_clock)
    rid = api.start(stage="talk").get_json()["id"]
    api.call("PUT", f"/api/rounds/{rid}/scratchpad", {"text": "notes in progress", "revision": 0})
    frozen_clock.advance(minutes=10)
    original = export(api)
    assert len(original["rounds"]) == 2
    assert original["rounds"][0]["scorecards"][0]["rubric"]["dimensions"][0]["key"] == "clarity"

    # Another instance, as far as the data can tell: the original rounds are gone and a
    # different account receives the file.
    with app.app_context():
        for rnd in db.session.execute(db.select(Round)).scalars():
            db.session.delete(rnd)
        db.session.commit()
    other = signed_up(app, "ada@elsewhere.example", "Ada")
    payload = json.dumps(original).encode()
    assert upload(other, payload).status_code == 302
    assert "Imported 2 rounds and 1 scorecards" in other.client.get("/history").get_data(as_text=True)
    assert upload(other, payload).status_code == 302
    assert "Imported 0 rounds and 0 scorecards (2 rounds and 1 scorecards were already here)" in other.client.get(
        "/history"
    ).get_data(as_text=True)

    copied = export(other)
    assert copied["rounds"] == original["rounds"]
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Round)).scalar() == 2


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(format="something-else"), "a mockloop export"),
        (lambda d: d["rounds"][0].update(minutes=-5), "rounds[0].minutes"),
        (lambda d: d["rounds"][0]["events"][0].update(kind="teleport"), "rounds[0].events[0].kind"),
        (lambda d: d["rounds"][0]["events"][0].update(at="yesterday"), "rounds[0].events[0].at"),
        (lambda d: d["rounds"][0]["scorecards"][0]["scores"][0].update(level=9), "scores[0].level"),
        (lambda d: d["rounds"][0]["scorecards"][0]["scores"][0].update(dimension="charm"), "scores[0].dimension"),
        (lambda d: d["rounds"][1].update(scratchpad=["<script>"]), "rounds[1].scratchpad"),
        # Each of these was a 500 (an overflow on the way to UTC, or when the deadline was computed).
        (lambda d: d["rounds"][0]["events"][0].update(at="9999-12-31T23:59:59-05:00"), "rounds[0].events[0].at"),
        (lambda d: d["rounds"][0]["events"][0].update(at="9999-01-01T00:00:00+00:00"), "rounds[0].events[0].at"),
        (lambda d: d["rounds"][0]["events"][0].update(at="0001-01-01T00:00:00+01:00"), "rounds[0].events[0].at"),
        (lambda d: d["rounds"][0]["events"][0].update(at="0001-01-01+01:00"), "rounds[0].events[0].at"),
        (lambda d: d["rounds"][0].update(created_at="1999-12-31T23:59:59+00:00"), "rounds[0].created_at"),
        (lambda d: d["rounds"][0]["scorecards"][0].update(submitted_at="2029-01-01T00:00:00Z"), "submitted_at"),
        (lambda d: d["rounds"][0].update(plan=[["build", 10**9]]), "rounds[0].plan[0]"),
        (lambda d: d["rounds"][0].update(plan=[["a", 1000], ["b", 1000]]), "rounds[0].plan"),
        # A second self card in one round was an IntegrityError.
        (
            lambda d: d["rounds"][0]["scorecards"].append(dict(d["rounds"][0]["scorecards"][0], uid="b" * 36)),
            "at most one scorecard per reviewer",
        ),
        (lambda d: d["rounds"][0]["scorecards"][0].update(role="interviewer"), "scorecards[0].role"),
        (lambda d: d["rounds"].append(dict(d["rounds"][1])), "rounds[2].uid"),
    ],
)
def test_hostile_import_is_refused_with_a_clear_error_and_changes_nothing(api, frozen_clock, mutate, message):
    scored_round(api, frozen_clock)
    api.start(stage="talk")
    doc = export(api)
    doc["rounds"] = [dict(r, uid=r["uid"][:-4] + "beef") for r in doc["rounds"]]  # new uids: would be added
    for r in doc["rounds"]:
        for c in r["scorecards"]:
            c["uid"] = c["uid"][:-4] + "beef"
    mutate(doc)
    res = upload(api, json.dumps(doc).encode())
    page = res.get_data(as_text=True)
    assert res.status_code == 400 and "Nothing was imported" in page and message in page
    with api.client.application.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Round)).scalar() == 2


@pytest.mark.parametrize(
    "edit, message",
    [
        # 1e999 parses as infinity: an infinite plan length was a 500.
        (lambda text: text.replace('"plan": [[', '"plan": [["forever", 1e999], [', 1), "rounds[0].plan[0]"),
        (lambda text: re.sub(r'"minutes": \d+', '"minutes": NaN', text, count=1), "not NaN"),
        (
            lambda text: text.replace('"scratchpad": ""', '"scratchpad": ' + "[" * 100_000 + "]" * 100_000, 1),
            "nested at most 32 levels",
        ),
        (
            lambda text: text.replace('"scratchpad": ""', '"scratchpad": ' + '{"a":' * 33 + "1" + "}" * 33, 1),
            "nested at most 32 levels",
        ),
        # A lone surrogate cannot be stored (UTF-8 has no such character): it was a 500.
        (
            lambda text: text.replace('"scratchpad": ""', '"scratchpad": "half \\ud800 a pair"', 1),
            "rounds[0].scratchpad",
        ),
        (lambda text: text.replace('"keep": "', '"keep": "\\udfff', 1), "scorecards[0].keep"),
    ],
)
def test_import_files_the_parser_dislikes_are_refused(api, frozen_clock, edit, message):
    scored_round(api, frozen_clock, stage="talk", prompt="talk-prompt-1")
    doc = export(api)
    doc["rounds"][0]["uid"] = doc["rounds"][0]["uid"][:-4] + "beef"
    doc["rounds"][0]["scorecards"][0]["uid"] = doc["rounds"][0]["scorecards"][0]["uid"][:-4] + "beef"
    doc["rounds"][0]["scratchpad"] = ""
    text = json.dumps(doc)
    assert edit(text) != text
    res = upload(api, edit(text).encode())
    page = res.get_data(as_text=True)
    assert res.status_code == 400 and "Nothing was imported" in page and message in page
    with api.client.application.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Round)).scalar() == 1


def test_truncated_import_is_refused(api, frozen_clock):
    scored_round(api, frozen_clock)
    payload = json.dumps(export(api)).encode()
    res = upload(api, payload[: len(payload) // 2])
    assert res.status_code == 400 and "expected JSON" in res.get_data(as_text=True)


def test_csv_export_has_a_row_per_scorecard(api, frozen_clock):
    scored_round(api, frozen_clock, clarity="4", depth="1")
    csv_text = api.client.get("/export.csv").get_data(as_text=True)
    header, row = csv_text.strip().splitlines()
    assert header.startswith("submitted_at,stage,prompt,role,reviewer,overall,levels")
    assert ",quick,quick-prompt-1,self,Ada,yes,clarity=4;depth=1," in row


@pytest.mark.parametrize(
    "text",
    ['\t=HYPERLINK("http://x")', "\r=1+1", "\n@SUM(A1)", "  =2+2", " \t-3", "=1", "+1", "-1", "@x", "\uff1dcmd()"],
)
def test_csv_export_keeps_formula_starts_as_text(app, api, frozen_clock, text):
    import csv

    scored_round(api, frozen_clock)
    with app.app_context():
        card = db.session.execute(db.select(Scorecard)).scalar_one()
        card.keep, card.stop, card.start = text, "Plain words.", "- a list item"
        db.session.commit()
    [_, row] = list(csv.reader(io.StringIO(api.client.get("/export.csv").get_data(as_text=True))))
    keep, stop, start = row[-3:]
    assert keep == "'" + text and stop == "Plain words." and start == "'- a list item"


def test_cli_export_and_import(app, api, frozen_clock, tmp_path):
    from mockloop.cli import main

    scored_round(api, frozen_clock)
    runner = app.test_cli_runner()
    out = tmp_path / "export.json"
    assert runner.invoke(main, ["export", "--user", "ada@example.com", "-o", str(out)]).exit_code == 0
    Auth(app.test_client()).signup(email="bo@example.com", name="Bo")
    doc = json.loads(out.read_text())
    for r in doc["rounds"]:
        r["uid"] = r["uid"][:-4] + "cafe"
        for c in r["scorecards"]:
            c["uid"] = c["uid"][:-4] + "cafe"
    out.write_text(json.dumps(doc))
    first = runner.invoke(main, ["import", "--user", "bo@example.com", str(out)])
    assert first.exit_code == 0 and "Imported 1 rounds and 1 scorecards" in first.output
    second = runner.invoke(main, ["import", "--user", "bo@example.com", str(out)])
    assert "Imported 0 rounds and 0 scorecards; skipped 1 rounds and 1 scorecards" in second.output
    out.write_text("{")
    bad = runner.invoke(main, ["import", "--user", "bo@example.com", str(out)])
    assert bad.exit_code != 0 and "Nothing was imported" in bad.output


# ---------- imports touch only the importing account's rows ----------


def peer_round(app, frozen_clock, ada, bob):
    """A running, booked peer round: Ada the candidate (scratchpad written), Bob the interviewer."""
    from datetime import datetime, timezone

    from mockloop.services import bookings
    from tests.helpers import csrf_token

    made = ada.start(stage="quick", prompt="quick-prompt-1", role="candidate", minutes=3).get_json()
    link = made["invite_url"].replace("http://localhost", "")
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
    assert bob.call("POST", f"/api/rounds/{made['id']}/start").status_code == 200
    assert (
        ada.call("PUT", f"/api/rounds/{made['id']}/scratchpad", {"text": "VICTIM-PAD-9137", "revision": 0}).status_code
        == 200
    )
    with app.app_context():
        bookings.book(db.session.get(Round, made["id"]), datetime(2026, 5, 6, 9, 0, tzinfo=timezone.utc))
        db.session.commit()
    return made["id"]


def round_cards(app, rid):
    with app.app_context():
        return db.session.execute(
            db.select(Scorecard.reviewer_id, Scorecard.role, Scorecard.keep).filter_by(round_id=rid)
        ).all()


def test_a_forwarded_calendar_file_gives_a_stranger_nothing_of_the_round(app, frozen_clock):
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    rid = peer_round(app, frozen_clock, ada, bob)
    ics = ada.client.get(f"/rounds/{rid}/calendar.ics").get_data(as_text=True)
    victim_uid = re.search(r"^UID:([^@\r\n]+)@mockloop", ics, re.M).group(1)

    # Eve, who got the forwarded .ics, imports her own scored round under the victim round's uid.
    eve = signed_up(app, "eve@example.com", "Eve")
    scored_round(eve, frozen_clock)
    doc = export(eve)
    doc["rounds"][0]["uid"] = victim_uid
    doc["rounds"][0]["scorecards"][0].update(uid="0f5e2a9c-eve0-4b1e-9d7a-planted00001", keep="PLANTED-BY-EVE")
    payload = json.dumps(doc).encode()
    assert upload(eve, payload).status_code == 302
    assert upload(eve, payload).status_code == 302  # re-importing the same file adds nothing more
    assert "Imported 0 rounds and 0 scorecards (1 rounds and 1 scorecards were already here)" in eve.client.get(
        "/history"
    ).get_data(as_text=True)

    assert round_cards(app, rid) == []  # the victim's round got no card
    for url in (
        f"/rounds/{rid}",
        f"/api/rounds/{rid}/state",
        f"/api/rounds/{rid}/scratchpad",
        f"/rounds/{rid}/calendar.ics",
        f"/rounds/{rid}/score",
    ):
        assert eve.client.get(url).status_code == 404, url
    history = eve.client.get("/history").get_data(as_text=True)
    for card in set(re.findall(r'href="(/scorecards/\d+)"', history)):
        assert "VICTIM-PAD-9137" not in eve.client.get(card).get_data(as_text=True)
    assert "VICTIM-PAD-9137" not in json.dumps(export(eve))

    # The round ends and both score it: their pages show their own cards, never Eve's.
    bob.call("POST", f"/api/rounds/{rid}/end")
    _, token, revision = form_page(bob.client, f"/rounds/{rid}/score")
    bob.client.post(f"/rounds/{rid}/score", data=answers(token, revision))
    assert {role for _, role, _ in round_cards(app, rid)} == {"interviewer"}
    for who in (ada, bob):
        for url in [f"/rounds/{rid}", "/history"] + [
            f"/scorecards/{c}"
            for c in re.findall(r'href="/scorecards/(\d+)"', who.client.get("/history").get_data(as_text=True))
        ]:
            page = who.client.get(url).get_data(as_text=True)
            assert "PLANTED-BY-EVE" not in page and "Eve" not in page, url


def test_a_candidate_cannot_plant_an_interviewer_card_in_their_peer_round(app, frozen_clock):
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    rid = peer_round(app, frozen_clock, ada, bob)
    bob.call("POST", f"/api/rounds/{rid}/end")
    _, token, revision = form_page(ada.client, f"/rounds/{rid}/score")
    assert ada.client.post(f"/rounds/{rid}/score", data=answers(token, revision)).status_code == 302
    doc = export(ada)
    mine = doc["rounds"][0]["scorecards"][0]
    forged = dict(
        mine,
        uid=mine["uid"][:-4] + "f00d",
        role="interviewer",
        reviewer="peer",
        reviewer_name="Bob",
        overall="strong_yes",
        keep="PLANTED-STRONG-YES",
    )
    doc["rounds"][0]["scorecards"].append(forged)
    res = upload(ada, json.dumps(doc).encode())
    assert res.status_code == 302
    assert "Imported 0 rounds and 0 scorecards" in ada.client.get("/history").get_data(as_text=True)
    assert round_cards(app, rid) == [(round_cards(app, rid)[0][0], "self", "Structure first.")]
    for who in (ada, bob):
        for url in (f"/rounds/{rid}", "/history", f"/api/rounds/{rid}/state", "/export.json", "/export.csv"):
            assert "PLANTED-STRONG-YES" not in who.client.get(url).get_data(as_text=True), url


def test_own_export_imports_again_as_nothing_new(app, api, frozen_clock):
    scored_round(api, frozen_clock)
    before = export(api)
    assert upload(api, json.dumps(before).encode()).status_code == 302
    assert "Imported 0 rounds and 0 scorecards (1 rounds and 1 scorecards were already here)" in api.client.get(
        "/history"
    ).get_data(as_text=True)
    assert export(api)["rounds"] == before["rounds"]
