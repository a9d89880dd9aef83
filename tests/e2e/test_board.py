"""The whiteboard of a systems-design round in Chromium: draw a rectangle and a labelled arrow, reload
and find them; a stale tab warned; the lock making the board read-only and the scorecard showing
it; the interviewer following live and drawing with the pen; hostile labels never running; and
every request, an SVG export's fonts included, going to the app itself."""

from __future__ import annotations

import base64
import json
import os
import re
import struct
import zlib
from urllib.parse import unquote

import pytest
from playwright.sync_api import expect

from mockloop.db import db
from mockloop.db.models import Round
from tests.e2e.helpers import sign_up
from tests.e2e.test_code_round import watch_origin
from tests.helpers import Api, Auth, answers, csrf_token, form_page
from tests.xss_payloads import PAYLOADS

PROMPT = "draw-prompt-1"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A laptop screen: the board beside the brief is wide enough for Excalidraw's desktop toolbar.
    return {**browser_context_args, "viewport": {"width": 1440, "height": 1000}}


def start_board_round(page, live_url, minutes=2, role=None) -> dict:
    page.goto(live_url + "/")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    data = {"stage": "draw", "prompt": PROMPT, "minutes": minutes, **({"role": role} if role else {})}
    res = page.request.post(live_url + "/api/rounds", headers={"X-CSRFToken": token}, data=data)
    assert res.status == 201, res.text()
    body = res.json()
    page.goto(live_url + body["url"])
    return body


def stored(app, round_id) -> dict:
    with app.app_context():
        text = db.session.get(Round, round_id).text("board")
    return json.loads(text) if text else {"elements": []}


def labels(scene) -> list[str]:
    return sorted(e["text"] for e in scene["elements"] if e["type"] == "text")


def board_ready(page):
    canvas = page.locator("#board canvas.interactive")
    expect(canvas).to_be_visible(timeout=20_000)
    canvas.scroll_into_view_if_needed()
    return canvas


def drag(page, start, end):
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=4)
    page.mouse.move(*end, steps=4)
    page.mouse.up()


def draw_rectangle_and_labelled_arrow(page, label="reads"):
    """A rectangle to the right of the starter's shapes and an arrow to it, labelled by typing."""
    box = board_ready(page).bounding_box()
    x, y = box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.7
    page.keyboard.press("Escape")
    page.locator("#board").get_by_title(re.compile("^Rectangle")).click()
    drag(page, (x, y), (x + 140, y + 70))
    page.locator("#board").get_by_title(re.compile("^Arrow")).click()
    drag(page, (x - 160, y + 35), (x - 10, y + 35))
    page.keyboard.press("Enter")  # edits the selected arrow's label
    page.keyboard.type(label)
    page.keyboard.press("Escape")


def test_draw_save_reload_and_the_lock_with_the_scorecard(context, small_loop_app, live_url, server_clock):
    page = context.new_page()
    elsewhere = watch_origin(context, live_url)
    sign_up(page, live_url)
    rid = start_board_round(page, live_url)["id"]
    expect(page.get_by_role("tab", name="Board")).to_have_attribute("aria-selected", "true")
    board_ready(page)

    draw_rectangle_and_labelled_arrow(page)
    expect(page.locator("#board-status")).to_contain_text("Saved at", timeout=10_000)
    scene = stored(small_loop_app, rid)
    kinds = [e["type"] for e in scene["elements"]]
    assert kinds.count("rectangle") == 3 and kinds.count("arrow") == 3  # the starter's two of each, and ours
    assert "reads" in labels(scene) and {"Client", "Gateway", "HTTPS"} <= set(labels(scene))

    page.reload()
    board_ready(page)
    expect(page.locator("#board-labels")).to_contain_text("reads")

    server_clock.jump(minutes=2)
    page.evaluate("window.mockloopRound.poll()")
    expect(page.locator("#status")).to_have_text("time is up", timeout=10_000)
    expect(page.locator("#board").get_by_title(re.compile("^Rectangle"))).to_have_count(0)  # view mode: no tools
    page.wait_for_url(re.compile(r"/rounds/\d+/score$"), timeout=10_000)
    fill_design_scorecard(page)
    picture = page.get_by_role("img", name=re.compile("The whiteboard as locked"))
    expect(picture).to_be_visible(timeout=20_000)
    assert re.search(r"Its labels: .*reads", picture.get_attribute("alt"))
    # The picture is an SVG made in this browser, shown as an image, its fonts embedded from the
    # app's own copy: no URL in it reaches another host.
    src = picture.get_attribute("src")
    assert src.startswith("data:image/svg+xml;charset=utf-8,")
    svg = unquote(src.split(",", 1)[1])
    assert "Excalifont" in svg and "src: url(data:font/woff2;base64," in svg
    assert re.findall(r"https?://[^\s\"')]+", svg) == ["http://www.w3.org/2000/svg"] * svg.count(
        "http://www.w3.org/2000/svg"
    )
    assert elsewhere == []


