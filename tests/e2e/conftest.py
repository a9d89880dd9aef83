"""Browser tests: Debian's chromium driven by Playwright against the app served from a thread."""

from __future__ import annotations

import shutil
import threading
from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.serving import make_server

from mockloop import clock

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            # A fake microphone (a tone), granted without a prompt: the audio recording's tests.
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
        ],
    }


class OffsetClock:
    """Real time plus a jump the test controls, so a round can reach its deadline without waiting."""

    def __init__(self):
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset

    def jump(self, **delta) -> None:
        self.offset += timedelta(**delta)


@pytest.fixture
def server_clock(monkeypatch):
    offset = OffsetClock()
    monkeypatch.setattr(clock, "now", offset)
    return offset


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def live_url(small_loop_app, server_clock):
    server, url = serve(small_loop_app)
    yield url
    server.shutdown()


@pytest.fixture
def shipped_live_url(app):
    server, url = serve(app)
    yield url
    server.shutdown()
