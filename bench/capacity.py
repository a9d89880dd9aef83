"""capacity_pairs: how many peer pairs one `mockloop serve` holds, found by stepping the load.

A pair is a coding round (phone-screen) with both tabs open, doing what round.js and round-code.js do:
- the candidate's tab polls the state every second after the last answer (a peer round's
  data-poll-ms), with the ETag it has; autosaves the code every 2-4 s with the revision it wrote on;
  runs it every 20-40 s (POST /runs, the browser's report); fetches the runs list when `runs` moves;
- the interviewer's tab polls the same way; when `work.code` moves it fetches the code (the live
  view), when `runs` moves the runs; it saves its notes every 4-6 s.
(The whiteboard's live view joins the pair when the board lands on the round page.)

Tabs already logged in: each user gets a login session and its cookie made by the app's own session
and CSRF code, so the figure measures a round in progress, not log-ins. One asyncio client drives
every tab over a keep-alive connection per tab (HTTP/1.1 written and read here: a client that costs
little CPU leaves the two cores to the server).

The load steps up (PAIR_STEPS, STEP_SECONDS each after a warm-up) until a step fails: a failed
request (a connection error, a timeout, an unexpected status) or p99 over the limit. The last step
that held is then held for HOLD_SECONDS: that is the figure, and if it does not hold the steps below
it are tried. The same steps run against a floor server (`python bench/capacity.py floor HOST PORT
WORKERS THREADS`: bare Flask under the same gunicorn settings, answering each request of the load
with no work), which bounds what any app could hold here with this client.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta

HOST = "127.0.0.1"
PAIR_STEPS = [50, 100, 200, 300, 400, 500, 600, 800, 1000, 1250, 1500, 2000]
WARMUP_SECONDS = 4  # each step: the new tabs' first polls (full 200s) settle before it is measured
STEP_SECONDS = 10
HOLD_SECONDS = 60
P99_LIMIT_MS = 150
LAG_LIMIT_MS = 50  # the client's own timers this late (p99) mean the client, not the server, is the limit
TIMEOUT = 10  # seconds: a request unanswered this long failed
USER_AGENT = "mockloop-bench-capacity"
STAGE = "phone-screen"


# -- the client ----------------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection, as a browser tab holds one to the app."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, method: str, path: str, headers: bytes, body: bytes) -> tuple[int, dict, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        length = f"Content-Length: {len(body)}\r\n".encode() if body or method in ("POST", "PUT") else b""
        self.writer.write(f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\n".encode() + headers + length + b"\r\n" + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                fields[name.strip().lower()] = value.strip()
        if status in (204, 304) or status < 200:
            data = b""
        elif "content-length" in fields:
            data = await self.reader.readexactly(int(fields["content-length"]))
        elif "chunked" in fields.get("transfer-encoding", ""):
            data = await self._chunks()
        else:
            data = await self.reader.read()
            fields["connection"] = "close"
        if fields.get("connection", "").lower() == "close":
            self.close()  # the server closes it (gunicorn does past its keep-alive limit): reconnect next time
        return status, fields, data

    async def _chunks(self) -> bytes:
        assert self.reader is not None
        parts = []
        while size := int((await self.reader.readline()).split(b";")[0], 16):
            parts.append(await self.reader.readexactly(size))
            await self.reader.readline()
        await self.reader.readline()
        return b"".join(parts)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Stats:
    measuring: bool = False
    latency: list[float] = field(default_factory=list)  # ms, every request
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    lag: list[float] = field(default_factory=list)  # ms the client's timers fired late

    def reset(self) -> None:
        self.latency, self.by_kind, self.failures, self.lag = [], {}, [], []


class Tab:
    """One open round page: its cookie, CSRF token, connection, and what it shows."""

    def __init__(self, port: int, round_id: int, role: str, cookie: str, csrf: str, stats: Stats):
        self.conn, self.round_id, self.role, self.stats = Connection(port), round_id, role, stats
        self.headers = f"Cookie: session={cookie}\r\nUser-Agent: {USER_AGENT}\r\n".encode()
        self.json_headers = self.headers + f"X-CSRFToken: {csrf}\r\nContent-Type: application/json\r\n".encode()
        self.lock = asyncio.Lock()  # one request at a time on the tab's connection
        self.etag: str | None = None
        self.code_shown = self.runs_shown = 0
        self.revision, self.text, self.saves = 0, "", 0

    async def call(self, kind: str, method: str, what: str, payload=None, expect=(200,), etag=None):
        path = f"/api/rounds/{self.round_id}/{what}"
        headers = self.json_headers if payload is not None else self.headers
        if etag:
            headers += f"If-None-Match: {etag}\r\n".encode()
        body = json.dumps(payload).encode() if payload is not None else b""
        async with self.lock:
            began = time.perf_counter()
            try:
                status, fields, data = await asyncio.wait_for(self.conn.send(method, path, headers, body), TIMEOUT)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                self.conn.close()
                self._record(kind, began)
                self._fail(f"{kind} {path}: {exc!r}")
                return None, {}, b""
            self._record(kind, began)
        if status not in expect:
            self._fail(f"{kind} {path}: HTTP {status} {data[:120]!r}")
        return status, fields, data

    def _record(self, kind: str, began: float) -> None:
        if self.stats.measuring:
            ms = (time.perf_counter() - began) * 1000
            self.stats.latency.append(ms)
            self.stats.by_kind.setdefault(kind, []).append(ms)

    def _fail(self, message: str) -> None:
        if self.stats.measuring:
            self.stats.failures.append(message)

    async def poll(self) -> None:
        status, fields, data = await self.call("state", "GET", "state", expect=(200, 304), etag=self.etag)
        if status != 200:
            return
        self.etag = fields.get("etag")
        state = json.loads(data)
        if state["runs"] != self.runs_shown:
            self.runs_shown = state["runs"]
            await self.call("runs GET", "GET", "runs")
        if self.role == "interviewer" and state["work"].get("code", 0) != self.code_shown:
            _, _, code = await self.call("code GET", "GET", "code")
            self.code_shown = json.loads(code)["revision"] if code else self.code_shown

    async def save(self) -> None:
        self.saves += 1
        what = "code" if self.role == "candidate" else "notes"
        line = f"    total += step_{self.saves}(window)  # keep the newest entries only\n"
        self.text = (self.text + line)[-4000:]  # a file that keeps changing, not one that grows for ever
        status, _, data = await self.call(f"{what} PUT", "PUT", what, {"text": self.text, "revision": self.revision})
        if status == 200:
            self.revision = json.loads(data)["revision"]

    async def run(self) -> None:
        report = {"language": "python", "outcome": "ok", "duration_ms": 41, "stdout": "ok\n", "stderr": ""}
        await self.call("runs POST", "POST", "runs", {**report, "code_revision": self.revision}, expect=(201,))


async def every(stats: Stats, interval, action) -> None:
    """Run `action` after `interval()` seconds, again and again, timed from the end of the last one
    (as the page's setTimeout after each answer does)."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(random.uniform(0, interval()))  # tabs opened at different moments
    while True:
        await action()
        due = loop.time() + interval()
        await asyncio.sleep(due - loop.time())
        if stats.measuring:
            stats.lag.append(max(0.0, loop.time() - due) * 1000)


def pair_tasks(candidate: Tab, interviewer: Tab) -> list[asyncio.Task]:
    stats = candidate.stats
    loops = [
        every(stats, lambda: 1.0, candidate.poll),
        every(stats, lambda: random.uniform(2, 4), candidate.save),
        every(stats, lambda: random.uniform(20, 40), candidate.run),
        every(stats, lambda: 1.0, interviewer.poll),
        every(stats, lambda: random.uniform(4, 6), interviewer.save),
    ]
    return [asyncio.create_task(c) for c in loops]


# -- the seats: rounds, users and their cookies ----------------------------------------------------


@dataclass(frozen=True)
class Seat:
    round_id: int
    role: str
    cookie: str
    csrf: str


def seed_pairs(app, count: int, first: int) -> list[tuple[Seat, Seat]]:
    """`count` running peer rounds of the coding stage, each with a candidate and an interviewer who
    are logged in (a login session row each, and the cookie and CSRF token a browser would hold)."""
    from flask import current_app, session
    from flask_wtf.csrf import generate_csrf

    from mockloop import clock
    from mockloop.content import content
    from mockloop.db import db
    from mockloop.db.models import User
    from mockloop.services import login_sessions, rounds

    now = clock.now()
    made = []
    with app.app_context():
        # Nobody logs in through the form, so the hash is never checked: any value will do.
        users = [
            User(email=f"{role}{i}@capacity.test", display_name=f"{role.title()} {i}", password_hash="unused")
            for i in range(first, first + count)
            for role in ("candidate", "interviewer")
        ]
        db.session.add_all(users)
        db.session.flush()
        stage = content().loop.stage(STAGE)
        prompts = content().catalog.for_stage(STAGE)
        pairs = []
        for i in range(count):
            candidate, interviewer = users[2 * i], users[2 * i + 1]
            rnd = rounds.create_round(
                interviewer,
                stage,
                prompts[i % len(prompts)],
                stage.duration.max,
                now,
                seats={"candidate": candidate, "interviewer": interviewer},
                start=True,
            )
            pairs.append((rnd.id, candidate, interviewer))
        for user in users:
            login_sessions.create(user, now, timedelta(days=1))
        logins = {user.id: user.get_id() for user in users}  # what login_user keeps in the session
        pairs = [(rid, logins[c.id], logins[i.id]) for rid, c, i in pairs]
        db.session.commit()
        db.session.remove()
    # Each cookie in a request context of its own (outside the app context above, whose `g` would
    # hand every request the first one's CSRF token), as login_user and the page's token leave it.
    serializer = app.session_interface.get_signing_serializer(app)
    for rid, *seated in pairs:
        seats = []
        for role, login_id in zip(("candidate", "interviewer"), seated):
            with app.test_request_context(environ_base={"REMOTE_ADDR": HOST}, headers={"User-Agent": USER_AGENT}):
                session["_user_id"], session["_fresh"] = login_id, True
                session["_id"] = current_app.login_manager._session_identifier_generator()
                csrf = generate_csrf()
                seats.append(Seat(rid, role, serializer.dumps(dict(session)), csrf))
        made.append((seats[0], seats[1]))
    return made


# -- stepping ------------------------------------------------------------------------------------


@dataclass
class Step:
    pairs: int
    seconds: float
    requests: int
    p50: float
    p99: float
    max: float
    failures: list[str]
    lag_p99: float
    client_cpu: float  # share of one core the client used

    @property
    def held(self) -> bool:
        return not self.failures and self.p99 <= P99_LIMIT_MS and self.lag_p99 <= LAG_LIMIT_MS

    def shown(self) -> str:
        verdict = "held" if self.held else "FAILED" if self.failures else "p99 over" if self.p99 > P99_LIMIT_MS else ""
        if self.lag_p99 > LAG_LIMIT_MS:
            verdict = f"client too slow (timers {self.lag_p99:.0f} ms late)"
        fails = f", {len(self.failures)} failed" if self.failures else ""
        return (
            f"{self.pairs:>5} pairs, {self.seconds:.0f} s: {self.requests / self.seconds:,.0f} req/s, "
            f"p50 {self.p50:.1f} ms, p99 {self.p99:.1f} ms, max {self.max:.0f} ms{fails}; "
            f"client {self.client_cpu:.0%} of a core; {verdict}"
        )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(len(ordered) * p / 100 + 0.5) - 1))] if ordered else 0.0


