"""Bad input, generated with hypothesis: never a server error, never anything invalid stored, and a
rejected form comes back with what the user typed."""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from mockloop.core import rubric as rubric_core
from mockloop.core.vocabulary import WorkKind
from mockloop.core.work import RULES
from mockloop.db import db
from mockloop.db.models import Round, Scorecard
from tests.helpers import csrf_token, signed_up

NOTES_LIMIT, SCRATCHPAD_LIMIT = RULES[WorkKind.NOTES].limit, RULES[WorkKind.SCRATCHPAD].limit

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any JSON a client could send, including the NaN and Infinity that Python's parser accepts.
EDGES = [
    2**31,
    2**53,
    2**63 - 1,
    2**63,
    -(2**63) - 1,
    2**70,
    10**400,
    float("inf"),
    float("-inf"),
    float("nan"),
    1e308,
    2.5,
    60.0,
    -0.0,
    True,
    False,
    "",
    "0",
    "٣",
    "1e3",
    " 2 ",
    "9" * 5000,
]
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(EDGES)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
CURRENT = object()  # stands for the revision the text is stored at, so some saves succeed
texts = st.text(max_size=60) | st.sampled_from(["", " ", "\n", "<b>x</b>", "\x00", "é" * 3])


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


@pytest.fixture
def peer(app, frozen_clock):
    """A running peer round: Ada the candidate, Bob the interviewer."""
    ada, bob = signed_up(app), signed_up(app, "bob@example.com", "Bob")
    created = ada.start(stage="quick", prompt="quick-prompt-1", role="candidate", minutes=3).get_json()
    path = created["invite_url"].replace("http://localhost", "")
    bob.client.post(path, data={"csrf_token": csrf_token(bob.client, path)})
    assert bob.call("POST", f"/api/rounds/{created['id']}/start").status_code == 200
    return ada, bob, created["id"]


def stored(app, round_id):
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        return rnd.text("scratchpad"), rnd.revision("scratchpad"), rnd.text("notes"), rnd.revision("notes")


# ---------- scratchpad and notes PUT bodies ----------

text_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"text": json_values | texts, "revision": json_values}),
    st.fixed_dictionaries(
        {"text": texts, "revision": st.integers(min_value=-(2**70), max_value=2**70) | st.sampled_from(EDGES)}
    ),
    st.fixed_dictionaries({"text": texts, "revision": st.just(CURRENT)}),
    st.builds(
        lambda n: {"text": "y" * n, "revision": 0},
        st.sampled_from([NOTES_LIMIT, NOTES_LIMIT + 1, SCRATCHPAD_LIMIT, SCRATCHPAD_LIMIT + 1]),
    ),
)


def check_text_put(app, api, url, rid, body, field):
    before = stored(app, rid)
    if isinstance(body, dict) and body.get("revision") is CURRENT:
        body = {**body, "revision": before[1] if field == "scratchpad" else before[3]}
    res = api.call("PUT", url, body)
    event(f"status {res.status_code}")
    assert res.status_code in (200, 400, 409), (res.status_code, body)
    assert res.is_json and res.get_json().get("message" if res.status_code != 200 else "revision") is not None
    after = stored(app, rid)
    text, rev = (after[0], after[1]) if field == "scratchpad" else (after[2], after[3])
    if res.status_code == 200:
        assert text == body["text"].replace("\x00", "") and rev == res.get_json()["revision"]
        assert len(text) <= (SCRATCHPAD_LIMIT if field == "scratchpad" else NOTES_LIMIT)
    else:
        assert after == before


@FUZZ
@given(body=text_bodies)
def test_scratchpad_put_survives_any_body(app, peer, body):
    ada, _, rid = peer
    check_text_put(app, ada, f"/api/rounds/{rid}/scratchpad", rid, body, "scratchpad")


@FUZZ
@given(body=text_bodies)
def test_notes_put_survives_any_body(app, peer, body):
    _, bob, rid = peer
    check_text_put(app, bob, f"/api/rounds/{rid}/notes", rid, body, "notes")


