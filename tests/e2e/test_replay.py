"""The replay in Chromium: scrubbing to a moment shows the code and scratchpad saved by then (the code
highlighted), the keyboard moves and plays, and playing at 8x reaches the final state."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from mockloop.db import db
from mockloop.db.models import RoundAudio
from tests.e2e.helpers import new_quick_round, sign_up
from tests.e2e.test_code_round import watch_origin

CODE = [
    "def add(a, b):\n    pass\n",
    "def add(a, b):\n    return a\n",
    "def add(a, b):\n    return a + b\n",
]


def saved_round(page, live_url, server_clock) -> int:
    """A coding round whose code was saved three times, 20 s apart (just after 0, 20 and 40 s in), then
    ended at 1:00."""
    page.goto(live_url + "/")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    headers = {"X-CSRFToken": token}
    made = page.request.post(
        live_url + "/api/rounds", headers=headers, data={"stage": "code", "prompt": "code-prompt-1", "minutes": 2}
    ).json()
    rid = made["id"]
    for n, text in enumerate(CODE):
        res = page.request.put(f"{live_url}/api/rounds/{rid}/code", headers=headers, data={"text": text, "revision": n})
        assert res.ok, res.text()
        if n == 1:
            pad = {"text": "plan: return the sum", "revision": 0}
            assert page.request.put(f"{live_url}/api/rounds/{rid}/scratchpad", headers=headers, data=pad).ok
        server_clock.jump(seconds=20)
    assert page.request.post(f"{live_url}/api/rounds/{rid}/end", headers=headers).ok
    return rid


def code_text(page) -> str:
    return page.locator("#replay-code").inner_text()


def test_scrub_step_and_play(context, live_url, server_clock):
    elsewhere = watch_origin(context, live_url)
    page = context.new_page()
    sign_up(page, live_url)
    rid = saved_round(page, live_url, server_clock)
    page.goto(f"{live_url}/rounds/{rid}")
    page.get_by_role("link", name="Watch the replay").click()
    expect(page).to_have_url(f"{live_url}/rounds/{rid}/replay")
    expect(page.locator("#replay")).to_have_attribute("data-ready", "true")
    scrub = page.get_by_role("slider", name="Position")
    expect(page.locator("#replay-code")).to_have_text("(no code yet)")  # 0:00, just before the first save
    scrub.fill("1000")
    expect(page.locator("#replay-code")).to_have_text(CODE[0].strip())
    expect(page.locator("#replay-code .tok-keyword").first).to_have_text("def")  # highlighted as on the scorecard
    expect(page.locator("#replay-scratchpad")).to_have_text("(empty)")

    scrub.fill("25000")  # 00:25: after the second save
    expect(page.locator("#replay-code")).to_have_text(CODE[1].strip())
    expect(page.locator("#replay-scratchpad")).to_have_text("plan: return the sum")
    expect(scrub).to_have_attribute("aria-valuetext", re.compile(r"^00:25 of 01:0\d$"))

    scrub.fill("19000")
    expect(page.locator("#replay-code")).to_have_text(CODE[0].strip())
    scrub.press("ArrowRight")  # 1 s a press on the slider: 00:21, just after the second save
    scrub.press("ArrowRight")
    expect(page.locator("#replay-code")).to_have_text(CODE[1].strip())
    page.locator("h1").click()  # off the slider, the arrows step 5 s
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(scrub).to_have_attribute("aria-valuetext", re.compile(r"^00:41 of"))
    expect(page.locator("#replay-code")).to_have_text(CODE[2].strip())

    scrub.press("Home")
    expect(page.locator("#replay-code")).to_have_text("(no code yet)")
    page.get_by_label("Speed").select_option("8")
    scrub.press(" ")  # space plays
    expect(page.get_by_role("button", name="Pause")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("status").filter(has_text="Playing at 8x")).to_be_visible()
    expect(page.locator("#replay-code")).to_have_text(CODE[2].strip(), timeout=15_000)
    expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=15_000)  # stopped at the end
    expect(scrub).to_have_attribute("aria-valuetext", re.compile(r"^(\d\d:\d\d) of \1$"))
    assert elsewhere == []


def scene(*labels: str) -> str:
    texts = [
        {
            "id": f"t{n}",
            "type": "text",
            "x": 0,
            "y": 40 * n,
            "width": 120,
            "height": 25,
            "text": label,
            "originalText": label,
            "fontSize": 20,
            "fontFamily": 1,
            "version": 1,
        }
        for n, label in enumerate(labels)
    ]
    return json.dumps({"type": "excalidraw", "version": 2, "elements": texts, "files": {}})


def test_the_board_is_drawn_as_it_was(context, live_url, server_clock):
    elsewhere = watch_origin(context, live_url)
    page = context.new_page()
    sign_up(page, live_url)
    page.goto(live_url + "/")
    headers = {"X-CSRFToken": page.locator('meta[name="csrf-token"]').get_attribute("content")}
    made = page.request.post(live_url + "/api/rounds", headers=headers, data={"stage": "draw", "minutes": 2}).json()
    rid = made["id"]
    for n, labels in enumerate([("cache",), ("cache", "queue")]):
        server_clock.jump(seconds=10)
        body = {"text": scene(*labels), "revision": n}
        assert page.request.put(f"{live_url}/api/rounds/{rid}/board", headers=headers, data=body).ok
    server_clock.jump(seconds=10)
    assert page.request.post(f"{live_url}/api/rounds/{rid}/end", headers=headers).ok
    page.goto(f"{live_url}/rounds/{rid}/replay")
    scrub = page.get_by_role("slider", name="Position")
    scrub.fill("15000")
    expect(page.get_by_role("img", name="The whiteboard at this moment. Its labels: cache.")).to_be_visible(
        timeout=20_000
    )
    scrub.fill("25000")
    expect(page.get_by_role("img", name="The whiteboard at this moment. Its labels: cache; queue.")).to_be_visible(
        timeout=20_000
    )
    assert elsewhere == []


def test_record_a_few_seconds_and_the_replay_plays_them(context, live_url, server_clock, small_loop_app):
    elsewhere = watch_origin(context, live_url)
    page = context.new_page()
    made, headers = new_quick_round(page, live_url)
    page.goto(live_url + made["url"])
    page.get_by_role("button", name="Record audio").click()
    expect(page.get_by_text("● Recording")).to_be_visible()
    # The recorder sends a chunk every 2 s: three kept is about 6 s of sound.
    expect(page.locator("#rec-status")).to_contain_text("3 chunks kept", timeout=20_000)
    page.get_by_role("button", name="Stop recording").click()
    expect(page.locator("#rec-status")).to_contain_text("Recording saved", timeout=10_000)
    expect(page.get_by_text("● Recording")).to_be_hidden()
    assert page.request.post(f"{live_url}/api/rounds/{made['id']}/end", headers=headers).ok

    page.goto(f"{live_url}/rounds/{made['id']}/replay")
    sound = page.locator("audio.replay-audio")
    expect(sound).to_have_count(1)
    assert page.get_by_label("Your audio").count() == 1
    page.get_by_role("slider", name="Position").fill(sound.get_attribute("data-offset-ms"))  # where it starts
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(1500)  # real playback: the audio element's own clock moves
    played = sound.evaluate("(a) => ({ paused: a.paused, time: a.currentTime, error: a.error && a.error.code })")
    assert played["error"] is None and not played["paused"] and played["time"] > 0.8, played
    assert elsewhere == []


# After Stop, MediaRecorder hands over its last chunk and then fires "stop", each as a task of its own.
# This holds both until the test lets them through (either may come later, and then passes at once),
# and keeps every message the recorder shows.
HOLD_LAST_CHUNK = """
(() => {
  const P = MediaRecorder.prototype, add = P.addEventListener, stop = P.stop;
  window.__held = []; window.__said = [];
  P.addEventListener = function (type, fn, opts) {
    if (type !== "dataavailable" && type !== "stop") return add.call(this, type, fn, opts);
    const late = (e) => {
      if (this.__stopped && !window.__open) window.__held.push(() => fn.call(this, e));
      else fn.call(this, e);
    };
    return add.call(this, type, late, opts);
  };
  P.stop = function () { this.__stopped = true; return stop.call(this); };
  window.__release = () => { window.__open = true; window.__held.splice(0).forEach((f) => f()); };
  document.addEventListener("DOMContentLoaded", () => {
    const status = document.getElementById("rec-status");
    new MutationObserver(() => window.__said.push(status.textContent))
      .observe(status, { childList: true, characterData: true, subtree: true });
  });
})();
"""


def test_recording_saved_is_said_only_once_the_last_chunk_is_kept(context, live_url, small_loop_app):
    # Stop is pressed while a chunk is on its way, and its answer comes before the recorder's last
    # chunk: the page must not say "saved" until that last chunk is kept too (a tab closed on the
    # message would lose it).
    page = context.new_page()
    page.add_init_script(HOLD_LAST_CHUNK)
    sent, held = [], []

    def chunk(route):
        seq = int(route.request.url.rsplit("=", 1)[1])
        sent.append(seq)
        held.append(route) if seq == 2 else route.continue_()

    page.route(re.compile(r"/chunks\?seq=\d+$"), chunk)
    made, headers = new_quick_round(page, live_url)
    page.goto(live_url + made["url"])
    # The third chunk (MediaRecorder hands one over every 2 s) is then held on its way.
    with page.expect_request(re.compile(r"/chunks\?seq=2$"), timeout=20_000):
        page.get_by_role("button", name="Record audio").click()
    page.get_by_role("button", name="Stop recording").click()
    held.pop().continue_()
    # The third chunk's answer has been read by the page (its resource entry exists once it has).
    page.wait_for_function("() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('seq=2'))")
    page.evaluate("() => window.__release()")
    expect(page.locator("#rec-status")).to_contain_text("Recording saved", timeout=10_000)
    said = [text for text in page.evaluate("() => window.__said") if "saved" in text]
    assert len(said) == 1, f"said 'saved' before the last chunk was kept: {said}"
    assert f"({len(sent)} chunks)" in said[0] and sorted(sent) == list(range(len(sent))), (said, sent)
    assert page.request.post(f"{live_url}/api/rounds/{made['id']}/end", headers=headers).ok
    with small_loop_app.app_context():
        [recording] = db.session.execute(db.select(RoundAudio).where(RoundAudio.round_id == made["id"])).scalars().all()
        assert recording.chunks == len(sent)
        db.session.remove()


def test_a_refused_chunk_leaves_its_reason_on_screen(context, live_url):
    page = context.new_page()
    page.add_init_script(HOLD_LAST_CHUNK)
    refusal = json.dumps({"message": "This round's recording reached its size limit."})
    page.route(
        re.compile(r"/chunks\?seq=1$"),
        lambda route: route.fulfill(status=413, content_type="application/json", body=refusal),
    )
    made, headers = new_quick_round(page, live_url)
    page.goto(live_url + made["url"])
    page.get_by_role("button", name="Record audio").click()
    status = page.locator("#rec-status")
    expect(status).to_contain_text("Recording stopped: This round's recording reached its size limit.", timeout=20_000)
    expect(page.get_by_role("button", name="Record audio")).to_be_visible()  # the microphone is off
    page.evaluate("() => window.__release()")  # the recorder's last chunk and its stop event
    expect(status).to_contain_text("Recording stopped: This round's recording reached its size limit.")
    assert not [text for text in page.evaluate("() => window.__said") if "saved" in text]
