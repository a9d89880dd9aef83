"""`make soak`: mockloop under crashes and under sustained load, as real processes; prints figures.

1. crash: the rig of tests/test_crash.py (tests/rig.py), 100 cycles instead of 20. Client threads autosave
   scratchpads while `mockloop serve --workers 2` is killed with SIGKILL (the whole process group;
   every 5th time the serve process alone, whose web workers and scheduler must then exit by
   themselves) and restarted. Prints the saves acknowledged, acknowledged saves lost (must be 0), the
   rounds that ran out while the server was down and were locked by the restarted scheduler's
   reconcile step, and how long after the restart they were locked.
2. load: PAIRS peer pairs for SECONDS against `mockloop serve --workers 3` on SQLite, on the shipped
   loop (systems-design rounds). Each pair is two browser tabs, as round.js behaves: the candidate
   polls GET /api/rounds/<id>/state every second with If-None-Match and autosaves the scratchpad every
   2-4 s; the interviewer polls the state every second, fetches the scratchpad when its revision moves,
   and saves notes every 4-6 s. At the end each interviewer ends the round and submits the rubric form.
   Prints total and failed requests (any 5xx, connection error, unexpected status or "database is
   locked": must be 0) and latency percentiles, then checks the database holds every last save.

The client is the standard library only (http.client, one keep-alive connection per tab), and a few
dozen threads each drive a share of the tabs from a timer heap, so 400 tabs fit beside the server on
two cores. Everything runs in a temporary folder on free 127.0.0.1 ports; every process started here
runs in a session of its own and is stopped on exit, failure or Ctrl-C. Exit status 1 if a check
failed. Figures and how to read them: docs/performance.md, section "Soak".
"""

from __future__ import annotations

import argparse
import heapq
import http.client
import json
import logging
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the serve and crash rig lives in tests/rig.py

# The caller's MOCKLOOP_* settings never reach the soak: a MOCKLOOP_DATABASE_URL in the shell must not
# point it at real data.
for _key in [k for k in os.environ if k.startswith("MOCKLOOP_")]:
    del os.environ[_key]

import flask_migrate  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from mockloop import clock, create_app  # noqa: E402
from mockloop.content import content  # noqa: E402
from mockloop.core import rubric as rubric_core  # noqa: E402
from mockloop.db import db  # noqa: E402
from mockloop.db.models import Round, Scorecard, User  # noqa: E402
from mockloop.services import rounds  # noqa: E402
from tests.helpers import TEST_PROMPTS  # noqa: E402
from tests.rig import CrashRig, Server, free_port, serve_env  # noqa: E402

HOST = "127.0.0.1"
PASSWORD = "correct horse battery"
STAGE, MINUTES = "systems-design", 60
CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
REVISION_FIELD = re.compile(r'name="revision" type="hidden" value="([^"]*)"')
TEXTAREA_REVISION = re.compile(
    r'id="(scratchpad|notes)"[^>]*data-revision="(\d+)"|data-revision="(\d+)"[^>]*id="(scratchpad|notes)"'
)