@FUZZ
@given(raw=st.binary(max_size=40) | st.text(max_size=40).map(str.encode))
def test_text_puts_survive_bodies_that_are_not_json(app, peer, raw):
    ada, bob, rid = peer
    for api, url in ((ada, f"/api/rounds/{rid}/scratchpad"), (bob, f"/api/rounds/{rid}/notes")):
        before = stored(app, rid)
        res = api.client.put(url, data=raw, content_type="application/json", headers={"X-CSRFToken": api.token()})
        assert res.status_code in (200, 400, 409) and res.is_json, res.status_code
        if res.status_code != 200:
            assert stored(app, rid) == before


# ---------- round-start JSON ----------

start_values = {
    "stage": st.sampled_from(["quick", "talk", "nope", ""]) | json_values,
    "prompt": st.sampled_from(["surprise", "quick-prompt-1", "talk-prompt-2", "missing"]) | json_values,
    "minutes": st.integers(-5, 10) | json_values,
    "tag": st.sampled_from(["", "x"]) | json_values,
    "difficulty": st.integers(0, 4) | json_values,
    "role": st.sampled_from(["solo", "candidate", "interviewer", "judge"]) | json_values,
}
start_bodies = (
    json_values
    | st.fixed_dictionaries({}, optional=start_values)
    | st.fixed_dictionaries(
        {"stage": st.sampled_from(["quick", "talk"]), "prompt": st.just("surprise")},
        optional={k: start_values[k] for k in ("minutes", "difficulty", "role")},
    )
)


@FUZZ
@given(body=start_bodies)
def test_round_start_survives_any_json(app, peer, body):
    ada, _, _ = peer
    with app.app_context():
        count = db.session.execute(db.select(db.func.count()).select_from(Round)).scalar()
    res = ada.call("POST", "/api/rounds", body)
    event(f"status {res.status_code}")
    assert res.status_code in (201, 400), (res.status_code, body)
    with app.app_context():
        rounds = db.session.execute(db.select(Round).order_by(Round.id)).scalars().all()
        if res.status_code == 400:
            assert len(rounds) == count and res.get_json()["message"]
        else:
            assert len(rounds) == count + 1
            new = rounds[-1]
            limits = {"quick": (1, 3), "talk": (1, 5)}[new.stage]
            assert limits[0] <= new.minutes <= limits[1] and new.mode in ("solo", "peer")
            assert new.prompt_slug.startswith(new.stage)


# ---------- the rubric form ----------

LEVELS = ["1", "2", "3", "4"]
honest_fields = {
    "level_clarity": st.sampled_from(["", *LEVELS]),
    "level_depth": st.sampled_from(["", *LEVELS]),
    "evidence_clarity": texts | st.integers(4990, 5010).map(lambda n: "e" * n),
    "evidence_depth": texts,
    "overall": st.sampled_from(["", "strong_no", "no", "yes", "strong_yes"]),
    "keep": texts | st.integers(1990, 2010).map(lambda n: "k" * n),
    "stop": texts,
    "start": texts,
}
typed = st.text(min_size=1, max_size=40).filter(lambda t: t.replace("\x00", "").strip())
complete_fields = {
    **{k: st.sampled_from(LEVELS) for k in ("level_clarity", "level_depth")},
    "evidence_clarity": typed | st.integers(4990, 5010).map(lambda n: "e" * n),
    "evidence_depth": typed,
    "overall": st.sampled_from(["strong_no", "no", "yes", "strong_yes"]),
    "keep": typed | st.integers(1990, 2010).map(lambda n: "k" * n),
    "stop": typed,
    "start": typed,
}
forged_fields = {
    **honest_fields,
    "level_clarity": st.text(max_size=4) | st.sampled_from(["0", "5", "-1", "3.0", " 3"]),
    "overall": st.text(max_size=12) | st.sampled_from(["neutral", "YES"]),
    "level_bogus": st.sampled_from(["1", "x"]),
}


@pytest.fixture
def card(app, peer):
    """Ada's self-assessment of the ended peer round, opened and ready to fill in."""
    ada, bob, rid = peer
    bob.call("POST", f"/api/rounds/{rid}/end")
    assert ada.client.get(f"/rounds/{rid}/score").status_code == 200
    with app.app_context():
        card_id = db.session.execute(db.select(Scorecard.id)).scalar_one()
    return ada, card_id, csrf_token(ada.client, f"/scorecards/{card_id}/edit")


