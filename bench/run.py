"""`make bench`: mockloop's performance figures beside a bare Flask baseline, measured now, here.

1. A bare Flask "hello" app (bench/hello.py) and `mockloop serve` run side by side under the same
   gunicorn settings (mockloop.serve.gunicorn_options). wrk loads both with one setting; each
   throughput figure is a ratio to the hello app's req/s measured just before it.
2. With the server stopped, the real `mockloop scheduler` process locks 1,000 rounds at their
   deadlines, then 1,000 that ran out while it was down; each of these runs 5 times (BENCH_REPEATS=N
   or --repeats=N), since a lost wakeup is rare, and the worst run is the figure.
3. In Chromium, the in-browser code runner (bench/code_runner.py): Pyodide's cold start, warm runs;
   the whiteboard (bench/board.py): its bundle, the time to an interactive board, and the round
   page without it; and the replay (bench/replay.py): the work history's storage per hour, the
   audio's per hour (a real recording from Chromium's fake microphone), the replay page of a 4-hour
   take-home.

Everything lives in a temporary instance folder on free 127.0.0.1 ports, and every process started
here is stopped on exit, Ctrl-C or failure. It prints a table, then one JSON line (the last line).
Targets and the latest results: docs/performance.md.
"""

from __future__ import annotations

import http.client
import importlib
import json
import logging
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import flask_migrate
from sqlalchemy import func, text

from mockloop import clock, create_app
from mockloop.content import content
from mockloop.db import db
from mockloop.db.models import Round, RoundEvent, User
from mockloop.services import rounds
from mockloop.services.demo import finished_rounds, seed_history
from mockloop.services.users import create_user

BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent  # the venv's bin/, where `mockloop` lives
HOST = "127.0.0.1"
WORKERS, THREADS = 1, 4  # `mockloop serve`'s defaults, used for the baseline too
CONNECTIONS, SECONDS, RUNS, WARMUP = 8, 5, 2, 2  # one wrk setting for the baseline and every figure
ROUNDS = 1000  # rounds for the scheduler figures
DEFAULT_REPEATS = 5  # runs of each scheduler figure (BENCH_REPEATS=N or --repeats=N): a stall is rare
EMAIL, PASSWORD = "bench@example.com", "correct horse battery"
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


@dataclass
class Figure:
    key: str | None  # its key in the JSON line; None: table only
    label: str
    value: float | None  # what goes into the JSON line; None: not measured
    shown: str  # what the table shows
    target: str
    ok: bool | None  # None: no verdict


def not_measured(key: str, label: str, target: str) -> Figure:
    return Figure(key, label, None, "not measured yet", target, None)


# -- processes and load ----------------------------------------------------------------------------


class Processes:
    """The processes the bench starts. Each gets a session of its own so that stopping it stops the
    children it forked too (gunicorn's worker, serve's scheduler), and so that Ctrl-C reaches only
    the bench, which then stops them through `with`."""

    def __init__(self, folder: Path, env: dict):
        self.folder, self.env = folder, env
        self.running: dict[str, subprocess.Popen] = {}

    @contextmanager
    def run(self, name: str, argv: list[str], ready=None, timeout: float = 30.0, env: dict | None = None):
        """Start `argv` (with `env` added to the bench's environment), wait until `ready()` is true
        (failing with its log if it exits first), yield it, and stop it however the block ends."""
        with open(self.folder / f"{name}.log", "w") as out:
            proc = subprocess.Popen(
                argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**self.env, **(env or {})},
                cwd=self.folder,
                start_new_session=True,
            )
        self.running[name] = proc
        try:
            deadline = time.monotonic() + timeout
            while ready is not None and not ready():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start; its log ends:\n{self.log_of(name)[-2000:]}")
                time.sleep(0.05)
            yield proc
        finally:
            del self.running[name]
            stop(proc)

    def log_of(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the process group (a graceful stop), then SIGKILL to anything left in it."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=grace)
        except ProcessLookupError:
            return  # the whole group is gone
        except subprocess.TimeoutExpired:
            pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def answers(port: int, path: str) -> bool:
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=2)
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except OSError:
        return False


def wrk(
    url: str,
    seconds: float = SECONDS,
    headers: dict | None = None,
    method: str = "GET",
    body: str | None = None,
    paths: Path | None = None,
    connections: int = CONNECTIONS,
    cpu_of: int | None = None,
) -> dict:
    """Load `url` with wrk: a warm-up (caches, compiled templates), then the best of RUNS runs, since a
    neighbour taking CPU can only make a run slower. Returns req/s and latencies (p50_ms ... max_ms),
    and with cpu_of (a server's worker pid) the worker's CPU time per request (cpu_us)."""
    env = {
        **os.environ,
        "WRK_METHOD": method,
        **({"WRK_BODY": body} if body else {}),
        **({"WRK_PATHS": str(paths)} if paths else {}),
    }
    # A request slower than wrk's 2 s would be dropped as a socket error: wait as long as SQLite's
    # busy timeout, so that a write queued behind others counts in the latencies instead.
    argv = ["wrk", "-t1", f"-c{connections}", "--timeout", "10s", "-s", str(BENCH / "report.lua")]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    runs, served, ticks = [], 0, cpu_ticks(cpu_of) if cpu_of else 0
    for duration in [WARMUP] + [seconds] * RUNS:
        out = subprocess.run(
            argv + [f"-d{duration}s", url], env=env, capture_output=True, text=True, timeout=duration + 30, check=True
        ).stdout
        stats = json.loads(out.strip().splitlines()[-1])
        if stats["status_errors"] or stats["socket_errors"] or not stats["requests"]:
            raise RuntimeError(f"wrk saw errors on {url}: {stats}")
        served += stats["requests"]
        runs.append(
            {
                "rps": stats["requests"] / (stats["duration_us"] / 1e6),
                **{k.replace("_us", "_ms"): v / 1000 for k, v in stats.items() if k.endswith("_us")},
            }
        )
    best = max(runs[1:], key=lambda run: run["rps"])
    if cpu_of:  # the server's own CPU per request over every run: what a neighbour's load disturbs least
        best["cpu_us"] = (cpu_ticks(cpu_of) - ticks) / os.sysconf("SC_CLK_TCK") * 1e6 / served
    return best


