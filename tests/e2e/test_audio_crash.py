"""The audio recording survives `kill -9` of the server: Chromium records with its fake microphone
against `mockloop serve` as real processes (tests/rig.py), the whole server is killed with a chunk on
its way, the page says it can't reach the server and keeps the chunks, the server comes back on the
same port and instance folder, and the recording carries on. Checked on the server afterwards: the
file holds every chunk the page sent, each once and in order (the page says the recording is saved
only once its last chunk is kept), and the replay plays it.

Real time only for the recorder's own chunks (MediaRecorder sends one every 2 s); everything else
waits on what the page says."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from mockloop.db import db
from mockloop.db.models import RoundAudio
from tests.e2e.helpers import new_quick_round
from tests.e2e.test_code_round import watch_origin
from tests.rig import Server, free_port, serve_env

pytestmark = [
    pytest.mark.multiprocess,
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the server's processes through /proc"),
]

CHUNK_URL = re.compile(r"/api/rounds/\d+/recordings/\d+/chunks\?seq=\d+$")
# The server is killed twice: under chunk 2's request after the server kept it (the answer is lost: the
# page sends it again, and it must not be kept twice), then under chunk 4's before it left the browser.
KILLS = (2, 4)


def test_kill_9_while_recording_loses_no_chunk_the_page_sent(context, small_loop_app, tmp_path):
    server = Server(tmp_path, serve_env(small_loop_app, tmp_path), free_port(), workers=2)
    try:
        server.start()
        base = server.base
        elsewhere = watch_origin(context, base)
        page = context.new_page()

        sent: dict[int, list[bytes]] = {}  # seq -> the body of each try the page made of it (a retry sends it again)
        held: dict[int, object] = {}  # the first try of each chunk in KILLS, held in the browser

        def chunk(route):
            seq = int(parse_qs(urlsplit(route.request.url).query)["seq"][0])
            sent.setdefault(seq, []).append(route.request.post_data_buffer or b"")
            if seq in KILLS and seq not in held:
                held[seq] = route
            else:
                route.continue_()

        page.route(CHUNK_URL, chunk)
        made, headers = new_quick_round(page, base)
        page.goto(base + made["url"])
        page.get_by_role("button", name="Record audio").click()
        expect(page.get_by_text("● Recording")).to_be_visible()
        status = page.locator("#rec-status")

        def kill_under(seq: int, reached: bool) -> None:
            """Kill the whole server (SIGKILL to its process group) under chunk `seq`'s request, held in
            the browser: driven, not hoped for. `reached`: the server got the chunk and kept it, and its
            answer is what the kill cut off; else the request is let go to a port nothing listens on."""
            expect(status).to_contain_text(f"{seq} chunks kept", timeout=15_000)
            until = time.monotonic() + 15
            while seq not in held and time.monotonic() < until:
                page.wait_for_timeout(50)  # the recorder's next chunk, 2 s of real sound away
            route = held[seq]
            if reached:
                answer = route.fetch()
                assert answer.ok and answer.json()["chunks"] == seq + 1, answer.text()
            server.kill()
            if reached:
                route.abort("connectionreset")
            else:
                route.continue_()
            expect(status).to_contain_text("Can't reach the server", timeout=15_000)
            expect(page.get_by_text("● Recording")).to_be_visible()  # the microphone stays on; chunks wait in the tab
            server.start()  # the same port and instance folder; the session cookie still signs in

        first, second = KILLS
        kill_under(first, reached=True)
        kill_under(second, reached=False)
        # The chunks recorded while it was down go first, then the recorder carries on.
        page.wait_for_function(
            "(n) => { const m = /(\\d+) chunks? kept/.exec(document.getElementById('rec-status').textContent);"
            " return m && Number(m[1]) >= n; }",
            arg=second + 2,
            timeout=20_000,
        )
        page.get_by_role("button", name="Stop recording").click()
        expect(status).to_contain_text("Recording saved", timeout=15_000)
        saved = int(re.search(r"Recording saved \((\d+) chunks\)", status.inner_text()).group(1))
        assert page.request.post(f"{base}/api/rounds/{made['id']}/end", headers=headers).ok

        # On the server: the chunks kept are 0..n-1, each the bytes the page sent, once, in order.
        with small_loop_app.app_context():
            [recording] = (
                db.session.execute(db.select(RoundAudio).where(RoundAudio.round_id == made["id"])).scalars().all()
            )
            chunks, size = recording.chunks, recording.size
            path = Path(small_loop_app.instance_path) / "audio" / str(made["id"]) / str(recording.id)
            db.session.remove()
        produced = max(sent) + 1
        assert sorted(sent) == list(range(produced)), f"the page skipped a chunk: {sorted(sent)}"
        assert all(len(sent[n]) >= 2 for n in KILLS), "a chunk cut off by a kill was not sent again"
        assert all(len(set(tries)) == 1 and tries[0] for tries in sent.values()), "a retry sent other bytes"
        assert chunks <= produced, f"{chunks} chunks kept of the {produced} the page sent: one was kept twice"
        assert chunks == saved == produced, f"{chunks} kept of {produced} sent, the page said {saved}"
        assert chunks > second, "the chunk cut off by the kill was not kept when the page sent it again"
        stored = path.read_bytes()
        assert len(stored) == size
        assert stored == b"".join(sent[n][0] for n in range(chunks)), "the file is not the chunks in order"

        page.goto(f"{base}/rounds/{made['id']}/replay")
        sound = page.locator("audio.replay-audio")
        expect(sound).to_have_count(1)
        page.get_by_role("slider", name="Position").fill(sound.get_attribute("data-offset-ms"))
        page.get_by_role("button", name="Play").click()
        page.wait_for_timeout(1500)  # real playback: the audio element's own clock moves
        played = sound.evaluate("(a) => ({ paused: a.paused, time: a.currentTime, error: a.error && a.error.code })")
        assert played["error"] is None and not played["paused"] and played["time"] > 0.8, played
        assert elsewhere == []
    finally:
        server.cleanup()