def card_state(app, card_id):
    with app.app_context():
        card = db.session.get(Scorecard, card_id)
        return (
            card.status,
            card.revision,
            card.overall,
            card.keep,
            card.stop,
            card.start,
            [(s.dimension, s.level, s.evidence) for s in card.scores],
        )


def assert_card_valid(app, card_id):
    with app.app_context():
        card = db.session.get(Scorecard, card_id)
        if card.status != "submitted":
            return
        assert card.overall in {r["key"] for r in card.rubric["recommendation"]}
        assert [s.dimension for s in card.scores] == [d["key"] for d in card.rubric["dimensions"]]
        for s in card.scores:
            assert 1 <= s.level <= 4 and s.evidence.strip() and len(s.evidence) <= rubric_core.EVIDENCE_LIMIT
        for f in rubric_core.SUMMARY_FIELDS:
            assert getattr(card, f).strip() and len(getattr(card, f)) <= rubric_core.SUMMARY_LIMIT


@FUZZ
@given(fields=st.fixed_dictionaries(complete_fields) | st.fixed_dictionaries({}, optional=honest_fields))
def test_rubric_form_keeps_what_was_typed_or_stores_a_valid_card(app, card, fields):
    ada, card_id, token = card
    revision = card_state(app, card_id)[1]
    before = card_state(app, card_id)
    res = ada.client.post(
        f"/scorecards/{card_id}/edit", data={"csrf_token": token, "revision": str(revision), **fields}
    )
    event(f"status {res.status_code}")
    assert res.status_code in (302, 400), res.status_code
    assert_card_valid(app, card_id)
    if res.status_code == 302:
        return
    assert card_state(app, card_id) == before
    page = res.get_data(as_text=True)
    assert "need" in page and "attention below" in page  # the error summary
    for name, value in fields.items():
        value = value.replace("\x00", "")
        if (name.startswith("level_") or name == "overall") and value:
            assert re.search(rf'<input[^>]*\bchecked\b[^>]*name="{name}"[^>]*value="{value}"', page), (name, value)
        elif value.strip("\r\n"):
            assert str(escape(value.replace("\r\n", "\n"))) in page.replace("\r\n", "\n"), (name, value[:40])


@FUZZ
@given(
    fields=st.fixed_dictionaries(complete_fields),
    revision=st.text(max_size=12)
    | st.sampled_from(["\u00b2", "\u0663", "9" * 30, "-1", " 0", "0", "1"])
    | st.integers(-3, 2**70).map(str),
)
def test_rubric_form_revision_is_checked_not_crashed(app, card, fields, revision):
    ada, card_id, token = card
    before = card_state(app, card_id)
    res = ada.client.post(f"/scorecards/{card_id}/edit", data={"csrf_token": token, "revision": revision, **fields})
    event(f"status {res.status_code}")
    assert res.status_code in (302, 400, 409), res.status_code
    assert_card_valid(app, card_id)
    if res.status_code == 409:
        page = res.get_data(as_text=True)
        assert "changed after you opened it" in page and card_state(app, card_id) == before
        assert str(escape(fields["stop"].replace("\x00", "").replace("\r\n", "\n"))) in page.replace("\r\n", "\n")


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {"level_clarity": forged_fields["level_clarity"]},
        optional={k: v for k, v in forged_fields.items() if k != "level_clarity"},
    )
)
def test_forged_rubric_posts_store_nothing(app, card, fields):
    ada, card_id, token = card
    before = card_state(app, card_id)
    res = ada.client.post(
        f"/scorecards/{card_id}/edit", data={"csrf_token": token, "revision": str(before[1]), **fields}
    )
    event(f"status {res.status_code}")
    assert res.status_code in (302, 400), res.status_code
    assert_card_valid(app, card_id)
    if res.status_code == 400 and "not part of this rubric" in res.get_data(as_text=True):
        assert card_state(app, card_id) == before


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(sorted(forged_fields)) | st.text(max_size=10), texts, max_size=6))
def test_rubric_drafts_keep_only_rubric_fields(app, card, fields):
    ada, card_id, _ = card
    res = ada.client.post(f"/scorecards/{card_id}/draft", data=fields, headers={"X-CSRFToken": ada.token()})
    assert res.status_code == 200
    with app.app_context():
        card = db.session.get(Scorecard, card_id)
        assert set(card.draft) <= rubric_core.answer_fields(card.rubric)
        assert all(len(v) <= rubric_core.EVIDENCE_LIMIT for v in card.draft.values())