class Load:
    """Pairs of tabs on one server, added or stopped as the load steps."""

    def __init__(self, port: int, seats: list[tuple[Seat, Seat]]):
        self.port, self.seats, self.stats = port, seats, Stats()
        self.running: list[tuple[list[asyncio.Task], Tab, Tab]] = []

    def resize(self, pairs: int) -> None:
        while len(self.running) > pairs:
            tasks, *tabs = self.running.pop()
            for task in tasks:
                task.cancel()
            for tab in tabs:
                tab.conn.close()
        while len(self.running) < pairs:
            candidate, interviewer = (
                Tab(self.port, s.round_id, s.role, s.cookie, s.csrf, self.stats) for s in self.seats[len(self.running)]
            )
            self.running.append((pair_tasks(candidate, interviewer), candidate, interviewer))

    async def step(self, pairs: int, seconds: float, log) -> Step:
        self.resize(pairs)
        await asyncio.sleep(WARMUP_SECONDS)
        self.stats.reset()
        self.stats.measuring = True
        cpu, began = sum(os.times()[:2]), time.monotonic()
        await asyncio.sleep(seconds)
        self.stats.measuring = False
        took, cpu = time.monotonic() - began, sum(os.times()[:2]) - cpu
        s = self.stats
        step = Step(
            pairs,
            took,
            len(s.latency),
            percentile(s.latency, 50),
            percentile(s.latency, 99),
            max(s.latency, default=0.0),
            list(s.failures),
            percentile(s.lag, 99),
            cpu / took,
        )
        log(step.shown())
        if not step.held:  # what was slow
            kinds = sorted(s.by_kind.items(), key=lambda kv: -percentile(kv[1], 99))
            log(
                "  by request: "
                + "; ".join(
                    f"{k} {len(v)}x p50 {percentile(v, 50):.0f} p99 {percentile(v, 99):.0f} ms" for k, v in kinds
                )
            )
        if s.failures:
            log(f"  first failures: {s.failures[:3]}")
        return step

    def stop(self) -> None:
        self.resize(0)


