"""The whiteboard of a round: saved like every piece of round work (revisions, 409s, the lock), checked
before it is kept, its pen handed over as round events, on the scorecard and in export/import."""

from __future__ import annotations

import io
import json
import re

import pytest

from mockloop.core.board import IMAGES_LIMIT
from mockloop.core.work import RULES
from mockloop.db import db
from mockloop.db.models import Round, RoundEvent
from mockloop.web import assets
from tests.helpers import answers, csrf_token, form_page, signed_up


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


def drawing(*labels, link=None):
    elements = [
        {"id": f"r{n}", "type": "rectangle", "x": 200 * n, "y": 0, "width": 160, "height": 80, "version": 1}
        for n, _ in enumerate(labels)
    ]
    elements += [
        {"id": f"t{n}", "type": "text", "text": label, "containerId": f"r{n}"} for n, label in enumerate(labels)
    ]
    if link is not None:
        elements[0]["link"] = link
    return json.dumps({"type": "excalidraw", "version": 2, "elements": elements, "files": {}})


def board_round(api, minutes=2):
    return api.start(stage="draw", prompt="draw-prompt-1", minutes=minutes).get_json()["id"]


def peer_board_round(app, candidate="ada@example.com"):
    ada, bob = signed_up(app, candidate, "Ada"), signed_up(app, "bob@example.com", "Bob")
    made = ada.start(stage="draw", prompt="draw-prompt-1", role="candidate").get_json()
    link = made["invite_url"].replace("http://localhost", "")
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
    bob.call("POST", f"/api/rounds/{made['id']}/start")
    return ada, bob, made["id"]


def test_the_board_saves_with_revisions_and_a_stale_tab_gets_409(api, frozen_clock):
    rid = board_round(api)
    url = f"/api/rounds/{rid}/board"
    assert api.client.get(url).get_json() == {"text": "", "revision": 0, "saved_at": None}
    assert api.call("PUT", url, {"text": drawing("Client"), "revision": 0}).get_json()["revision"] == 1
    assert api.call("PUT", url, {"text": drawing("Client", "Gateway"), "revision": 1}).status_code == 200
    stale = api.call("PUT", url, {"text": drawing("Older tab"), "revision": 1})
    assert stale.status_code == 409 and stale.get_json()["reason"] == "stale" and stale.get_json()["revision"] == 2
    assert "newer copy of the board" in stale.get_json()["message"]
    assert "Gateway" in api.client.get(url).get_json()["text"]  # the newer copy stays


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not valid JSON"),
        (drawing("Client", link="javascript:alert(1)"), "must start with http://, https:// or mailto:"),
        (
            json.dumps({"elements": [{"id": "e", "type": "embeddable", "link": "https://www.youtube.com/embed/x"}]}),
            "web embeds",
        ),
        (
            json.dumps(
                {
                    "elements": [],
                    "files": {"f": {"mimeType": "image/svg+xml", "dataURL": "data:image/svg+xml;base64,PHN2Zz4="}},
                }
            ),
            "PNG, JPEG, GIF, WebP images only",
        ),
        (
            json.dumps(
                {
                    "elements": [],
                    "files": {"f": {"mimeType": "image/png", "dataURL": "data:image/png;base64," + "A" * IMAGES_LIMIT}},
                }
            ),
            "Pasted images on the board may take 400,000 characters in all",
        ),
        ("x" * (RULES["board"].limit + 1), "can hold at most 750,000 characters"),
    ],
)
def test_a_drawing_the_board_cannot_keep_is_a_400_that_says_why_and_stores_nothing(api, frozen_clock, text, message):
    rid = board_round(api)
    res = api.call("PUT", f"/api/rounds/{rid}/board", {"text": text, "revision": 0})
    assert res.status_code == 400 and message in res.get_json()["message"] and res.get_json()["field"] == "text"
    assert api.client.get(f"/api/rounds/{rid}/board").get_json()["revision"] == 0


def test_the_deadline_closes_the_board_with_the_last_strokes_kept(app, api, frozen_clock):
    rid = board_round(api, minutes=1)
    url = f"/api/rounds/{rid}/board"
    api.call("PUT", url, {"text": drawing("Client"), "revision": 0})
    frozen_clock.advance(seconds=59)
    assert api.call("PUT", url, {"text": drawing("Client", "Last stroke"), "revision": 1}).status_code == 200
    frozen_clock.advance(seconds=1)
    late = api.call("PUT", url, {"text": drawing("Too late"), "revision": 2})
    assert late.status_code == 409 and late.get_json()["reason"] == "locked"
    assert "Last stroke" in api.client.get(url).get_json()["text"]