def say(message: str) -> None:
    print(f"soak: {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def new_app(instance: Path, prompts: Path | None = None):
    """An app on a fresh, migrated SQLite database in `instance`, for seeding and checking."""
    config = {"INSTANCE_PATH": str(instance), "SECRET_KEY": "soak-secret", "DATABASE_URL": None}
    if prompts:
        config["PROMPTS_DIR"] = str(prompts)
    app = create_app(config)
    logging.disable(logging.INFO)  # alembic's "Running upgrade ..." lines
    with app.app_context():
        flask_migrate.upgrade()
        db.session.remove()
    logging.disable(logging.NOTSET)
    return app


# -- 1. crash cycles -------------------------------------------------------------------------------


def crash(folder: Path, cycles: int) -> bool:
    say(f"crash: {cycles} kill -9 / restart cycles against mockloop serve --workers 2")
    folder.mkdir()
    app = new_app(folder / "instance", TEST_PROMPTS)
    rig = CrashRig(
        app, folder, orphan_every=10, say=lambda message: say(message) if rig.figures.cycles % 10 == 0 else None
    )
    began = time.monotonic()
    error = None
    try:
        rig.run(cycles)
    except AssertionError as exc:
        error = str(exc)
    f = rig.figures
    lock = f.lock_seconds
    print(
        f"\ncrash: {f.cycles} of {cycles} cycles in {time.monotonic() - began:.0f} s "
        f"(kill -9 of the whole process group; the serve process alone in {f.orphan_checks})"
    )
    print(f"  acknowledged saves                {f.acknowledged}")
    print(f"  lost acknowledged saves           {f.lost}   (must be 0)")
    print(
        f"  unanswered saves                  {f.unanswered} (refused while down or cut off by a kill); "
        f"{f.committed_unanswered} of them had committed (found after the kill, then 409 stale)"
    )
    print(
        f"  rounds locked after restart       {f.locked_after_restart} (ran out while down; each one "
        f"expire event, locked_at = deadline)"
    )
    print(
        f"  time to lock after restart        p50 {percentile(lock, 50):.2f} s, "
        f"max {max(lock, default=float('nan')):.2f} s"
        f" (from starting serve)"
    )
    print(
        f"  restart to ready                  p50 {percentile(f.restart_seconds, 50):.2f} s, "
        f"max {max(f.restart_seconds, default=float('nan')):.2f} s (web workers answer, scheduler reconciled)"
    )
    print(
        f"  locked while up                   {f.locked_while_up}, lateness p99 {percentile(f.lateness_ms, 99):.0f} ms"
    )
    print(
        f"  orphans after serve alone killed  0 left; children gone in max "
        f"{max(f.orphan_exit_seconds, default=float('nan')):.1f} s"
        if f.orphan_checks
        else "  orphans                           none checked"
    )
    if error:
        print(f"  FAILED: {error[:2000]}")
    return error is None and f.lost == 0


# -- 2. load ---------------------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.latency: dict[str, list[float]] = defaultdict(list)  # kind -> ms
        self.failures: list[str] = []
        self.db_locked = 0
        self.lag: list[float] = []  # how late a tab's request started against its schedule, ms
        self.phase = "load"

    def record(self, kind: str, ms: float) -> None:
        self.latency[f"{self.phase}:{kind}"].append(ms)

    def fail(self, message: str) -> None:
        self.failures.append(message)


class Tab:
    """One browser tab of one user on one round: its cookies, CSRF token and keep-alive connection."""

    def __init__(self, role: str, email: str, round_id: int, port: int, stats: Stats):
        self.role, self.email, self.round_id, self.port, self.stats = role, email, round_id, port, stats
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.csrf = ""
        self.etag: str | None = None
        self.revision = 0  # of the text this tab writes (scratchpad or notes)
        self.text = ""
        self.saved = ("", 0)  # the last acknowledged (text, revision)
        self.shown_pad = 0  # interviewer: the scratchpad revision on screen
        self.lines = 0

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> tuple[int | None, dict, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        began = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            self.conn.request(method, path, body=body, headers=headers)
            res = self.conn.getresponse()
            data = res.read()
        except (OSError, http.client.HTTPException) as exc:
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            self.stats.record(kind, (time.perf_counter() - began) * 1000)
            self.stats.fail(f"{kind} {path}: {exc!r}")
            return None, {}, b""
        self.stats.record(kind, (time.perf_counter() - began) * 1000)
        for cookie in res.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value
        if b"database is locked" in data:
            self.stats.db_locked += 1
        if res.status not in expect:
            self.stats.fail(f"{kind} {path}: HTTP {res.status} {data[:200]!r}")
        if res.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return res.status, {k.lower(): v for k, v in res.getheaders()}, data

    def api(self, kind: str, method: str, path: str, payload: dict | None = None, **kwargs):
        headers = {"X-CSRFToken": self.csrf}
        body = None
        if payload is not None:
            body, headers["Content-Type"] = json.dumps(payload).encode(), "application/json"
        return self.request(kind, method, path, body, headers, **kwargs)

    def form(self, kind: str, path: str, fields: dict, expect=(302,)):
        return self.request(
            kind,
            "POST",
            path,
            urlencode(fields).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
            expect=expect,
        )

    # -- log in and open the round page, as a browser ----------------------------------------------

    def log_in(self) -> bool:
        status, _, page = self.request("login", "GET", "/account/login")
        if status != 200:
            return False
        token = CSRF_FIELD.search(page.decode()).group(1)
        status, _, _ = self.form(
            "login", "/account/login", {"csrf_token": token, "email": self.email, "password": PASSWORD}
        )
        if status != 302:
            return False
        status, _, page = self.request("login", "GET", f"/rounds/{self.round_id}")
        if status != 200:
            return False
        html = page.decode()
        self.csrf = CSRF_META.search(html).group(1)
        for m in TEXTAREA_REVISION.finditer(html):
            name, value = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            if name == ("scratchpad" if self.role == "candidate" else "notes"):
                self.revision = int(value)
        self.conn.close()  # the load opens a fresh connection: an idle one may have timed out by then
        self.conn = None
        return True

    # -- what the round page does ------------------------------------------------------------------

    def poll(self) -> None:
        status, headers, data = self.request(
            "state",
            "GET",
            f"/api/rounds/{self.round_id}/state",
            headers={"If-None-Match": self.etag} if self.etag else None,
            expect=(200, 304),
        )
        if status != 200:
            return
        self.etag = headers.get("etag")
        state = json.loads(data)
        if state["status"] != "running" and self.stats.phase == "load":
            self.stats.fail(f"round {self.round_id} is {state['status']} during the load")
        if self.role == "interviewer" and state["scratchpad_revision"] != self.shown_pad:
            status, _, data = self.request("scratchpad GET", "GET", f"/api/rounds/{self.round_id}/scratchpad")
            if status == 200:
                self.shown_pad = json.loads(data)["revision"]

    def save(self, rubric: dict) -> None:
        self.lines += 1
        if self.role == "candidate":
            kind, path = "scratchpad PUT", f"/api/rounds/{self.round_id}/scratchpad"
            self.text += f"- step {self.lines}: estimate the load, pick the store, name the failure mode\n"
        else:
            kind, path = "notes PUT", f"/api/rounds/{self.round_id}/notes"
            d = rubric["dimensions"][self.lines % len(rubric["dimensions"])]
            self.text += f"## {d['name']}\nObservation {self.lines}: asked about it, got a concrete answer.\n\n"
        status, _, data = self.api(kind, "PUT", path, {"text": self.text, "revision": self.revision})
        if status == 200:
            self.revision = json.loads(data)["revision"]
            self.saved = (self.text, self.revision)

    def score(self, rubric: dict) -> None:
        """The interviewer ends the round and submits the rubric form."""
        self.api("end", "POST", f"/api/rounds/{self.round_id}/end")
        status, _, page = self.request("score form", "GET", f"/rounds/{self.round_id}/score")
        if status != 200:
            return
        html = page.decode()
        fields = {
            "csrf_token": CSRF_FIELD.search(html).group(1),
            "revision": REVISION_FIELD.search(html).group(1),
            "overall": rubric["recommendation"][2]["key"],
            "keep": "Clear structure.",
            "stop": "Skipping the numbers.",
            "start": "Name the trade-off first.",
        }
        for i, d in enumerate(rubric["dimensions"]):
            fields[rubric_core.level_field(d["key"])] = str(1 + (self.round_id + i) % 4)
            fields[rubric_core.evidence_field(d["key"])] = f"Round {self.round_id}: what was seen for {d['name']}."
        self.form("score submit", f"/rounds/{self.round_id}/score", fields)


def drive(tabs: list[Tab], until: float, rubric: dict, stats: Stats) -> None:
    """Run these tabs' polls and saves on their schedules until `until` (time.monotonic)."""
    heap, seq = [], 0
    now = time.monotonic()
    for tab in tabs:
        heap.append((now + random.uniform(0, 1), seq, tab, "poll"))
        heap.append((now + random.uniform(0.5, 4), seq + 1, tab, "save"))
        seq += 2
    heapq.heapify(heap)
    while heap:
        due, _, tab, what = heapq.heappop(heap)
        if due >= until:
            continue
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        stats.lag.append(max(0.0, time.monotonic() - due) * 1000)
        if what == "poll":
            tab.poll()
            nxt = due + 1.0  # data-poll-ms of a peer round
        else:
            tab.save(rubric)
            nxt = due + (random.uniform(2, 4) if tab.role == "candidate" else random.uniform(4, 6))
        seq += 1
        heapq.heappush(heap, (nxt, seq, tab, what))


def run_threads(target, shares: list[list[Tab]], *args) -> None:
    threads = [threading.Thread(target=target, args=(share, *args), daemon=True) for share in shares if share]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def seed(app, pairs: int) -> list[tuple[int, str, str]]:
    """PAIRS running peer rounds, each with its candidate and interviewer: (round id, emails)."""
    # One password hash for everyone, and a cheap one: log-ins go through the real form and the real
    # check, but 400 scrypt checks would take a minute of CPU that tells nothing about polls and saves.
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    made = []
    with app.app_context():
        users = [
            User(email=f"{role}{i}@soak.test", display_name=f"{role.title()} {i}", password_hash=password_hash)
            for i in range(pairs)
            for role in ("candidate", "interviewer")
        ]
        db.session.add_all(users)
        db.session.commit()
        stage = content().loop.stage(STAGE)
        prompts = content().catalog.for_stage(STAGE)
        for i in range(pairs):
            candidate, interviewer = users[2 * i], users[2 * i + 1]
            rnd = rounds.create_round(
                interviewer,
                stage,
                prompts[i % len(prompts)],
                MINUTES,
                clock.now(),
                seats={"candidate": candidate, "interviewer": interviewer},
                start=True,
            )
            made.append((rnd.id, candidate.email, interviewer.email))
        db.session.commit()
        db.session.remove()
    return made


def load(folder: Path, pairs: int, seconds: float, workers: int, threads: int) -> bool:
    say(f"load: {pairs} peer pairs for {seconds:.0f} s against mockloop serve --workers {workers} on SQLite")
    folder.mkdir()
    app = new_app(folder / "instance")
    with app.app_context():
        rubric = rubric_core.snapshot(content().loop, content().loop.stage(STAGE))
    made = seed(app, pairs)
    server = Server(folder, serve_env(app, folder), free_port(), workers)
    stats = Stats()
    tabs: list[Tab] = []
    ok = True
    try:
        server.start()
        tabs = [
            Tab(role, email, rid, server.port, stats)
            for rid, c, i in made
            for role, email in (("candidate", c), ("interviewer", i))
        ]
        began = time.monotonic()
        stats.phase = "setup"
        shares = [tabs[i::threads] for i in range(threads)]
        run_threads(lambda share: [tab.log_in() for tab in share], shares)
        say(
            f"load: {len(tabs)} tabs logged in through the form and opened their round page in "
            f"{time.monotonic() - began:.1f} s"
        )
        if stats.failures:
            raise RuntimeError(f"log-in failed: {stats.failures[:5]}")

        stats.phase = "load"
        began = time.monotonic()
        run_threads(drive, shares, began + seconds, rubric, stats)
        load_seconds = time.monotonic() - began

        stats.phase = "end"
        began = time.monotonic()
        interviewers = [[t for t in share if t.role == "interviewer"] for share in shares]
        run_threads(lambda share: [tab.score(rubric) for tab in share], interviewers)
        end_seconds = time.monotonic() - began
        candidates = [[t for t in share if t.role == "candidate"] for share in shares]
        run_threads(lambda share: [tab.poll() for tab in share], candidates)  # each sees its round locked

        lost = check_saves(app, tabs)
        log_text = server.log.read_text(errors="replace")
        ok = report(stats, pairs, workers, threads, load_seconds, end_seconds, lost, log_text, app, made)
    except Exception:  # noqa: BLE001 - reported, and the processes are still stopped
        traceback.print_exc()
        ok = False
    finally:
        for tab in tabs:
            if tab.conn is not None:
                tab.conn.close()
        if server.proc is not None:
            left = server.stop()
            server.cleanup()
            left = {**left, **server.leftovers()}
            if left:
                print(f"  FAILED: processes left after stopping serve: {left}")
                ok = False
    return ok


def check_saves(app, tabs: list[Tab]) -> int:
    """Saves acknowledged during the load whose text is not what the round holds."""
    lost = 0
    with app.app_context():
        held = {r.id: r for r in db.session.execute(db.select(Round)).scalars()}
        for tab in tabs:
            rnd = held[tab.round_id]
            text, revision = tab.saved
            now = (
                (rnd.scratchpad, rnd.scratchpad_rev)
                if tab.role == "candidate"
                else (rnd.interviewer_notes, rnd.notes_rev)
            )
            if revision and now != (text, revision):
                lost += 1
        db.session.remove()
    return lost


def report(
    stats: Stats,
    pairs: int,
    workers: int,
    threads: int,
    load_seconds: float,
    end_seconds: float,
    lost: int,
    log_text: str,
    app,
    made,
) -> bool:
    load_kinds = {k: v for k, v in stats.latency.items() if not k.startswith("setup:")}
    every = [ms for v in load_kinds.values() for ms in v]
    in_load = sum(len(v) for k, v in load_kinds.items() if k.startswith("load:"))
    with app.app_context():
        submitted = db.session.execute(
            db.select(db.func.count())
            .select_from(Scorecard)
            .where(Scorecard.status == "submitted", Scorecard.round_id.in_([rid for rid, _, _ in made]))
        ).scalar()
        db.session.remove()
    tracebacks = log_text.count("Traceback")
    locked_in_log = log_text.count("database is locked")
    failed = len(stats.failures)
    print(
        f"\nload: {pairs} peer pairs ({2 * pairs} tabs) for {load_seconds:.0f} s against mockloop serve "
        f"--workers {workers} (4 threads each) on SQLite; client: {threads} threads, http.client keep-alive"
    )
    print(
        f"  total requests                    {len(every)} ({in_load} in the load, {in_load / load_seconds:.0f}/s; "
        f"{len(every) - in_load} ending rounds and scoring, {end_seconds:.1f} s)"
    )
    print(f"  failed requests                   {failed}   (must be 0: 5xx, errors, unexpected status)")
    print(
        f"  'database is locked'              {stats.db_locked} in answers, {locked_in_log} in the server log; "
        f"{tracebacks} tracebacks in the log"
    )
    print(
        f"  latency, all requests             p50 {percentile(every, 50):.1f} ms, p95 {percentile(every, 95):.1f} ms, "
        f"p99 {percentile(every, 99):.1f} ms, max {max(every, default=float('nan')):.0f} ms"
    )
    for kind, values in sorted(load_kinds.items()):
        print(
            f"    {kind:<28} {len(values):>6}  p50 {percentile(values, 50):6.1f}  p95 {percentile(values, 95):6.1f}  "
            f"p99 {percentile(values, 99):6.1f} ms"
        )
    print(
        f"  client lag behind schedule        p50 {percentile(stats.lag, 50):.0f} ms, "
        f"p99 {percentile(stats.lag, 99):.0f} ms"
    )
    print(f"  scorecards submitted              {submitted} of {pairs}")
    print(f"  lost saves                        {lost}   (last acknowledged scratchpad and notes per round, must be 0)")
    for message in stats.failures[:10]:
        print(f"  FAILED: {message}")
    return (
        failed == 0
        and stats.db_locked == 0
        and locked_in_log == 0
        and tracebacks == 0
        and lost == 0
        and submitted == pairs
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=100, help="crash cycles (default 100)")
    parser.add_argument("--pairs", type=int, default=200, help="peer pairs under load (default 200)")
    parser.add_argument("--seconds", type=float, default=60, help="load duration (default 60)")
    parser.add_argument("--workers", type=int, default=3, help="web workers under load (default 3)")
    parser.add_argument("--threads", type=int, default=40, help="client threads under load (default 40)")
    parser.add_argument("--only", choices=("crash", "load"), help="run one part")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, databases)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mockloop-soak-"))
    ok = True
    try:
        if args.only in (None, "crash"):
            ok &= crash(folder / "crash", args.cycles)
        if args.only in (None, "load"):
            ok &= load(folder / "load", args.pairs, args.seconds, args.workers, args.threads)
    except KeyboardInterrupt:
        say("interrupted; every process started here has been stopped")
        ok = False
    finally:
        if args.keep:
            say(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\nsoak: {'passed' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