def cpu_ticks(pid: int) -> int:
    """User and system CPU time of a process so far, in clock ticks."""
    fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


# -- the bench: what every figure may use ---------------------------------------------------------


class Bench:
    def __init__(self, folder: Path):
        # Only the temp instance: MOCKLOOP_* from the caller's shell (a DATABASE_URL, say) must never
        # point the bench at real data. XDG_RUNTIME_DIR keeps gunicorn's control socket in here too.
        for key in [k for k in os.environ if k.startswith("MOCKLOOP_")]:
            del os.environ[key]
        os.environ["MOCKLOOP_INSTANCE_PATH"] = str(folder / "instance")
        self.folder = folder
        (folder / "run").mkdir(mode=0o700)
        self.procs = Processes(folder, {**os.environ, "XDG_RUNTIME_DIR": str(folder / "run")})
        self.app = create_app()  # the bench's own handle on the database, for seeding and reading
        self.port = 0  # where `mockloop serve` listens
        self.cookies: dict[str, str] = {}
        self.hello_url = ""  # the bare Flask baseline
        self.baselines: list[dict] = []  # its wrk results, one per throughput figure
        self.repeats = DEFAULT_REPEATS  # runs of each scheduler figure; the worst is reported
        self.extra: dict[str, float | int] = {}  # JSON values beside the figures' own
        self.cpu_ratios: dict[str, float] = {}  # each throughput figure's ratio by CPU per request

    # database -------------------------------------------------------------------------------------
    def setup_database(self) -> None:
        logging.disable(logging.INFO)  # Alembic's per-migration lines
        with self.app.app_context():
            flask_migrate.upgrade()
            create_user(EMAIL, "Bench", PASSWORD)
            db.session.commit()
            db.session.remove()
        self.round_id = self.create_rounds([clock.now() + timedelta(hours=1)])[0]

    def create_rounds(self, deadlines: list[datetime]) -> list[int]:
        """Running systems-design rounds ending at `deadlines`: each started its length before."""
        with self.app.app_context():
            user = db.session.execute(db.select(User).filter_by(email=EMAIL)).scalar_one()
            stage = content().loop.stage("systems-design")
            prompt = content().catalog.for_stage(stage.slug)[0]
            minutes = stage.duration.default
            ids = [
                rounds.create_round(user, stage, prompt, minutes, at - timedelta(minutes=minutes)).id
                for at in deadlines
            ]
            db.session.commit()
            db.session.remove()
        return ids

    def locked_rounds(self, count: int) -> list[int]:
        """Finished systems-design rounds of the bench user, ready to be scored."""
        with self.app.app_context():
            user = db.session.execute(db.select(User).filter_by(email=EMAIL)).scalar_one()
            made = finished_rounds(
                user, [content().loop.stage("systems-design")], content().catalog, count, clock.now(), random.Random(1)
            )
            db.session.commit()
            # The bulk insert left thousands of pages in SQLite's log: copy them back now, as the
            # scheduler's watch does when idle, or the figure's first commits pay for the seeding.
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            db.session.remove()
        return [rid for rid, *_ in made]

    def query(self, statement) -> list:
        """One read in a fresh session, so each call sees what other processes committed since."""
        with self.app.app_context():
            try:
                return db.session.execute(statement).all()
            finally:
                db.session.remove()

    def still_running(self, ids: list[int]) -> int:
        return self.query(db.select(func.count()).where(Round.id.in_(ids), Round.status == "running"))[0][0]

    # HTTP against `mockloop serve` ----------------------------------------------------------------
    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None) -> tuple[int, str]:
        """One request as the logged-in browser would send it (cookies kept, redirects not followed)."""
        resp, body = self.response(method, path, form, headers)
        return resp.status, body

    def response(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> tuple[http.client.HTTPResponse, str]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
        headers = {"Cookie": self.cookie(), **(headers or {})}
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=urlencode(form) if form is not None else None, headers=headers)
        resp = conn.getresponse()
        for line in resp.headers.get_all("Set-Cookie") or []:
            name, _, value = line.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value
        return resp, resp.read().decode()

    def etag(self, path: str) -> str:
        resp, body = self.response("GET", path)
        if resp.status != 200 or not resp.getheader("ETag"):
            raise RuntimeError(f"{path} answered {resp.status} without an ETag: {body[:200]}")
        return resp.getheader("ETag")

    def csrf_token(self, path: str = "/") -> str:
        return CSRF_RE.search(self.request("GET", path)[1]).group(1)

    def login(self) -> None:
        status, _ = self.request(
            "POST",
            "/account/login",
            {"csrf_token": self.csrf_token("/account/login"), "email": EMAIL, "password": PASSWORD},
        )
        if status != 302:
            raise RuntimeError(f"logging in answered {status}, not a redirect")

    def throughput(self, key: str, label: str, path: str, target: float, **wrk_args) -> Figure:
        """Logged-in req/s of `path` as a fraction of the baseline's, measured just before it so that
        a slow drift of the machine's speed cancels out of the ratio."""
        base = self.baseline()
        headers = {"Cookie": self.cookie(), **wrk_args.pop("headers", {})}
        stats = wrk(self.url(path), headers=headers, cpu_of=self.worker_pid(), **wrk_args)
        return self.ratio(key, label, stats, base, f">= {target:.0%} of baseline", target)

    def baseline(self) -> dict:
        """The hello app measured now, with its worker's CPU per request."""
        base = wrk(self.hello_url, cpu_of=self.worker_pid("hello"))
        self.baselines.append(base)
        return base

    def ratio(self, key: str | None, label: str, stats: dict, base: dict, target: str, at_least: float | None):
        """A figure of req/s as a share of the baseline's, with the same share by CPU per request
        beside it (busy machines distort it least: rerun quiet for the real figure)."""
        ratio, by_cpu = stats["rps"] / base["rps"], base["cpu_us"] / stats["cpu_us"]
        if key:
            self.cpu_ratios[key] = round(by_cpu, 3)
        return Figure(
            key,
            label,
            round(ratio, 3),
            f"{stats['rps']:,.0f} req/s = {ratio:.0%} (p50 {stats['p50_ms']:.1f} ms, p99 {stats['p99_ms']:.1f} ms); "
            f"by CPU {stats['cpu_us']:,.0f} us = {by_cpu:.0%}",
            target,
            None if at_least is None else ratio >= at_least,
        )

    def worker_pid(self, name: str = "serve") -> int:
        """The gunicorn worker of the process started as `name`: its child that is not the scheduler."""
        master = self.procs.running[name].pid
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue  # exited meanwhile
            if ppid == master and b"scheduler" not in cmdline:
                return int(entry.name)
        raise RuntimeError(f"no gunicorn worker under the {name} process")