async def find_capacity(port: int, seats_for, log) -> tuple[Step | None, list[Step]]:
    """Step the pairs up until a step fails, then hold the best for HOLD_SECONDS (stepping down if it
    does not hold). Returns (the held step, or None; every step measured, in order)."""
    load, curve = Load(port, []), []
    try:
        for pairs in PAIR_STEPS:
            load.seats = seats_for(pairs)
            step = await load.step(pairs, STEP_SECONDS, log)
            curve.append(step)
            if not step.held:
                break
        candidates = [s.pairs for s in curve if s.held][::-1]
        for pairs in candidates:
            held = await load.step(pairs, HOLD_SECONDS, log)
            curve.append(held)
            if held.held:
                return held, curve
        return None, curve
    finally:
        load.stop()
        await asyncio.sleep(0.2)  # let the cancelled tasks unwind and the sockets close


class Seats:
    """Seeded pairs, made as the steps need them."""

    def __init__(self, app):
        self.app, self.made = app, []

    def __call__(self, pairs: int) -> list[tuple[Seat, Seat]]:
        if len(self.made) < pairs:
            self.made += seed_pairs(self.app, pairs - len(self.made), len(self.made))
        return self.made


def measure(port: int, seats_for, log) -> tuple[Step | None, list[Step]]:
    return asyncio.run(find_capacity(port, seats_for, log))