def test_a_round_without_the_board_workspace_has_no_board(api, frozen_clock):
    rid = api.start(stage="quick").get_json()["id"]
    assert api.client.get(f"/api/rounds/{rid}/board").status_code == 404
    assert api.call("PUT", f"/api/rounds/{rid}/board", {"text": "", "revision": 0}).status_code == 404
    assert api.call("POST", f"/api/rounds/{rid}/pen", {"to": "interviewer"}).status_code == 404


def test_the_interviewer_follows_the_board_through_the_etag_and_may_draw_only_with_the_pen(app, frozen_clock):
    ada, bob, rid = peer_board_round(app)
    state_url, url, pen = f"/api/rounds/{rid}/state", f"/api/rounds/{rid}/board", f"/api/rounds/{rid}/pen"
    etag = bob.client.get(state_url).headers["ETag"]
    assert bob.client.get(state_url, headers={"If-None-Match": etag}).status_code == 304  # an idle board costs nothing
    assert ada.call("PUT", url, {"text": drawing("Client"), "revision": 0}).status_code == 200
    moved = bob.client.get(state_url, headers={"If-None-Match": etag})
    assert (
        moved.status_code == 200 and moved.get_json()["work"] == {"board": 1} and moved.get_json()["pen"] == "candidate"
    )
    assert "Client" in bob.client.get(url).get_json()["text"]

    refused = bob.call("PUT", url, {"text": drawing("Mine"), "revision": 1})
    assert refused.status_code == 403 and "Only the candidate draws on the board now" in refused.get_json()["message"]
    assert bob.call("POST", pen, {"to": "interviewer"}).status_code == 403  # only the candidate lends it

    lent = ada.call("POST", pen, {"to": "interviewer"})
    assert lent.status_code == 200 and lent.get_json()["pen"] == "interviewer"
    assert bob.client.get(state_url).get_json()["pen"] == "interviewer"
    assert bob.call("PUT", url, {"text": drawing("Client", "Cache"), "revision": 1}).status_code == 200
    assert ada.call("PUT", url, {"text": drawing("Mine"), "revision": 2}).status_code == 403
    assert bob.call("POST", pen, {"to": "candidate"}).get_json()["pen"] == "candidate"  # given back
    assert ada.call("PUT", url, {"text": drawing("Client", "Cache", "DB"), "revision": 2}).status_code == 200

    with app.app_context():
        kinds = [e.kind for e in db.session.execute(db.select(RoundEvent).filter_by(round_id=rid)).scalars()]
        rnd = db.session.get(Round, rid)
        assert kinds == ["start", "pen-given", "pen-back"] and rnd.status == "running"


@pytest.mark.parametrize("body", [{}, {"to": "nobody"}, ["interviewer"]])
def test_a_pen_hand_over_names_a_seat(app, frozen_clock, body):
    ada, _, rid = peer_board_round(app)
    res = ada.call("POST", f"/api/rounds/{rid}/pen", body)
    assert res.status_code == 400 and res.get_json()["field"] == "to"


def test_the_pen_stays_put_in_a_solo_round_and_after_the_lock(app, api, frozen_clock):
    solo = board_round(api)
    res = api.call("POST", f"/api/rounds/{solo}/pen", {"to": "interviewer"})
    assert res.status_code == 409 and "peer round" in res.get_json()["message"]
    ada, bob, rid = peer_board_round(app, candidate="ada.peer@example.com")
    bob.call("POST", f"/api/rounds/{rid}/end")
    late = ada.call("POST", f"/api/rounds/{rid}/pen", {"to": "interviewer"})
    assert late.status_code == 409 and "only while the round runs" in late.get_json()["message"]


def test_the_scorecard_shows_the_locked_board_as_a_picture_from_the_escaped_drawing(app, api, frozen_clock):
    rid = board_round(api)
    api.call("PUT", f"/api/rounds/{rid}/board", {"text": drawing("<b>bold?</b>"), "revision": 0})
    api.call("POST", f"/api/rounds/{rid}/end")
    _, token, revision = form_page(api.client, f"/rounds/{rid}/score")
    fields = answers(token, revision, level_design="3", evidence_design="Drew the path.")
    fields = {k: v for k, v in fields.items() if "clarity" not in k and "depth" not in k}
    done = api.client.post(f"/rounds/{rid}/score", data=fields)
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    page = api.client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Whiteboard (locked)" in page and "data-board-picture" in page and "board-view" in page
    assert "&lt;b&gt;bold?&lt;/b&gt;" in page and "<b>bold?</b>" not in page