# -- figures against `mockloop serve`, in this order ----------------------------------------------


def timer_state_304(b: Bench) -> Figure:
    # The poll as the round page sends it, with the ETag of the state it has: most of the traffic of
    # a running round, answered 304 until something changes.
    path = f"/api/rounds/{b.round_id}/state"
    etag = b.etag(path)
    status, _ = b.request("GET", path, headers={"If-None-Match": etag})
    if status != 304:
        raise RuntimeError(f"{path} with If-None-Match answered {status}, not 304")
    poll = b.throughput(
        "timer_state_304_ratio",
        "timer-state poll as sent (If-None-Match: 304)",
        path,
        0.60,
        headers={"If-None-Match": etag},
    )
    return [poll, poll_floor(b)]


def poll_floor(b: Bench) -> Figure:
    """bench/floor.py's GET: the session cookie read and one SELECT 1 through the app's engine,
    answered 304: the least any logged-in poll that asks the database can cost on this stack."""
    return floor_figure(b, "poll_floor_ratio", "  floor: logged-in GET, one SELECT 1, 304", "/bench/floor-poll", 304)


def floor_figure(
    b: Bench,
    key: str,
    label: str,
    path: str,
    status: int,
    env: dict | None = None,
    post: dict | None = None,
    paths: Path | None = None,
) -> Figure:
    """`path` of bench/floor.py with the bench's cookie (a GET, or `post`'s method, body and headers),
    checked once to answer `status` (a lost login would be a cheap redirect), then measured like the
    figure it is the floor of (over `paths` in turn, if given)."""
    post = post or {"method": "GET", "body": None, "headers": {}}
    headers = {"Cookie": b.cookie(), **post["headers"]}
    with floor_server(b, env) as port:
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        conn.request(post["method"], path, body=post["body"], headers=headers)
        if (answered := conn.getresponse().status) != status:
            raise RuntimeError(f"the floor {path} answered {answered}, not {status}")
        base = b.baseline()
        stats = wrk(
            f"http://{HOST}:{port}{path}", cpu_of=b.worker_pid("floor"), paths=paths, **{**post, "headers": headers}
        )
    return b.ratio(key, label, stats, base, "", None)


@contextmanager
def floor_server(b: Bench, env: dict | None = None):
    """bench/floor.py (the real app plus do-nothing routes) under the same gunicorn settings."""
    port = free_port()
    with b.procs.run(
        "floor",
        [sys.executable, str(BENCH / "floor.py"), HOST, str(port), str(WORKERS), str(THREADS)],
        ready=lambda: answers(port, "/healthz"),
        env=env,
    ):
        yield port


def timer_state(b: Bench) -> list[Figure]:
    # No If-None-Match: a full 200 with the state each time.
    path = f"/api/rounds/{b.round_id}/state"
    status, body = b.request("GET", path)
    if status != 200 or json.loads(body)["status"] != "running":
        raise RuntimeError(f"{path} answered {status}: {body[:200]}")
    poll = b.throughput("timer_state_ratio", "timer-state poll, full 200", path, 0.40)
    # Its floor answers the same state (same shape and size) from a do-nothing route.
    (state := b.folder / "state.json").write_text(body)
    floor = floor_figure(
        b,
        "state_floor_ratio",
        "  floor: logged-in GET, one SELECT 1, the same JSON, 200",
        "/bench/floor-state",
        200,
        {"MOCKLOOP_BENCH_STATE": str(state)},
    )
    return [poll, floor]