# ---------- loop plans ----------

plan_fields = {
    "start": st.sampled_from(["2026-05-04T13:00", "2026-05-04T11:00", "", "13:00", "2026-13-40T25:61", "٢٠٢٦"])
    | st.text(max_size=20),
    "break": st.sampled_from(["15", "0", "-5", "1441", "1e9", "", "NaN"]) | st.text(max_size=6),
    "minutes_quick": st.sampled_from(["1", "3", "0", "99", "", "2.5"]) | st.text(max_size=6),
    "prompt_quick": st.sampled_from(["surprise", "quick-prompt-1", "talk-prompt-1", "../x", ""]) | st.text(max_size=12),
    "pinned_quick": st.sampled_from(["", "2026-05-04T14:00", "2026-05-04T10:00", "never"]),
    "tz": st.sampled_from(["UTC", "Europe/Berlin", "Mars/Olympus", "", "../../etc/passwd"]),
}


@FUZZ
@given(
    fields=st.fixed_dictionaries({}, optional=plan_fields),
    stages=st.lists(st.sampled_from(["quick", "talk", "nope"]), max_size=3),
)
def test_loop_plan_form_survives_any_input(app, peer, fields, stages):
    from mockloop.db.models import LoopPlan

    ada = peer[0]
    with app.app_context():
        before = db.session.execute(db.select(db.func.count()).select_from(LoopPlan)).scalar()
    res = ada.client.post("/loops/new", data={"csrf_token": ada.token(), "stages": stages, **fields})
    assert res.status_code in (302, 400), res.status_code
    with app.app_context():
        after = db.session.execute(db.select(db.func.count()).select_from(LoopPlan)).scalar()
    if res.status_code == 400:
        assert after == before  # nothing stored
        page = res.get_data(as_text=True)
        typed = fields.get("start", "").replace("\x00", "")  # NULs are dropped on arrival (web.py)
        if typed:
            assert str(escape(typed)) in page  # what was typed comes back
    else:
        assert after == before + 1


# ---------- import files ----------


def exported(api):
    return api.client.get("/export.json").get_json()


def mutations():
    """A valid export with one field somewhere replaced by arbitrary JSON."""
    paths = st.sampled_from(
        [
            ("rounds",),
            ("rounds", 0),
            ("rounds", 0, "minutes"),
            ("rounds", 0, "events"),
            ("rounds", 0, "events", 0, "at"),
            ("rounds", 0, "events", 0, "kind"),
            ("rounds", 0, "plan"),
            ("rounds", 0, "scratchpad"),
            ("rounds", 0, "uid"),
            ("version",),
            ("format",),
        ]
    )
    return st.tuples(paths, json_values)


@FUZZ
@given(change=mutations())
def test_import_survives_any_mutation_and_is_all_or_nothing(app, peer, change):
    import io
    import json

    ada = peer[0]
    doc = exported(ada)
    # Fresh uids: examples share one database, and a known uid would be skipped, not added.
    doc["rounds"] = [
        dict(r, uid=str(uuid.uuid4()), scorecards=[dict(c, uid=str(uuid.uuid4())) for c in r["scorecards"]])
        for r in doc["rounds"]
    ]
    path, value = change
    target = doc
    try:
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    except (KeyError, IndexError, TypeError):
        pass
    with app.app_context():
        before = db.session.execute(db.select(db.func.count()).select_from(Round)).scalar()
    res = ada.client.post(
        "/import",
        data={"csrf_token": ada.token(), "file": (io.BytesIO(json.dumps(doc).encode()), "x.json")},
        content_type="multipart/form-data",
    )
    assert res.status_code in (302, 400), res.status_code
    with app.app_context():
        after = db.session.execute(db.select(db.func.count()).select_from(Round)).scalar()
    if res.status_code == 400:
        assert after == before and "Nothing was imported" in res.get_data(as_text=True)
    else:
        assert after == before + len(doc["rounds"])


