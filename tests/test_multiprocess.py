"""`mockloop serve --workers 2` as real processes: two gunicorn web workers and the one scheduler
lock 50 rounds at their deadlines, each exactly once, while clients keep polling those rounds.

Runs on the suite's engine (SQLite, or PostgreSQL under `make test-postgres`); select it alone with
`pytest -m multiprocess`.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func

from mockloop import clock
from mockloop.content import content
from mockloop.db import db
from mockloop.db.models import Round, RoundEvent, User
from mockloop.services import rounds
from mockloop.services.users import create_user
from tests.helpers import CSRF_RE, REPO, TEST_PROMPTS
from tests.rig import EMAIL, PASSWORD, free_port, group_processes, healthy, serve_env

pytestmark = pytest.mark.multiprocess

ROUNDS = 50
WORKERS = 2
CLIENTS = 4


def wait_for(condition, timeout: float, what: str, proc: subprocess.Popen, log: Path) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"mockloop serve exited with {proc.returncode} while waiting for {what}:\n{log.read_text()}")
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}:\n{log.read_text()}")


def log_in(base: str) -> str:
    """Log in through the form like a browser; return the Cookie header for API calls."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/account/login", timeout=10).read().decode()
    token = CSRF_RE.search(page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": EMAIL, "password": PASSWORD}).encode()
    opener.open(base + "/account/login", data=body, timeout=10)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts the server's processes through /proc")
def test_workers_and_one_scheduler_lock_every_round_exactly_once(make_app, tmp_path):
    app = make_app(PROMPTS_DIR=str(TEST_PROMPTS))  # on this test's own freshly migrated database
    with app.app_context():
        create_user(EMAIL, "Ada", PASSWORD)
        db.session.commit()
        db.session.remove()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = serve_env(app)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        # A session of its own: the serve process, its gunicorn workers and the scheduler share one
        # process group, so the test can count them and make sure none outlives it.
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mockloop",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(WORKERS),
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: healthy(base), 30, "the web workers", proc, log)
        wait_for(lambda: "mockloop scheduler is running" in log.read_text(), 30, "the scheduler", proc, log)
        processes = group_processes(proc.pid)
        assert len(processes) == 1 + WORKERS + 1, processes  # serve (gunicorn arbiter), workers, scheduler
        assert sum(" scheduler " in cmd for cmd in processes.values()) == 1, processes

        # The shortest stage ('quick' in tests/data/prompts) lasts one minute. Rather than wait a
        # minute, each round is created by rounds.create_round, the code behind POST /api/rounds, with
        # its start stamped 50-55 s in the past, so the deadlines fall 5-10 s from now, 0.1 s apart.
        # Nothing else is staged: the server's processes run on the real clock, and since this
        # process writes the rounds after the server is up (as a web worker would), the scheduler
        # has to learn every deadline from the database.
        with app.app_context():
            loop, catalog = content().loop, content().catalog
            stage, prompt = loop.stage("quick"), catalog.get("quick", "quick-prompt-1")
            owner = db.session.execute(db.select(User).filter_by(email=EMAIL)).scalar_one()
            start = clock.now() - timedelta(seconds=55)
            ids = [
                rounds.create_round(owner, stage, prompt, 1, start + timedelta(seconds=0.1 * i)).id
                for i in range(ROUNDS)
            ]
            db.session.commit()
            last_deadline = db.session.execute(db.select(func.max(Round.deadline_at))).scalar()
            db.session.remove()

        cookie = log_in(base)
        failures: list[str] = []
        seen_locked: set[int] = set()
        requests = Counter()
        give_up = time.monotonic() + (last_deadline - clock.now()).total_seconds() + 20

        def client(mine: list[int]) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # keep-alive, like a browser
            pending = set(mine)
            try:
                while pending and time.monotonic() < give_up:
                    for rid in sorted(pending):
                        try:
                            conn.request("GET", f"/api/rounds/{rid}/state", headers={"Cookie": cookie})
                            res = conn.getresponse()
                            body = res.read()
                        except (OSError, http.client.HTTPException) as exc:
                            failures.append(f"round {rid}: {exc!r}")
                            conn.close()
                            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                            continue
                        requests[threading.get_ident()] += 1
                        if res.status != 200:
                            failures.append(f"round {rid}: HTTP {res.status} {body[:200]!r}")
                        elif b'"status":"locked"' in body.replace(b" ", b""):
                            pending.discard(rid)
                            seen_locked.add(rid)
                    time.sleep(0.05)
            finally:
                conn.close()

        threads = [threading.Thread(target=client, args=(ids[i::CLIENTS],)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        assert failures == []
        assert seen_locked == set(ids), f"still unlocked: {sorted(set(ids) - seen_locked)}"
        assert sum(requests.values()) >= ROUNDS * 5  # the clients really polled while rounds expired

        with app.app_context():
            expired = Counter(db.session.execute(db.select(RoundEvent.round_id).filter_by(kind="expire")).scalars())
            assert expired == Counter({rid: 1 for rid in ids})  # exactly one expire event each
            for rnd in db.session.execute(db.select(Round).where(Round.id.in_(ids))).scalars():
                started = rnd.events[0].at
                assert (rnd.status, rnd.lock_reason) == ("locked", "time")
                assert rnd.locked_at == started + timedelta(minutes=1)  # locked as of the deadline itself
                [event] = [e for e in rnd.events if e.kind == "expire"]
                assert event.at == rnd.locked_at
                assert event.recorded_at - event.at < timedelta(seconds=5)  # noticed on time
            db.session.remove()
    finally:
        stop(proc, log)


def stop(proc: subprocess.Popen, log: Path) -> None:
    """SIGTERM to serve, as an operator would; every process of the group must then be gone."""
    leftover = {"?": "serve did not exit within 30 s of SIGTERM"}
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
        end = time.monotonic() + 15
        while group_processes(proc.pid) and time.monotonic() < end:
            time.sleep(0.1)
        leftover = group_processes(proc.pid)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left, so nothing outlives the test
        except ProcessLookupError:
            pass
    assert not leftover, f"still running after serve stopped: {leftover}\n{log.read_text()}"