def round_page(b: Bench) -> list[Figure]:
    path = f"/rounds/{b.round_id}"
    status, body = b.request("GET", path)
    if status != 200 or 'class="brief"' not in body:
        raise RuntimeError(f"{path} answered {status} without the prompt's brief")
    page = b.throughput("round_page_ratio", "round page, prompt rendered", path, 0.25)
    floor = floor_figure(
        b, "page_floor_ratio", "  floor: logged-in page, the app's layout around nothing", "/bench/floor-page", 200
    )
    # The same layout after the page's own read of the round: what is left of the target for
    # rendering the round is the gap between this and the target.
    read = floor_figure(
        b,
        "round_read_floor_ratio",
        "  floor: the same layout after the round page's read of the round",
        f"/bench/floor-round/{b.round_id}",
        200,
    )
    return [page, floor, read]


RUBRIC_ROUNDS = 15_000  # more than wrk can post in the warm-up and both runs: each is scored once


def rubric_submit(b: Bench) -> list[Figure]:
    # A finished round scored through the real form: CSRF check, the forged-field check, the
    # completeness rules (rubric.problems), and the commit of the scorecard with its scores. wrk posts
    # to a fresh round each time.
    ids = b.locked_rounds(RUBRIC_ROUNDS)
    page = f"/rounds/{ids[0]}/score"
    status, html = b.request("GET", page)
    if status != 200:
        raise RuntimeError(f"{page} answered {status}")
    with b.app.app_context():
        stage = content().loop.stage("systems-design")
    form = {
        "csrf_token": CSRF_RE.search(html).group(1),
        "revision": "0",
        "overall": "yes",
        "keep": "Clear structure.",
        "stop": "Rushing the API.",
        "start": "Quantify the load.",
    }
    for level, d in enumerate(stage.rubric):
        form[f"level_{d.key}"] = str(level % 4 + 1)
        form[f"evidence_{d.key}"] = "Named the bottleneck and measured it."
    status, _ = b.request("POST", page, form)
    if status != 302:
        raise RuntimeError(f"submitting the rubric answered {status}, not a redirect to the scorecard")
    paths = b.folder / "rubric-paths.txt"
    paths.write_text("".join(f"/rounds/{rid}/score\n" for rid in ids[1:]))
    post = {"method": "POST", "body": urlencode(form), "headers": {"Content-Type": "application/x-www-form-urlencoded"}}
    submit = b.throughput(
        "rubric_submit_ratio", "rubric submit (CSRF, validation, commit)", page, 0, paths=paths, **post
    )
    floor = post_floor(b, post)
    # The target is a share of the floor: what a logged-in form post costs here before any work.
    of_floor = share_of_floor(b, submit, floor, "rubric_submit_of_floor")
    submit.target, submit.ok = ">= 50% of the post floor", of_floor >= 0.5
    return [submit, floor, *store_floors(b, post, floor)]


def share_of_floor(b: Bench, figure: Figure, floor: Figure, key: str) -> float:
    """`figure` as a share of `floor` (by req/s, and by CPU beside it), kept under `key` and shown."""
    of_floor = figure.value / floor.value
    b.extra[key] = round(of_floor, 3)
    b.cpu_ratios[key] = round(b.cpu_ratios[figure.key] / b.cpu_ratios[floor.key], 3)
    figure.shown += f"; {of_floor:.0%} of the post floor ({b.cpu_ratios[key]:.0%} by CPU)"
    return of_floor


def store_floors(b: Bench, post: dict, floor: Figure) -> list[Figure]:
    """The same post to bench/floor.py's routes that store fixed answers, each over fresh rounds
    scored once, as shares of the post floor: through the scoring service (the most the submit could
    reach with a web form that cost nothing), and as the bare inserts and commit (what storing a
    scorecard costs whatever comes before it)."""
    figures = []
    for route, label in (
        ("floor-score", "  floor: same post, the scoring service's reads and writes, no form"),
        ("floor-write", "  floor: same post, only the inserts of the card and its scores, and the commit"),
    ):
        ids = b.locked_rounds(RUBRIC_ROUNDS)
        paths = b.folder / f"{route}-paths.txt"
        paths.write_text("".join(f"/bench/{route}/{rid}\n" for rid in ids[1:]))
        key = route.replace("floor-", "submit_") + "_floor"
        figure = floor_figure(b, f"{key}_ratio", label, f"/bench/{route}/{ids[0]}", 200, post=post, paths=paths)
        share_of_floor(b, figure, floor, f"{key}_of_floor")
        figures.append(figure)
    return figures


def post_floor(b: Bench, post: dict) -> Figure:
    """The same body posted to bench/floor.py's do-nothing route: what is spent before any work."""
    return floor_figure(b, "post_floor_ratio", "  floor: same post, logged in, no work", "/bench/floor", 200, post=post)


HISTORY_SCORECARDS = 100_000