def test_hostile_imported_text_is_rendered_harmless(app, peer):
    """Imported data is user data: the scorecard page sanitizes it like anything typed here."""
    import io
    import json

    from tests.xss_payloads import PAYLOADS

    ada, bob, rid = peer
    bob.call("POST", f"/api/rounds/{rid}/end")
    page, token, revision = form_page_of(bob, rid)
    bob.client.post(f"/rounds/{rid}/score", data={**valid_answers(token, revision)})
    doc = exported(ada)
    hostile = "\n\n".join(PAYLOADS[:60])
    for r in doc["rounds"]:
        r["uid"] = "imp-" + r["uid"][:30]
        r["scratchpad"] = hostile
        for c in r["scorecards"]:
            c["uid"] = "imp-" + c["uid"][:30]
            c["keep"] = hostile[:2000]
            c["reviewer_name"] = PAYLOADS[0][:80]
            for s in c["scores"]:
                s["evidence"] = hostile[:5000]
    eve = signed_up(app, "eve@example.com", "Eve")
    res = eve.client.post(
        "/import",
        data={"csrf_token": eve.token(), "file": (io.BytesIO(json.dumps(doc).encode()), "x.json")},
        content_type="multipart/form-data",
    )
    assert res.status_code == 302
    history = eve.client.get("/history").get_data(as_text=True)
    card_url = re.search(r'href="(/scorecards/\d+)"', history).group(1)
    html = eve.client.get(card_url).get_data(as_text=True).lower()
    # Tags the text mentions are shown as text (`&lt;script&gt;`, `formaction=javascript:...&gt;`): no
    # element may carry them.
    assert "<script" not in html.replace('<script src="/static/', "")
    assert not re.search(r"""<[^>]+=\s*["']?\s*javascript:""", html)
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html)


def form_page_of(api, rid):
    page = api.client.get(f"/rounds/{rid}/score").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    revision = re.search(r'name="revision" type="hidden" value="([^"]*)"', page).group(1)
    return page, token, revision


def valid_answers(token, revision):
    from tests.helpers import answers

    return answers(token, revision)


# ---------- deeply nested JSON, on every JSON endpoint ----------


def nested_json(depth: int, pattern: list[bool], leaf: str = "1") -> str:
    """JSON text nesting `depth` containers (list or object by the cycled pattern), built as text:
    json.dumps would itself recurse that deep."""
    kinds = [pattern[i % len(pattern)] for i in range(depth)]
    return (
        "".join('{"a":' if obj else "[" for obj in kinds)
        + leaf
        + "".join("}" if obj else "]" for obj in reversed(kinds))
    )


deep_bodies = st.tuples(
    st.integers(30, 40) | st.sampled_from([64, 999, 1000, 3000, 100_000]) | st.integers(33, 5000),
    st.lists(st.booleans(), min_size=1, max_size=4),
    st.sampled_from(
        ["{}", '{{"text": {}, "revision": 0}}', '{{"text": "x", "revision": {}}}', '{{"stage": "quick", "prompt": {}}}']
    ),
)


@FUZZ
@given(deep=deep_bodies, endpoint=st.sampled_from(["start", "scratchpad", "notes", "markdown"]))
def test_deeply_nested_json_is_a_400_on_every_json_endpoint(app, peer, deep, endpoint):
    from mockloop.web.pages import MAX_JSON_DEPTH

    ada, bob, rid = peer
    depth, pattern, place = deep
    raw = place.format(nested_json(depth, pattern))
    levels = depth + (place != "{}")
    api, method, url = {
        "start": (ada, "POST", "/api/rounds"),
        "markdown": (ada, "POST", "/api/markdown"),
        "scratchpad": (ada, "PUT", f"/api/rounds/{rid}/scratchpad"),
        "notes": (bob, "PUT", f"/api/rounds/{rid}/notes"),
    }[endpoint]
    before = stored(app, rid)
    with app.app_context():
        count = db.session.execute(db.select(db.func.count()).select_from(Round)).scalar()
    res = api.client.open(
        url, method=method, data=raw, content_type="application/json", headers={"X-CSRFToken": api.token()}
    )
    event(f"{endpoint} {res.status_code}")
    assert res.status_code < 500 and res.is_json, (res.status_code, depth)
    if levels > MAX_JSON_DEPTH:
        assert res.status_code == 400 and "nested too deeply" in res.get_json()["message"]
    else:
        assert "nested too deeply" not in res.get_json().get("message", "")
    assert stored(app, rid) == before
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Round)).scalar() == count