# -- the floor: the same load against bare Flask, which does no work for any of it ------------------


def floor_seats(pairs: int) -> list[tuple[Seat, Seat]]:
    token = secrets.token_urlsafe(8)
    return [(Seat(i, "candidate", token, token), Seat(i, "interviewer", token, token)) for i in range(pairs)]


def floor_app():
    from flask import Flask, jsonify, request

    app = Flask(__name__)

    @app.get("/api/rounds/<int:rid>/state")
    def state(rid):
        if request.if_none_match.contains("1"):
            return "", 304, {"ETag": '"1"'}
        response = jsonify(status="running", runs=0, work={})
        response.set_etag("1")
        return response

    @app.put("/api/rounds/<int:rid>/<what>")
    def save(rid, what):
        return jsonify(revision=request.get_json()["revision"] + 1)

    @app.route("/api/rounds/<int:rid>/runs", methods=["GET", "POST"])
    def runs(rid):
        return jsonify(runs=[]), 201 if request.method == "POST" else 200

    return app


if __name__ == "__main__" and sys.argv[1:2] == ["floor"]:
    from mockloop.serve import GunicornApp, gunicorn_options

    host, port, workers, threads = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    application = floor_app()
    GunicornApp(gunicorn_options(host, port, workers, threads), load=lambda: application).run()