def history_pages(b: Bench) -> list[Figure]:
    # Latency, not throughput: one connection, so p95 is a page's own time, not time in a queue.
    with b.app.app_context():
        user = db.session.execute(db.select(User).filter_by(email=EMAIL)).scalar_one()
        seed_history(user, content().loop, content().catalog, HISTORY_SCORECARDS, clock.now())
        db.session.commit()
        db.session.remove()
    pages = (
        ("history", "history page, 100k scorecards, p95", "/history"),
        (
            "history_filtered",
            "filtered history, 100k scorecards, p95",
            "/history?stage=systems-design&overall=yes&tag=rate-limiting",
        ),
        # Coding rounds' cards carry seeded level figures: "at least 3" is one walk per value and source.
        ("history_levels", "history by levels cleared, 100k scorecards, p95", "/history?cleared=3&overall=yes"),
        ("progress", "progress page, 100k scorecards, p95", "/progress"),
    )
    for _, _, path in pages:
        status, html = b.request("GET", path)
        if (
            status != 200
            or ("<svg" not in html and "history" not in path)
            or ("<table" not in html and "history" in path)
        ):
            raise RuntimeError(f"{path} answered {status} without its content")
    figures = []
    for neighbour in (False, True):
        # The second time, another process keeps one of the two cores busy throughout.
        with b.procs.run("neighbour", [sys.executable, "-c", "while True: pass"]) if neighbour else nullcontext():
            for key, label, path in pages:
                stats = wrk(b.url(path), headers={"Cookie": b.cookie()}, connections=1)
                figures.append(
                    Figure(
                        f"{key}{'_busy' if neighbour else ''}_p95_ms",
                        f"{label}{', a core busy beside it' if neighbour else ''}",
                        round(stats["p95_ms"], 1),
                        f"p50 {stats['p50_ms']:.1f} ms, p95 {stats['p95_ms']:.1f} ms",
                        "<= 30 ms",
                        stats["p95_ms"] <= 30,
                    )
                )
    return figures


def static_assets(b: Bench) -> list[Figure]:
    """bench/static_assets.py: the largest immutable asset fetched cold (time, bytes on the wire per
    encoding), its caching headers, and a repeat visit of a coding round page in Chromium."""
    import static_assets as assets

    from mockloop.web.assets import dist_folder

    dist = dist_folder(b.app)
    file = assets.largest_immutable(dist)
    path = f"/static/dist/{file.relative_to(dist).as_posix()}"
    fetches = {enc: assets.fetch_cold(b.port, path, enc) for enc in ("br", "gzip", "")}
    problems = []
    for enc, got in fetches.items():
        if got.status != 200:
            problems.append(f"{enc or 'no encoding'}: HTTP {got.status}")
        if got.content_encoding != enc:
            problems.append(f"asked for {enc or 'no encoding'}, got {got.content_encoding or 'none'}")
        problems += assets.cache_problems(got)
    if fetches[""].body_bytes != file.stat().st_size:
        problems.append(f"uncompressed answer is {fetches[''].body_bytes:,} bytes, the file {file.stat().st_size:,}")

    with b.app.app_context():
        user = db.session.execute(db.select(User).filter_by(email=EMAIL)).scalar_one()
        stage = content().loop.stage("phone-screen")
        prompt = content().catalog.for_stage(stage.slug)[0]
        rid = rounds.create_round(user, stage, prompt, stage.duration.default, clock.now()).id
        db.session.commit()
        db.session.remove()
    with assets.CountingProxy(b.port) as proxy:
        first, again, again_dist = assets.browser_visits(proxy, f"/rounds/{rid}", b.cookies, path)
    if first != 1:
        problems.append(f"the first visit fetched it {first} times, not once")
    if again:
        problems.append(f"the repeat visit fetched it again ({again}x)")

    br, gz = fetches["br"], fetches["gzip"]
    size = file.stat().st_size
    b.extra["static_asset_cold_ms"] = round(br.seconds * 1000, 1)
    b.extra["static_asset_wire_kb"] = round(br.wire_bytes / 1000)
    rows = [
        Figure(
            "static_assets_ok",
            f"largest asset cold: {file.name} ({size / 1e6:.1f} MB)",
            not problems,
            f"br {br.wire_bytes / 1e6:.2f} MB on the wire in {br.seconds * 1000:.0f} ms; "
            f"gzip {gz.wire_bytes / 1e6:.2f} MB in {gz.seconds * 1000:.0f} ms",
            "compressed, immutable, no repeat request",
            not problems,
        ),
        Figure(
            None,
            "  caching and the repeat visit",
            None,
            f"{br.cache_control}; repeat visit: {again} requests for it, {again_dist} for /static/dist/",
            "",
            None,
        ),
    ]
    rows += [Figure(None, "  PROBLEM", None, problem, "", None) for problem in problems]
    return rows


def capacity_pairs(b: Bench) -> list[Figure]:
    """bench/capacity.py: the most peer pairs `mockloop serve` holds for 60 s, with the curve, and the
    same stepping against a bare Flask floor that does no work (what this client and stack allow)."""
    import capacity  # bench/ is sys.path[0]

    held, curve = capacity.measure(b.port, capacity.Seats(b.app), lambda line: log(f"capacity: {line}"))
    port = free_port()
    argv = [sys.executable, str(BENCH / "capacity.py"), "floor", HOST, str(port), str(WORKERS), str(THREADS)]
    with b.procs.run("capacity-floor", argv, ready=lambda: answers(port, "/api/rounds/1/state")):
        floor, floor_curve = capacity.measure(port, capacity.floor_seats, lambda line: log(f"capacity floor: {line}"))
    pairs, floor_pairs = (held.pairs if held else 0), (floor.pairs if floor else 0)
    latency = f" (p50 {held.p50:.1f} ms, p99 {held.p99:.1f} ms)" if held else ": not even the first step"
    b.extra["capacity_floor_pairs"] = floor_pairs
    limit = f"{capacity.HOLD_SECONDS} s, 0 failed, p99 <= {capacity.P99_LIMIT_MS} ms"
    figures = [
        Figure(
            "capacity_pairs",
            f"peer pairs one serve holds ({limit})",
            pairs,
            f"{pairs:,} pairs{latency}",
            ">= 1,000 pairs",
            pairs >= 1000,
        )
    ]
    figures += [Figure(None, "  step", None, step.shown(), "", None) for step in curve]
    figures.append(Figure(None, "  floor: same load, bare Flask", None, f"{floor_pairs:,} pairs held", "", None))
    figures += [Figure(None, "    step", None, step.shown(), "", None) for step in floor_curve]
    return figures