def test_no_state_changing_route_fails_on_deep_json(app, peer):
    """Every POST or PUT route, JSON or not, given 100,000 nested lists: never a server error."""
    ada, _, rid = peer
    raw = nested_json(100_000, [False])
    for rule in app.url_map.iter_rules():
        if not rule.methods & {"POST", "PUT"} or rule.endpoint == "accounts.logout":
            continue
        url = rule.rule.replace("<action>", "pause").replace("<slug>", "quick").replace("<token>", "x")
        url = re.sub(r"<int:[a-z_]+>", str(rid), url)
        for method in rule.methods & {"POST", "PUT"}:
            res = ada.client.open(
                url, method=method, data=raw, content_type="application/json", headers={"X-CSRFToken": ada.token()}
            )
            assert res.status_code < 500, (method, url, res.status_code)


# ---------- history filters and cursors ----------

huge_numbers = st.integers(min_value=2**31 - 2, max_value=10**30).map(str) | st.sampled_from(
    ["9" * 20, "-1", "0", "2147483647", "2147483648", "1e400", "٣"]
)
extreme_days = st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}") | st.sampled_from(
    ["9999-12-31", "0001-01-01", "2028-05-04", "2028-05-05", "1999-12-31", "2000-01-01", "10000-01-01"]
)
stamps = st.datetimes().map(lambda t: f"{t.year:04d}{t.strftime('%m%dT%H%M%S.%f')}")
cursors = st.builds(lambda stamp, number: f"{stamp}_{number}", stamps, huge_numbers | st.integers(0, 99).map(str))
history_params = {
    "since": extreme_days | st.text(max_size=12),
    "until": extreme_days | st.text(max_size=12),
    "older": cursors | st.text(max_size=30),
    "newer": cursors,
    "stage": st.sampled_from(["quick", "talk", ""]) | huge_numbers,
    "role": st.sampled_from(["self", "x"]),
}


@FUZZ
@given(params=st.fixed_dictionaries({}, optional=history_params))
def test_history_survives_extreme_dates_and_huge_numbers(app, peer, params):
    ada = peer[0]
    res = ada.client.get("/history", query_string=params)
    event(f"status {res.status_code}")
    assert res.status_code in (200, 400), (res.status_code, params)
    if res.status_code == 400:
        assert 'class="error-summary"' in res.get_data(as_text=True)


# ---------- import files: each class that was a 500, generated ----------


@pytest.fixture
def scored_doc(app, frozen_clock):
    """Eve's export of a scored solo round (a valid file with a scorecard) and Eve herself."""
    from tests.helpers import scored_round

    eve = signed_up(app, "eve@example.com", "Eve")
    scored_round(eve, frozen_clock)
    return eve, exported(eve)


def _refresh_uids(doc):
    # Examples share one database: fresh uids make a valid file add its round, not skip it.
    for r in doc["rounds"]:
        r["uid"] = str(uuid.uuid4())
        for c in r["scorecards"]:
            c["uid"] = str(uuid.uuid4())
    return doc


TIME_PATHS = [
    ("events", 0, "at"),
    ("events", 0, "recorded_at"),
    ("created_at",),
    ("scratchpad_saved_at",),
    ("scorecards", 0, "created_at"),
    ("scorecards", 0, "submitted_at"),
    ("scorecards", 0, "scores", 0, "scored_at"),
]
time_texts = st.one_of(
    st.builds(
        lambda y, mo, d, clock_part, off: f"{y:04d}-{mo:02d}-{d:02d}{clock_part}{off}",
        st.integers(1, 9999) | st.sampled_from([1, 1999, 2000, 2026, 2028, 2029, 9998, 9999]),
        st.integers(1, 12),
        st.integers(1, 28),
        st.sampled_from(["", "T00:00:00", "T23:59:59.999999", " 12:00", "T12:00"]),
        st.sampled_from(["", "Z", "+00:00", "+01:00", "-05:00", "+23:59", "-23:59"]),
    ),
    st.sampled_from(
        [
            "0001-01-01+01:00",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-05:00",
            "9999-12-31T23:59:59+00:00",
            "1999-12-31T23:59:59+00:00",
            "2028-05-04T12:00:00+00:00",
        ]
    ),
)
numbers = st.floats() | st.integers(-10, 10**12) | st.sampled_from([0, 0.5, 1, 60, 1440, 1441, 1e308, 2**63])