def fill_design_scorecard(page):
    page.get_by_role("group", name="Design").get_by_label(re.compile("3: a workable design")).check()
    page.get_by_label("Evidence for Design").fill("Drew the read path.")
    page.get_by_role("group", name="Overall recommendation").get_by_label("Yes", exact=True).check()
    for field in ("Keep doing", "Stop doing", "Start doing"):
        page.get_by_label(field).fill("Draw first.")
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.get_by_text("Scorecard saved.")).to_be_visible()


def test_a_second_tabs_stale_save_is_refused_and_says_so(context, small_loop_app, live_url):
    first = context.new_page()
    sign_up(first, live_url)
    body = start_board_round(first, live_url)
    board_ready(first)
    second = context.new_page()
    second.goto(live_url + body["url"])
    board_ready(second)

    draw_rectangle_and_labelled_arrow(first, "from the first tab")
    expect(first.locator("#board-status")).to_contain_text("Saved at", timeout=10_000)
    draw_rectangle_and_labelled_arrow(second, "from the second tab")
    status = second.locator("#board-status")
    expect(status).to_contain_text("the board was saved from another tab or device", timeout=10_000)
    assert "from the first tab" in labels(stored(small_loop_app, body["id"]))
    second.get_by_role("button", name="Merge (newer copy, then mine below it)").click()
    expect(status).to_contain_text("Saved at", timeout=10_000)
    merged = labels(stored(small_loop_app, body["id"]))
    assert "from the first tab" in merged and "from the second tab" in merged


def join_as_interviewer(browser, live_url, invite_url):
    context = browser.new_context()
    page = context.new_page()
    sign_up(page, live_url, email="bob@example.com", name="Bob")
    page.goto(invite_url)
    page.get_by_role("button", name="Join as interviewer").click()
    return context, page


def test_the_interviewer_follows_live_and_draws_with_the_pen(browser, small_loop_app, live_url):
    candidate_ctx = browser.new_context()
    candidate = candidate_ctx.new_page()
    elsewhere = watch_origin(candidate_ctx, live_url)
    sign_up(candidate, live_url)
    body = start_board_round(candidate, live_url, role="candidate")
    interviewer_ctx, interviewer = join_as_interviewer(browser, live_url, body["invite_url"])
    elsewhere += watch_origin(interviewer_ctx, live_url)
    interviewer.get_by_role("button", name="Start", exact=True).click()
    expect(candidate.locator("#status")).to_have_text("running", timeout=5000)
    board_ready(interviewer)
    expect(interviewer.locator("#board-pen-note")).to_contain_text("The candidate holds the pen")
    expect(interviewer.locator("#board").get_by_title(re.compile("^Rectangle"))).to_have_count(0)

    candidate.reload()
    board_ready(candidate)
    draw_rectangle_and_labelled_arrow(candidate, "cache")
    # Within two seconds of the save, the interviewer's board shows the new label.
    expect(candidate.locator("#board-status")).to_contain_text("Saved at", timeout=10_000)
    expect(interviewer.locator("#board-labels")).to_contain_text("cache", timeout=2500)

    candidate.get_by_role("button", name="Let the interviewer draw").click()
    expect(interviewer.locator("#board-pen-note")).to_contain_text("You hold the pen", timeout=3000)
    expect(candidate.locator("#board-pen-note")).to_contain_text("The interviewer is drawing on your board")
    draw_rectangle_and_labelled_arrow(interviewer, "from Bob")
    expect(interviewer.locator("#board-status")).to_contain_text("Saved at", timeout=10_000)
    expect(candidate.locator("#board-labels")).to_contain_text("from Bob", timeout=3000)
    interviewer.get_by_role("button", name="Give the pen back").click()
    expect(candidate.get_by_role("button", name="Let the interviewer draw")).to_be_visible(timeout=3000)
    draw_rectangle_and_labelled_arrow(candidate, "mine again")
    expect(candidate.locator("#board-status")).to_contain_text("Saved at", timeout=10_000)
    final = labels(stored(small_loop_app, body["id"]))
    assert {"cache", "from Bob", "mine again"} <= set(final)
    with small_loop_app.app_context():
        kinds = [e.kind for e in db.session.get(Round, body["id"]).events]
    assert kinds == ["start", "pen-given", "pen-back"]
    assert elsewhere == []