def worker_rss(b: Bench) -> Figure:
    # Last on purpose: the worker's resident memory after all the load above.
    status = (Path("/proc") / str(b.worker_pid()) / "status").read_text()
    mb = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024
    return Figure(
        "rss_mb", "serve worker resident memory (VmRSS)", round(mb, 1), f"{mb:.0f} MB", "<= 120 MB", mb <= 120
    )


SERVE_FIGURES = [
    timer_state_304,
    timer_state,
    round_page,
    history_pages,  # before the rubric's rounds, whose systems-design cards would join its 100k and its filter
    rubric_submit,
    static_assets,
    capacity_pairs,
    worker_rss,
]


# -- figures of `mockloop scheduler` alone (serve is stopped, so nothing else locks rounds) -------

SCHEDULER = [str(BIN / "mockloop"), "scheduler"]


def lateness_once(b: Bench) -> dict:
    """1,000 rounds with deadlines spread over 6 s; lateness = an expire's recorded_at - its deadline.
    A round still running 15 s after its deadline counts as stalled, with the time it had waited so
    far as its (lower bound of) lateness."""
    with b.procs.run("scheduler", SCHEDULER, ready=lambda: "is running" in b.procs.log_of("scheduler")):
        # The first deadline must come after the last round is created. Time 100 rounds (an hour
        # long, out of the way) to choose that lead: ~1 s on a quiet machine, far more on a busy one.
        started = time.monotonic()
        b.create_rounds([clock.now() + timedelta(hours=1)] * 100)
        lead = 1 + 2 * (time.monotonic() - started) * ROUNDS / 100
        first = clock.now() + timedelta(seconds=lead)
        deadlines = [first + i * timedelta(seconds=6) / ROUNDS for i in range(ROUNDS)]
        ids = b.create_rounds(deadlines)
        if clock.now() >= first:
            raise RuntimeError(f"creating the rounds outlasted the {lead:.1f} s lead: is the machine busy?")
        give_up = time.monotonic() + lead + 6 + 15
        while b.still_running(ids) and time.monotonic() <= give_up:
            time.sleep(0.2)
        waited = clock.now()
        stuck = [rid for (rid,) in b.query(db.select(Round.id).where(Round.id.in_(ids), Round.status == "running"))]
    rows = b.query(
        db.select(RoundEvent.recorded_at, RoundEvent.at).where(
            RoundEvent.kind == "expire", RoundEvent.round_id.in_(ids)
        )
    )
    deadline_of = dict(zip(ids, deadlines))
    late = sorted(
        [(recorded - at).total_seconds() * 1000 for recorded, at in rows]
        + [(waited - deadline_of[rid]).total_seconds() * 1000 for rid in stuck]
    )
    return {"p50": percentile(late, 50), "p99": percentile(late, 99), "max": late[-1], "stalled": len(stuck)}


def deadline_lateness(b: Bench) -> list[Figure]:
    """lateness_once, b.repeats times: the worst p99 and max, and whether any run stalled."""
    runs = []
    for n in range(1, b.repeats + 1):
        run = lateness_once(b)
        runs.append(run)
        log(f"deadline_lateness {n}/{b.repeats}: {lateness_shown(run)}")
    p99, worst_max = max(r["p99"] for r in runs), max(r["max"] for r in runs)
    stalls = sum(1 for r in runs if r["stalled"])
    b.extra["lateness_max_ms"] = round(worst_max, 1)
    b.extra["lateness_stalls"] = stalls
    worst = Figure(
        "lateness_p99_ms",
        f"deadline lateness, {ROUNDS:,} running rounds, worst of {len(runs)}",
        round(p99, 1),
        f"p99 {p99:.1f} ms, max {worst_max:.1f} ms; stalled in {stalls} of {len(runs)}",
        "p99 <= 50 ms, no stall",
        p99 <= 50 and not stalls,
    )
    return [worst] + [Figure(None, f"  run {n}", None, lateness_shown(r), "", None) for n, r in enumerate(runs, 1)]


def lateness_shown(run: dict) -> str:
    shown = f"p50 {run['p50']:.1f} ms, p99 {run['p99']:.1f} ms, max {run['max']:.1f} ms"
    if run["stalled"]:
        shown += f"; STALLED: {run['stalled']} round(s) still running 15 s after their deadlines"
    return shown


RESTART_GIVE_UP = 30  # seconds after the scheduler's start: beyond that, a restart run counts as stalled


def restart_once(b: Bench) -> tuple[float, int]:
    """1,000 rounds ran out while no scheduler ran: (seconds from its process start until all are
    locked, or until the bench gave up; how many were still running then)."""
    now = clock.now()
    ids = b.create_rounds([now - timedelta(seconds=10) + i * timedelta(seconds=9) / ROUNDS for i in range(ROUNDS)])
    started = time.monotonic()
    with b.procs.run("scheduler", SCHEDULER):
        while (left := b.still_running(ids)) and time.monotonic() - started <= RESTART_GIVE_UP:
            time.sleep(0.01)
        return time.monotonic() - started, left