def _set(doc, path, value):
    target = doc["rounds"][0]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def _deep_text(depth, objects):
    return ('{"a":' if objects else "[") * depth + "0" + ("}" if objects else "]") * depth


import_cases = st.one_of(
    # Times anywhere in the file, from year 1 to 9999, with and without an offset.
    st.tuples(st.just("time"), st.sampled_from(TIME_PATHS), time_texts),
    # Plans: any numbers, and text-level infinities (1e999 parses as inf) and NaN.
    st.tuples(
        st.just("plan"),
        st.lists(st.tuples(st.text(max_size=4), numbers).map(list), max_size=4),
        st.sampled_from(["", "1e999", "-1e999", "NaN", "Infinity"]),
    ),
    # Deep nesting in place of a field, at depths around the limit and far past the parser's.
    st.tuples(
        st.just("deep"),
        st.sampled_from([("scratchpad",), ("plan",), ("events",), ("scorecards", 0, "rubric")]),
        st.tuples(st.integers(25, 40) | st.sampled_from([900, 1000, 5000, 100_000]), st.booleans()),
    ),
    # Scorecards: copies of the card (a second self card), other reviewers and roles.
    st.tuples(
        st.just("cards"),
        st.lists(
            st.tuples(st.sampled_from(["me", "peer"]), st.sampled_from(["self", "interviewer"]), st.booleans()),
            min_size=1,
            max_size=3,
        ),
        st.sampled_from(["candidate", "interviewer"]),
    ),
    # Text no database can store.
    st.tuples(
        st.just("text"),
        st.sampled_from(
            [
                ("scratchpad",),
                ("prompt_title",),
                ("scorecards", 0, "keep"),
                ("plan", 0, 0),
                ("scorecards", 0, "reviewer_name"),
            ]
        ),
        st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3)
        | st.sampled_from(["\x00", "a\x00b", "\ud800x"]),
    ),
)


def _build(doc, case) -> str:
    import json

    kind, where, value = case
    if kind == "time":
        _set(doc, where, value)
    elif kind == "plan":
        plan, constant = where, value
        doc["rounds"][0]["plan"] = plan + ([["forever", "CONSTANT"]] if constant else [])
    elif kind == "deep":
        _set(doc, where, "DEEP")
    elif kind == "cards":
        doc["rounds"][0]["my_role"] = value
        first = doc["rounds"][0]["scorecards"][0]
        doc["rounds"][0]["scorecards"] = [
            dict(first, reviewer=reviewer, role=role, uid=first["uid"] if same_uid else str(uuid.uuid4()))
            for reviewer, role, same_uid in where
        ]
    elif kind == "text":
        _set(doc, where, value)
    text = json.dumps(doc)
    if kind == "plan" and value:
        text = text.replace('"CONSTANT"', value)
    if kind == "deep":
        text = text.replace('"DEEP"', _deep_text(*value))
    return text


def _counts(app):
    with app.app_context():
        return tuple(
            db.session.execute(db.select(db.func.count()).select_from(model)).scalar() for model in (Round, Scorecard)
        )