def test_export_and_import_carry_the_board_and_the_pen(app, frozen_clock):
    ada, bob, rid = peer_board_round(app)
    ada.call("PUT", f"/api/rounds/{rid}/board", {"text": drawing("Client", "Gateway"), "revision": 0})
    ada.call("POST", f"/api/rounds/{rid}/pen", {"to": "interviewer"})
    bob.call("POST", f"/api/rounds/{rid}/end")
    doc = ada.client.get("/export.json").get_json()
    [exported] = [r for r in doc["rounds"] if r["stage"] == "draw"]
    assert json.loads(exported["board"]["text"])["elements"][2]["text"] == "Client"
    assert [e["kind"] for e in exported["events"]] == ["start", "pen-given", "end"]

    with app.app_context():  # another instance, as far as the data can tell
        db.session.delete(db.session.get(Round, rid))
        db.session.commit()
    other = signed_up(app, "ada@elsewhere.example", "Ada")
    upload = other.client.post(
        "/import",
        data={"csrf_token": other.token(), "file": (io.BytesIO(json.dumps(doc).encode()), "x.json")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    [copied] = [r for r in other.client.get("/export.json").get_json()["rounds"] if r["stage"] == "draw"]
    assert copied["board"] == exported["board"] and [e["kind"] for e in copied["events"]] == [
        "start",
        "pen-given",
        "end",
    ]


def test_an_import_refuses_a_drawing_a_save_would_refuse(app, frozen_clock):
    ada, bob, rid = peer_board_round(app)
    ada.call("PUT", f"/api/rounds/{rid}/board", {"text": drawing("Client"), "revision": 0})
    doc = ada.client.get("/export.json").get_json()
    [exported] = [r for r in doc["rounds"] if r["stage"] == "draw"]
    exported["board"]["text"] = drawing("Client", link="javascript:alert(1)")
    other = signed_up(app, "eve@example.com", "Eve")
    upload = other.client.post(
        "/import",
        data={"csrf_token": other.token(), "file": (io.BytesIO(json.dumps(doc).encode()), "x.json")},
        content_type="multipart/form-data",
    )
    page = upload.get_data(as_text=True)
    assert upload.status_code == 400 and "board.text" in page and "http://, https:// or mailto:" in page


# ---------- what the board and the diagrams load, served by the app itself ----------


@pytest.fixture
def dist(app):
    folder = assets.dist_folder(app)
    if not (folder / "manifest.json").is_file():
        pytest.fail(f"{folder} has no build: run `make assets` (make test does)")
    return folder


def fetch(client, path):
    with client.get(path) as res:
        res.body = res.get_data()
        return res


def test_excalidraws_fonts_and_stylesheet_are_served_from_a_versioned_folder(client, dist):
    folder = json.loads((dist / "manifest.json").read_text())["excalidraw/"]
    assert re.fullmatch(r"excalidraw-\d+\.\d+\.\d+/", folder)
    fonts = sorted((dist / folder / "fonts").rglob("*.woff2"))
    assert {f.parent.name for f in fonts} >= {"Excalifont", "Virgil", "Xiaolai", "Assistant"}  # CJK labels too
    for path in (f"/static/dist/{folder}index.css", "/static/dist/" + str(fonts[0].relative_to(dist))):
        res = fetch(client, path)
        assert res.status_code == 200 and "immutable" in res.headers["Cache-Control"]
    css = fetch(client, f"/static/dist/{folder}index.css").body.decode()
    assert "https://" not in css.replace("http://www.w3.org/2000/svg", "")  # its fonts are relative: ours


def test_the_built_board_reaches_for_no_cdn_and_its_font_worker_may_compile_wasm(client, dist):
    # Excalidraw still defines its CDN fallback for fonts; the build removed the only use of it.
    bundles = "".join(p.read_text(errors="replace") for p in dist.glob("*.js"))
    assert bundles.count('"ASSETS_FALLBACK_URL"') == 1 and ".ASSETS_FALLBACK_URL" not in bundles
    [worker] = dist.glob("board-worker-*.js")
    assert "'wasm-unsafe-eval'" in fetch(client, f"/static/dist/{worker.name}").headers["Content-Security-Policy"]


def test_the_diagram_frame_may_use_inline_styles_and_nothing_else(client, dist):
    res = fetch(client, "/static/dist/diagram-frame.html")
    assert res.status_code == 200 and res.mimetype == "text/html"
    policy = res.headers["Content-Security-Policy"]
    assert policy == assets.FRAME_CSP
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("style-src")[0]
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    built = re.search(r'src="(diagram-frame-[A-Z2-7]{8}\.js)"', res.body.decode()).group(1)
    assert fetch(client, f"/static/dist/{built}").status_code == 200