def restart_lock(b: Bench) -> list[Figure]:
    runs = []
    for n in range(1, b.repeats + 1):
        runs.append(restart_once(b))
        log(f"restart_lock {n}/{b.repeats}: {restart_shown(*runs[-1])}")
    took = max(t for t, _ in runs)
    stalls = sum(1 for _, left in runs if left)
    b.extra["restart_lock_stalls"] = stalls
    worst = Figure(
        "restart_lock_s",
        f"{ROUNDS:,} overdue rounds locked after a restart, worst of {len(runs)}",
        round(took, 3),
        f"{took:.2f} s from process start; stalled in {stalls} of {len(runs)}",
        "<= 1 s, no stall",
        took <= 1 and not stalls,
    )
    return [worst] + [Figure(None, f"  run {n}", None, restart_shown(*r), "", None) for n, r in enumerate(runs, 1)]


def restart_shown(took: float, left: int) -> str:
    if left:
        return f"STALLED: {left} round(s) still running {took:.0f} s after the scheduler started"
    return f"{took:.2f} s from process start"


SCHEDULER_FIGURES = [deadline_lateness, restart_lock]


# -- figures in the browser (Chromium through Playwright; neither the server nor wrk) ---------------


def _browser_figures(name: str) -> list[Figure]:
    """The rows of bench/<name>.py, which has measure(), rows() and json_values()."""
    # bench/ is sys.path[0]; Playwright is imported only when a browser figure runs
    bench = importlib.import_module(name)
    figures = bench.measure()
    values = bench.json_values(figures)
    return [Figure(key, label, values.get(key), shown, "", None) for label, shown, key in bench.rows(figures)]


def code_runner(b: Bench) -> list[Figure]:
    """bench/code_runner.py: Pyodide's cold start, warm runs, a run of 20 tests."""
    return _browser_figures("code_runner")


def board(b: Bench) -> list[Figure]:
    """bench/board.py: the whiteboard's bundle and time to interactive, the round page without it."""
    return _browser_figures("board")


def replay(b: Bench) -> list[Figure]:
    """bench/replay.py: the work history's and the audio's storage per hour, the replay of a 4-hour take-home."""
    return _browser_figures("replay")


BROWSER_FIGURES = [code_runner, board, replay]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return values[max(0, math.ceil(len(values) * p / 100) - 1)]


# -- the run --------------------------------------------------------------------------------------


def measure(b: Bench, only: set[str]) -> list[Figure]:
    """Every figure, or those named in `only` (`python bench/run.py rubric_submit`)."""
    figures: list[Figure] = []

    def run(fig) -> None:
        log(f"measuring {fig.__name__}")
        try:
            result = fig(b)
        except Exception as exc:  # one broken figure must not hide the others
            traceback.print_exc()
            result = Figure(None, fig.__name__.replace("_", " "), None, f"FAILED: {exc}"[:100], "", False)
        figures.extend(result if isinstance(result, list) else [result])

    serve_figures = [fig for fig in SERVE_FIGURES if not only or fig.__name__ in only]
    if serve_figures:  # scheduler figures alone need neither the server nor its baseline
        measure_serve(b, serve_figures, run)
        figures.insert(0, baseline_figure(b.baselines))

    for fig in SCHEDULER_FIGURES + BROWSER_FIGURES:
        if not only or fig.__name__ in only:
            run(fig)
    return figures


def measure_serve(b: Bench, serve_figures: list, run) -> None:
    # The hello app stays up (idle) beside the app: each throughput figure measures it just before.
    hello_port, b.port = free_port(), free_port()
    b.hello_url = f"http://{HOST}:{hello_port}/"
    with (
        b.procs.run(
            "hello",
            [sys.executable, str(BENCH / "hello.py"), HOST, str(hello_port), str(WORKERS), str(THREADS)],
            ready=lambda: answers(hello_port, "/"),
        ),
        b.procs.run(
            "serve",
            [
                str(BIN / "mockloop"),
                "serve",
                "--host",
                HOST,
                "--port",
                str(b.port),
                "--workers",
                str(WORKERS),
                "--threads",
                str(THREADS),
            ],
            ready=lambda: answers(b.port, "/healthz"),
        ),
    ):
        b.login()
        for fig in serve_figures:
            run(fig)
        if not b.baselines:  # every throughput figure failed; the JSON still gets its baseline
            b.baselines.append(wrk(b.hello_url))


def baseline_figure(runs: list[dict]) -> Figure:
    first, rps = runs[0], [run["rps"] for run in runs]
    spread = max(rps) / min(rps) - 1
    shown = f"{first['rps']:,.0f} req/s (p50 {first['p50_ms']:.1f} ms, p99 {first['p99_ms']:.1f} ms)"
    if "cpu_us" in first:
        shown += f"; {first['cpu_us']:,.0f} us of CPU a request"
    if spread >= 0.1:  # the machine's speed changed during the run: a neighbour took CPU
        shown += f"; varied {spread:.0%} during the run, rerun on a quiet machine"
    return Figure("baseline_rps", "bare Flask hello (baseline)", round(first["rps"]), shown, "", None)