@FUZZ
@given(case=import_cases)
def test_import_files_of_every_bad_class_are_400s_that_change_nothing(app, scored_doc, case):
    import copy
    import io

    eve, original = scored_doc
    doc = _refresh_uids(copy.deepcopy(original))
    text = _build(doc, case)
    event(case[0])
    before = _counts(app)
    res = eve.client.post(
        "/import",
        data={"csrf_token": eve.token(), "file": (io.BytesIO(text.encode()), "x.json")},
        content_type="multipart/form-data",
    )
    event(f"{case[0]}: status {res.status_code}")
    assert res.status_code in (302, 400), (res.status_code, case[0], text[:300])
    after = _counts(app)
    if res.status_code == 400:
        assert after == before and "Nothing was imported" in res.get_data(as_text=True)
    else:
        assert after[0] == before[0] + 1
        with app.app_context():  # what was stored reads back and renders
            rnd = db.session.execute(db.select(Round).order_by(Round.id.desc())).scalars().first()
            assert all(0 < minutes <= 1440 for _, minutes in rnd.plan) and "\x00" not in rnd.text("scratchpad")
            cards = db.session.execute(db.select(Scorecard).filter_by(round_id=rnd.id)).scalars().all()
            assert len({c.role for c in cards}) == len(cards) <= 2
        assert eve.client.get("/history").status_code == 200 and eve.client.get("/export.json").status_code == 200


@FUZZ
@given(
    picks=st.lists(
        st.tuples(
            st.sampled_from(["victim", "victim-card", "own", "fresh"]),
            st.sampled_from(["me", "peer"]),
            st.sampled_from(["candidate", "interviewer"]),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_imports_naming_other_accounts_uids_touch_only_the_importers_rows(app, peer, scored_doc, picks):
    """Whatever uids a file names (a victim's round from a forwarded .ics, their card, one's own,
    new ones) and whoever it says reviewed, the victim's round and cards stay exactly as they were."""
    import copy
    import io
    import json

    ada, bob, rid = peer
    eve, original = scored_doc
    bob.call("PUT", f"/api/rounds/{rid}/notes", {"text": "BOB-NOTES", "revision": 0})
    with app.app_context():
        victim = db.session.get(Round, rid)
        victim_uid = victim.uid
        victim_state = (victim.text("scratchpad"), victim.text("notes"), victim.version, len(victim.events))
        victim_cards = db.session.execute(db.select(Scorecard.uid).filter_by(round_id=rid)).scalars().all()
        other_card = db.session.execute(db.select(Scorecard.uid)).scalars().first()
    doc = copy.deepcopy(original)
    template = doc["rounds"][0]
    rounds = []
    for i, (uid_kind, reviewer, my_role) in enumerate(picks):
        r = copy.deepcopy(template)
        r["uid"] = {
            "victim": victim_uid,
            "own": template["uid"],
            "fresh": str(uuid.uuid4()),
            "victim-card": other_card,
        }[uid_kind]
        r["my_role"] = my_role
        mine = "self" if my_role == "candidate" else "interviewer"
        r["scorecards"][0].update(
            reviewer=reviewer,
            role=mine if reviewer == "me" else ({"self", "interviewer"} - {mine}).pop(),
            uid=other_card if i == 0 else str(uuid.uuid4()),
            keep="PLANTED",
        )
        rounds.append(r)
    if len({r["uid"] for r in rounds}) < len(rounds):
        rounds = rounds[:1]
    doc["rounds"] = rounds
    res = eve.client.post(
        "/import",
        data={"csrf_token": eve.token(), "file": (io.BytesIO(json.dumps(doc).encode()), "x.json")},
        content_type="multipart/form-data",
    )
    assert res.status_code in (302, 400), res.status_code
    with app.app_context():
        victim = db.session.get(Round, rid)
        assert (victim.text("scratchpad"), victim.text("notes"), victim.version, len(victim.events)) == victim_state
        assert db.session.execute(db.select(Scorecard.uid).filter_by(round_id=rid)).scalars().all() == victim_cards
        assert (
            db.session.execute(
                db.select(db.func.count())
                .select_from(Scorecard)
                .where(
                    Scorecard.keep == "PLANTED",
                    Scorecard.candidate_id.in_(db.select(Round.candidate_id).where(Round.id == rid)),
                )
            ).scalar()
            == 0
        )
    for url in (f"/rounds/{rid}", f"/api/rounds/{rid}/scratchpad", f"/api/rounds/{rid}/state"):
        assert eve.client.get(url).status_code == 404
    assert "PLANTED" not in ada.client.get("/history").get_data(as_text=True)
    assert "PLANTED" not in bob.client.get("/history").get_data(as_text=True)