def hostile_drawing() -> str:
    """Every payload as a label on the board, in shapes and a frame's name, with links that pass."""
    elements = []
    for n, payload in enumerate(PAYLOADS):
        x, y = (n % 12) * 220, (n // 12) * 120
        elements.append(
            {
                "id": f"r{n}",
                "type": "rectangle",
                "x": x,
                "y": y,
                "width": 200,
                "height": 100,
                "boundElements": [{"id": f"t{n}", "type": "text"}],
                "link": "https://example.com/?q=<script>",
            }
        )
        elements.append(
            {
                "id": f"t{n}",
                "type": "text",
                "x": x + 10,
                "y": y + 40,
                "width": 180,
                "height": 25,
                "text": payload,
                "originalText": payload,
                "containerId": f"r{n}",
                "fontSize": 16,
            }
        )
    elements.append(
        {"id": "frame", "type": "frame", "x": -40, "y": -60, "width": 2700, "height": 1900, "name": PAYLOADS[0]}
    )
    return json.dumps({"type": "excalidraw", "version": 2, "elements": elements, "files": {}})


def watched(browser, live_url, email):
    """A page that ignores the CSP (so the board's own handling is what is tested) and records dialogs."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(live_url + "/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_url + "/")
    return context, page, dialogs


def nothing_ran(page, dialogs, where):
    page.wait_for_timeout(300)  # failed image loads and timers fire their handlers
    assert page.evaluate("() => window.__xss") is None, f"a payload ran on {where}"
    assert dialogs == [], f"a payload opened a dialog on {where}: {dialogs}"


def test_hostile_labels_never_run_on_the_board_its_follower_or_the_scorecard(browser, small_loop_app, live_url):
    app = small_loop_app
    ada, bob = Api(app.test_client()), Api(app.test_client())
    Auth(ada.client).signup(email="ada@example.com", name="Ada")
    Auth(bob.client).signup(email="bob@example.com", name="Bob")
    made = ada.start(stage="draw", prompt=PROMPT, role="candidate").get_json()
    invite = made["invite_url"].replace("http://localhost", "")
    bob.client.post(invite, data={"csrf_token": csrf_token(bob.client, invite)})
    rid = made["id"]
    assert bob.call("POST", f"/api/rounds/{rid}/start").status_code == 200
    assert ada.call("PUT", f"/api/rounds/{rid}/board", {"text": hostile_drawing(), "revision": 0}).status_code == 200

    candidate_ctx, candidate, candidate_dialogs = watched(browser, live_url, "ada@example.com")
    interviewer_ctx, interviewer, interviewer_dialogs = watched(browser, live_url, "bob@example.com")
    try:
        for page, dialogs, who in (
            (candidate, candidate_dialogs, "candidate"),
            (interviewer, interviewer_dialogs, "interviewer"),
        ):
            page.goto(f"{live_url}/rounds/{rid}")
            board_ready(page)
            words = page.locator("#board-labels li")
            expect(words).to_have_count(len(PAYLOADS))  # every label shown, as text
            assert page.locator("#board-labels *:not(li)").count() == 0
            nothing_ran(page, dialogs, f"the {who}'s board")
        bob.call("POST", f"/api/rounds/{rid}/end")
        _, token, revision = form_page(bob.client, f"/rounds/{rid}/score")
        fields = answers(token, revision, level_design="2", evidence_design="Boxes.")
        fields = {k: v for k, v in fields.items() if "clarity" not in k and "depth" not in k}
        card = bob.client.post(f"/rounds/{rid}/score", data=fields).headers["Location"]
        interviewer.goto(live_url + card)
        expect(interviewer.get_by_role("img", name=re.compile("The whiteboard as locked"))).to_be_visible(
            timeout=20_000
        )
        nothing_ran(interviewer, interviewer_dialogs, "the scorecard")
    finally:
        candidate_ctx.close()
        interviewer_ctx.close()


def png(width: int, height: int, noise: bool = False) -> str:
    """A PNG as base64: a gradient (compresses well) or noise (does not)."""
    rows = b"".join(
        b"\x00" + (os.urandom(width * 3) if noise else bytes((x * 7 + y) % 256 for x in range(width * 3)))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    return base64.b64encode(data).decode()


# What the browser does with a screenshot pasted onto the focused board.
PASTE = """(b64) => {
  const file = new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], "shot.png", { type: "image/png" });
  const data = new DataTransfer();
  data.items.add(file);
  document.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true }));
}"""


def test_pasted_images_are_kept_within_the_limit_and_a_larger_one_is_refused_with_the_reason(
    context, small_loop_app, live_url
):
    page = context.new_page()
    sign_up(page, live_url)
    rid = start_board_round(page, live_url)["id"]
    board_ready(page).click(position={"x": 400, "y": 450})
    page.evaluate(PASTE, png(64, 64))
    status = page.locator("#board-status")
    expect(status).to_contain_text("Saved at", timeout=10_000)
    [image] = stored(small_loop_app, rid)["files"].values()
    assert image["mimeType"] == "image/png" and image["dataURL"].startswith("data:image/png;base64,")

    page.evaluate(PASTE, png(400, 400, noise=True))  # about 640,000 characters as a data URL
    expect(status).to_contain_text("Pasted images on the board may take 400,000 characters", timeout=10_000)
    expect(status).to_contain_text("kept in this tab")
    assert len(stored(small_loop_app, rid)["files"]) == 1  # the saved drawing is as it was
    page.keyboard.press("Delete")  # the pasted image is still selected: remove it, and saving resumes
    draw_rectangle_and_labelled_arrow(page, "after the image")
    expect(status).to_contain_text("Saved at", timeout=10_000)
    scene = stored(small_loop_app, rid)
    assert len(scene["files"]) == 1 and "after the image" in labels(scene)