def cpu_seconds() -> tuple[float, float]:
    """(CPU seconds used by every process on the machine, by the bench and all it has reaped)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    machine = (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # all but idle, iowait
    return machine, sum(os.times()[:4])


def others_share(since: tuple[float, float], wall: float) -> float:
    """The share of the machine other processes used since `since`: a neighbour's load slows every
    figure here, and only this tells it apart from a slow app."""
    machine, ours = cpu_seconds()
    return max(0.0, (machine - since[0]) - (ours - since[1])) / (wall * (os.cpu_count() or 1))


def code_version() -> str:
    out = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=BENCH.parent, capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


JSON_KEYS = [
    "timer_state_304_ratio",
    "poll_floor_ratio",
    "timer_state_ratio",
    "state_floor_ratio",
    "round_page_ratio",
    "page_floor_ratio",
    "round_read_floor_ratio",
    "rubric_submit_ratio",
    "post_floor_ratio",
    "rubric_submit_of_floor",
    "submit_score_floor_ratio",
    "submit_score_floor_of_floor",
    "submit_write_floor_ratio",
    "submit_write_floor_of_floor",
    "history_p95_ms",
    "history_filtered_p95_ms",
    "history_levels_p95_ms",
    "progress_p95_ms",
    "history_busy_p95_ms",
    "history_filtered_busy_p95_ms",
    "history_levels_busy_p95_ms",
    "progress_busy_p95_ms",
    "lateness_p99_ms",
    "restart_lock_s",
    "static_assets_ok",
    "static_asset_cold_ms",
    "static_asset_wire_kb",
    "capacity_pairs",
    "capacity_floor_pairs",
    "rss_mb",
    "pyodide_cold_ms",
    "python_warm_ms",
    "python_tests_20_ms",
    "python_after_timeout_ms",
    "js_run_ms",
    "board_kb_min",
    "board_interactive_cold_ms",
    "board_interactive_warm_ms",
    "round_plain_cold_load_ms",
    "round_plain_warm_load_ms",
    "round_plain_board_requests",
    "replay_history_kb_per_hour",
    "replay_audio_mb_per_hour",
    "replay_ready_ms",
    "replay_html_kb",
    "replay_scrub_ms",
    "baseline_rps",
    "lateness_max_ms",
    "lateness_stalls",
    "restart_lock_stalls",
    "scheduler_repeats",
    "cpu_ratios",
]


def report(figures: list[Figure], others: float, extra: dict) -> None:
    rows = [("figure", "measured", "target", "")] + [
        (f.label, f.shown, f.target, {True: "ok", False: "MISSED", None: ""}[f.ok]) for f in figures
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    busy = " (too busy: rerun)" if others > 0.1 else ""
    print(
        f"\nmockloop bench {datetime.now():%Y-%m-%d %H:%M}, code {code_version()}, {os.cpu_count()} cores; "
        f"gunicorn {WORKERS} worker x {THREADS} threads; wrk -t1 -c{CONNECTIONS}, best of {RUNS} x "
        f"{SECONDS} s; other processes used {others:.0%} of the CPU meanwhile{busy}"
    )
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    values = {**extra, **{f.key: f.value for f in figures if f.key}}
    print(json.dumps({key: values.get(key) for key in JSON_KEYS}))


def main(only: set[str], repeats: int = DEFAULT_REPEATS) -> int:
    unknown = only - {fig.__name__ for fig in SERVE_FIGURES + SCHEDULER_FIGURES + BROWSER_FIGURES}
    if unknown:
        sys.exit(f"bench: no figure named {', '.join(sorted(unknown))}")
    if shutil.which("wrk") is None and (not only or only - {f.__name__ for f in SCHEDULER_FIGURES + BROWSER_FIGURES}):
        sys.exit("bench: wrk is missing (`make bench` installs it: apt-get install wrk)")
    # SIGTERM and SIGHUP unwind like Ctrl-C does, through every `with` and the finally below.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, _: sys.exit(128 + signum))
    start, started = cpu_seconds(), time.monotonic()
    time.sleep(1)
    if (busy := others_share(start, time.monotonic() - started)) > 0.2:
        log(f"other processes use {busy:.0%} of the CPU: expect low, noisy figures")
    folder = Path(tempfile.mkdtemp(prefix="mockloop-bench-"))
    try:
        bench = Bench(folder)
        bench.setup_database()
        bench.repeats = repeats
        if not only or only & {fig.__name__ for fig in SCHEDULER_FIGURES}:
            bench.extra["scheduler_repeats"] = repeats
        start, started = cpu_seconds(), time.monotonic()
        figures = measure(bench, only)
        report(
            figures, others_share(start, time.monotonic() - started), {**bench.extra, "cpu_ratios": bench.cpu_ratios}
        )
        return 1 if any(f.shown.startswith("FAILED") for f in figures) else 0
    finally:
        if os.environ.get("BENCH_KEEP"):  # to read the servers' logs after a failed request
            log(f"kept {folder} (the servers' logs and the database)")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def parse_args(argv: list[str]) -> tuple[set[str], int]:
    """Figure names, and --repeats=N (else BENCH_REPEATS, else DEFAULT_REPEATS)."""
    repeats = os.environ.get("BENCH_REPEATS", str(DEFAULT_REPEATS))
    names = set()
    for arg in argv:
        if arg.startswith("--repeats="):
            repeats = arg.split("=", 1)[1]
        else:
            names.add(arg)
    if not repeats.isdigit() or int(repeats) < 1:
        sys.exit(f"bench: the number of repeats must be a whole number >= 1, not {repeats!r}")
    return names, int(repeats)


if __name__ == "__main__":
    try:
        sys.exit(main(*parse_args(sys.argv[1:])))
    except KeyboardInterrupt:
        sys.exit("bench: interrupted; everything it started has been stopped")
