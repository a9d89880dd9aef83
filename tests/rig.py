"""The serve rig: `mockloop serve` as real processes on a free port, on a test app's database, and
the crash rig (autosaving clients while the server is killed with SIGKILL and restarted) that
tests/test_crash.py runs 20 times and `make soak` (soak/soak.py) 100 times.

Standard library only on the client side; the server's processes are found through /proc (Linux).
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func

from mockloop import clock
from mockloop.content import content
from mockloop.db import db
from mockloop.db.models import Round, RoundWork
from mockloop.services import rounds
from mockloop.services.users import create_user, find_user
from tests.helpers import CSRF_RE, REPO

EMAIL, PASSWORD = "ada@example.com", "correct horse battery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def group_processes(pgid: int) -> dict[int, str]:
    """pid -> command line of every live process in the process group (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] != "Z" and int(fields[2]) == pgid:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue  # exited while we looked
    return found


def healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as res:
            return res.status == 200
    except OSError:
        return False


def serve_env(app, folder: Path | None = None) -> dict[str, str]:
    """The environment for `mockloop serve` on `app`'s database, instance folder, loop and secret key;
    none of the caller's MOCKLOOP_* settings reach it (a MOCKLOOP_DATABASE_URL must not point it at
    real data)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKLOOP_")}
    env.update(
        MOCKLOOP_INSTANCE_PATH=app.instance_path,
        MOCKLOOP_PROMPTS_DIR=str(app.config["PROMPTS_DIR"]),
        MOCKLOOP_SECRET_KEY=app.config["SECRET_KEY"],
    )
    if folder is not None:
        env["XDG_RUNTIME_DIR"] = str(folder)  # gunicorn's control socket stays in here, not in ~/.gunicorn
    if app.config.get("DATABASE_URL"):  # PostgreSQL; on SQLite the instance folder holds the database
        env["MOCKLOOP_DATABASE_URL"] = app.config["DATABASE_URL"]
    return env


WORKERS = 2
CLIENTS = 3
ORPHAN_EVERY = 5  # every 5th kill hits only the serve process: its children must exit by themselves
UP_SECONDS = 0.6  # clients autosave this long between a restart and the next kill
SAVE_PAUSE = 0.02  # between one client's saves: far more often than a browser, to have saves in flight
AUTOSAVE_STAGE, AUTOSAVE_MINUTES = "talk", 5  # the test loop's longest round; rotated before it runs out
EXPIRING_STAGE, EXPIRING_MINUTES = "quick", 1
ROTATE_BEFORE = timedelta(seconds=90)  # a client moves to a fresh round this long before its round ends
FILLER = "\n".join(f"- point {i}: the trade-off, the failure mode, the number" for i in range(12))


def log_in_with_token(base: str) -> tuple[str, str]:
    """Log in through the form like a browser, then read the CSRF token from a page's meta tag.

    Returns the Cookie header (as it stands after that page, which may have updated the session) and
    the token for X-CSRFToken."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/account/login", timeout=10).read().decode()
    body = urllib.parse.urlencode(
        {"csrf_token": CSRF_RE.search(page).group(1), "email": EMAIL, "password": PASSWORD}
    ).encode()
    opener.open(base + "/account/login", data=body, timeout=10)
    token = CSRF_RE.search(opener.open(base + "/", timeout=10).read().decode()).group(1)
    return "; ".join(f"{c.name}={c.value}" for c in jar), token


def processes_with(fragment: str) -> dict[int, str]:
    """pid -> command line of every live process whose command line contains `fragment`."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if fragment in cmd and state != "Z":
                found[int(entry.name)] = cmd
    return found


class Server:
    """`mockloop serve` as real processes; each start runs in a process group (session) of its own."""

    def __init__(self, folder: Path, env: dict, port: int, workers: int):
        self.folder, self.env, self.port, self.workers = folder, env, port, workers
        self.base = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        self.pgids: list[int] = []

    @property
    def log(self) -> Path:
        return self.folder / f"serve-{len(self.pgids)}.log"

    def start(self, timeout: float = 30) -> float:
        """Start and wait until a web worker answers and the scheduler has reconciled; return seconds."""
        began = time.monotonic()
        self.pgids.append(0)  # a fresh log file per start
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "mockloop",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pgids[-1] = self.proc.pid
        while not ("mockloop scheduler is running" in self.log.read_text() and healthy(self.base)):
            if self.proc.poll() is not None:
                raise AssertionError(f"mockloop serve exited with {self.proc.returncode}:\n{self.log.read_text()}")
            if time.monotonic() - began > timeout:
                raise AssertionError(f"mockloop serve did not get ready in {timeout} s:\n{self.log.read_text()}")
            time.sleep(0.02)
        return time.monotonic() - began

    def kill(self) -> None:
        """SIGKILL to every process of the server at once: no handler, no shutdown, no flush."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        left = self.wait_gone(5)
        assert not left, f"still running 5 s after SIGKILL to the group: {left}"

    def kill_parent(self, timeout: float = 10) -> tuple[dict[int, str], float]:
        """SIGKILL to the serve process alone; return what of its group still runs after `timeout`
        (nothing, once its web workers and scheduler have noticed and exited) and how long they took."""
        began = time.monotonic()
        self.proc.kill()
        self.proc.wait()
        return self.wait_gone(timeout), time.monotonic() - began

    def wait_gone(self, timeout: float) -> dict[int, str]:
        end = time.monotonic() + timeout
        while (left := group_processes(self.proc.pid)) and time.monotonic() < end:
            time.sleep(0.05)
        return left

    def stop(self) -> dict[int, str]:
        """SIGTERM to serve, as an operator would; return what of its group is left after a grace time."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            return {self.proc.pid: "serve did not exit within 30 s of SIGTERM"}
        return self.wait_gone(15)

    def leftovers(self) -> dict[int, str]:
        """Anything still alive of every start: its process group, and any scheduler it started."""
        found = {}
        for pgid in self.pgids:
            found.update(group_processes(pgid))
            found.update(processes_with(f"--parent-pid {pgid} "))  # cmdline's NULs read as spaces
        return found

    def cleanup(self) -> None:
        """Whatever happened, nothing started here outlives the caller."""
        for pgid in self.pgids:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


class Autosaver(threading.Thread):
    """One browser tab autosaving its round's scratchpad, as round.js does: each PUT carries the
    revision its text was written on; a 409 "stale" hands back the newer revision."""

    def __init__(self, rig: CrashRig, index: int, round_id: int):
        super().__init__(name=f"autosaver-{index}", daemon=True)
        self.rig, self.index, self.round_id = rig, index, round_id
        self.next_round_id: int | None = None  # a fresh round to move to after the next acknowledged save
        self.revision = 0
        self.saves = 0
        self.acknowledged_last = False
        self.conn: http.client.HTTPConnection | None = None

    def run(self) -> None:
        try:
            self.loop()
        except BaseException as exc:  # noqa: BLE001 - reported by the rig
            self.rig.problems.append(f"{self.name} crashed: {exc!r}")
        finally:
            if self.conn is not None:
                self.conn.close()

    def loop(self) -> None:
        rig = self.rig
        while time.monotonic() < rig.give_up:
            if self.acknowledged_last:  # only between acknowledged saves: a round is left on a known state
                if rig.stopping.is_set():
                    return
                if self.next_round_id is not None:
                    self.round_id, self.revision, self.next_round_id = self.next_round_id, 0, None
            self.saves += 1
            text = f"{self.name} round {self.round_id} save {self.saves}\n{FILLER}"
            rig.attempted(self.round_id, self.revision, text)
            status, body = self.put(text)
            self.acknowledged_last = False
            if status is None:  # no answer: server down, or killed mid-request (the save may have committed)
                rig.figures.unanswered += 1
                time.sleep(0.05)
                continue
            if status == 200 and isinstance(body.get("revision"), int):
                self.revision = body["revision"]
                rig.acknowledged(self.round_id, self.revision, text)
                self.acknowledged_last = True
            elif status == 409 and body.get("reason") == "stale":
                # An unanswered save committed before a kill; carry on from its revision (as a reload would).
                rig.stale(self.round_id, body["revision"])
                self.revision = body["revision"]
            else:
                rig.problems.append(f"round {self.round_id}: HTTP {status} {str(body)[:300]}")
            time.sleep(SAVE_PAUSE)
        if not rig.stopping.is_set() or not self.acknowledged_last:
            rig.problems.append(f"{self.name} gave up without a final acknowledged save")

    def put(self, text: str) -> tuple[int | None, dict]:
        try:
            if self.conn is None:  # keep-alive, like a browser; a new one after each failure
                self.conn = http.client.HTTPConnection("127.0.0.1", self.rig.server.port, timeout=10)
            self.conn.request(
                "PUT",
                f"/api/rounds/{self.round_id}/scratchpad",
                body=json.dumps({"text": text, "revision": self.revision}),
                headers={"Cookie": self.rig.cookie, "X-CSRFToken": self.rig.token, "Content-Type": "application/json"},
            )
            res = self.conn.getresponse()
            raw = res.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            return None, {}
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"raw": raw[:300]}
        return res.status, body if isinstance(body, dict) else {"raw": body}


@dataclass
class Figures:
    cycles: int = 0
    orphan_checks: int = 0  # kills of the serve process alone, after which its children exited by themselves
    orphan_exit_seconds: list[float] = field(default_factory=list)  # how long those children took
    acknowledged: int = 0  # saves answered 200 with a revision
    unanswered: int = 0  # saves that got no answer (refused while down, or cut off by a kill)
    committed_unanswered: int = 0  # of those, found committed after a kill (the client had no answer)
    lost: int = 0  # acknowledged saves not in the database: must be 0
    locked_after_restart: int = 0  # rounds that ran out while the server was down, locked by the reconcile
    lock_seconds: list[float] = field(default_factory=list)  # restart (process start) -> such a round locked
    restart_seconds: list[float] = field(default_factory=list)  # process start -> serving and reconciled
    locked_while_up: int = 0  # rounds that ran out while the server was up
    lateness_ms: list[float] = field(default_factory=list)  # their expire event's recorded_at - deadline


class CrashRig:
    """Autosaving clients against `mockloop serve`, which is killed and restarted `cycles` times.

    `app` is an app on the server's database and instance folder (already migrated), with the test
    loop as its PROMPTS_DIR and a fixed SECRET_KEY; the rig starts the server with the same settings.
    Every check raises AssertionError; the figures are returned by run()."""

    def __init__(
        self,
        app,
        folder: Path,
        *,
        workers: int = WORKERS,
        clients: int = CLIENTS,
        up_seconds: float = UP_SECONDS,
        orphan_every: int = ORPHAN_EVERY,
        say=lambda message: None,
    ):
        self.app, self.clients, self.up_seconds, self.orphan_every, self.say = (
            app,
            clients,
            up_seconds,
            orphan_every,
            say,
        )
        self.server = Server(folder, serve_env(app, folder), free_port(), workers)
        self.figures = Figures()
        self.lock = threading.Lock()
        self.acks: dict[int, list[tuple[int, str]]] = defaultdict(list)  # round -> acknowledged (revision, text)
        self.attempts: dict[int, set[tuple[int, str]]] = defaultdict(set)  # round -> every (base revision, text) sent
        self.committed_unanswered: set[tuple[int, int]] = set()
        self.deadlines: dict[int, datetime] = {}  # every round the rig made -> its deadline
        self.live: set[int] = set()  # rounds meant to run out while the server is up
        self.problems: list[str] = []
        self.stopping = threading.Event()
        self.give_up = float("inf")
        self.autosavers: list[Autosaver] = []
        self.cookie = self.token = ""

    # -- bookkeeping shared with the client threads ------------------------------------------------

    def attempted(self, round_id: int, revision: int, text: str) -> None:
        with self.lock:  # before the request is sent, so a commit is never found before its attempt
            self.attempts[round_id].add((revision, text))

    def acknowledged(self, round_id: int, revision: int, text: str) -> None:
        with self.lock:
            acks = self.acks[round_id]
            if acks and revision <= acks[-1][0]:
                self.problems.append(f"round {round_id}: revision {revision} acknowledged after {acks[-1][0]}")
            acks.append((revision, text))
            self.figures.acknowledged += 1

    def stale(self, round_id: int, current: int) -> None:
        with self.lock:
            acked = self.acks[round_id][-1][0] if self.acks[round_id] else 0
            if current < acked:  # the database went back behind an acknowledged revision
                self.problems.append(f"round {round_id}: at revision {current} after {acked} was acknowledged")
                self.figures.lost += acked - current

    # -- rounds --------------------------------------------------------------------------------------

    def new_round(self, stage_slug: str, minutes: int, ends_in: timedelta) -> int:
        """A running solo round of Ada's whose deadline is `ends_in` from now.

        Waiting a round's real length (a minute at least) for each of 20-100 restarts would take an
        hour, so rounds that must run out during the seconds the server is down are made by
        rounds.create_round, the code behind POST /api/rounds, with their start stamped in the past:
        start = now + ends_in - duration, so the deadline falls a fraction of a second after the kill.
        Nothing else is staged: the server's processes run on the real clock and learn every deadline
        from the database, as they would after a web worker created the round."""
        with self.app.app_context():
            stage = content().loop.stage(stage_slug)
            prompt = content().catalog.for_stage(stage_slug)[0]
            started = clock.now() + ends_in - timedelta(minutes=minutes)
            round_id = rounds.create_round(find_user(EMAIL), stage, prompt, minutes, started).id
            db.session.commit()
            db.session.remove()
        self.deadlines[round_id] = started + timedelta(minutes=minutes)
        return round_id

    def autosave_round(self) -> int:
        return self.new_round(AUTOSAVE_STAGE, AUTOSAVE_MINUTES, timedelta(minutes=AUTOSAVE_MINUTES))

    def expiring_round(self, seconds: float) -> int:
        return self.new_round(EXPIRING_STAGE, EXPIRING_MINUTES, timedelta(seconds=seconds))

    def rotate(self) -> None:
        """Give a client a fresh round well before its round runs out (the soak outlasts a round)."""
        for saver in self.autosavers:
            if saver.next_round_id is None and self.deadlines[saver.round_id] - clock.now() < ROTATE_BEFORE:
                saver.next_round_id = self.autosave_round()

    # -- the run -----------------------------------------------------------------------------------

    def run(self, cycles: int) -> Figures:
        try:
            with self.app.app_context():
                if find_user(EMAIL) is None:
                    create_user(EMAIL, "Ada", PASSWORD)
                    db.session.commit()
                db.session.remove()
            self.figures.restart_seconds.append(self.server.start())
            self.cookie, self.token = log_in_with_token(self.server.base)
            self.autosavers = [Autosaver(self, i, self.autosave_round()) for i in range(self.clients)]
            for saver in self.autosavers:
                saver.start()
            for n in range(1, cycles + 1):
                self.cycle(n, orphan=self.orphan_every > 0 and n % self.orphan_every == 0)
            self.finish()
            return self.figures
        finally:
            self.give_up = 0  # ends the client threads whatever happened
            for saver in self.autosavers:
                saver.join(timeout=15)
            self.server.cleanup()

    def cycle(self, n: int, orphan: bool) -> None:
        # Up: the clients autosave; one round runs out now, for the running scheduler to lock.
        self.rotate()
        self.live.add(self.expiring_round(self.up_seconds / 2))
        time.sleep(self.up_seconds)

        # Down. These rounds run out a moment after the kill, while nothing runs.
        if orphan:
            left, took = self.server.kill_parent(timeout=10)
            assert not left, f"cycle {n}: still running 10 s after the serve process was killed: {left}"
            self.figures.orphan_checks += 1
            self.figures.orphan_exit_seconds.append(took)
            down = [self.expiring_round(0.15), self.expiring_round(0.3)]
        else:
            down = [self.expiring_round(0.25), self.expiring_round(0.4)]
            self.server.kill()
        killed_at = clock.now()
        # A round whose deadline the server might still have seen (a very slow kill) is not counted.
        down = [rid for rid in down if self.deadlines[rid] > killed_at]
        self.check_saves(f"after kill {n}")
        self.check_not_locked(down, f"after kill {n}")

        time.sleep(
            max(0.0, (max(self.deadlines[rid] for rid in down) - clock.now()).total_seconds()) + 0.05 if down else 0.0
        )
        restarted_at = clock.now()
        self.figures.restart_seconds.append(self.server.start())
        self.check_reconciled(down, restarted_at, n)
        self.figures.cycles = n
        self.say(
            f"cycle {n}: {self.figures.acknowledged} saves acknowledged, restart "
            f"{self.figures.restart_seconds[-1]:.2f} s{' (orphan check)' if orphan else ''}"
        )

    def finish(self) -> None:
        time.sleep(self.up_seconds)  # the clients' saves after the last restart
        self.stopping.set()
        self.give_up = time.monotonic() + 30
        for saver in self.autosavers:
            saver.join(timeout=35)
        assert not [s.name for s in self.autosavers if s.is_alive()], "a client did not finish"
        assert not self.problems, self.problems
        self.check_saves("after the last restart", final=True)
        self.check_locks()
        left = self.server.stop()
        assert not left, f"still running after serve stopped: {left}"
        left = self.server.leftovers()
        assert not left, f"processes outlived the server: {left}"

    # -- checks ------------------------------------------------------------------------------------

    def check_saves(self, when: str, final: bool = False) -> None:
        """The database against every acknowledged save. Only valid while nothing can commit (the
        server is down, or the clients have stopped): rows are read first, then the clients' records."""
        with self.app.app_context():
            rows = db.session.execute(
                # A round whose scratchpad was never stored has no row: revision 0, empty.
                db.select(Round.id, func.coalesce(RoundWork.revision, 0), func.coalesce(RoundWork.body, ""))
                .outerjoin(RoundWork, (RoundWork.round_id == Round.id) & (RoundWork.kind == "scratchpad"))
                .where(Round.id.in_(list(self.attempts)))
            ).all()
            db.session.remove()
        with self.lock:
            acks = {rid: list(self.acks[rid]) for rid in self.attempts}
            attempts = {rid: set(sent) for rid, sent in self.attempts.items()}
        wrong = []
        for rid, revision, text in rows:
            lost = [r for r, _ in acks[rid] if r > revision]
            if lost:
                wrong.append(f"round {rid}: holds revision {revision}, but {lost} were acknowledged")
                self.figures.lost += len(lost)
            acked_text = [t for r, t in acks[rid] if r == revision]
            if acked_text:
                if text != acked_text[-1]:
                    wrong.append(f"round {rid}: revision {revision} holds other text than was acknowledged")
                    self.figures.lost += 1
            elif revision and (revision - 1, text) not in attempts[rid]:
                wrong.append(f"round {rid}: revision {revision} holds text no client sent on revision {revision - 1}")
            elif revision and (rid, revision) not in self.committed_unanswered:
                self.committed_unanswered.add((rid, revision))
                self.figures.committed_unanswered += 1
            if final and acks[rid] and (revision, text) != acks[rid][-1]:
                wrong.append(f"round {rid}: holds revision {revision}, the latest acknowledged is {acks[rid][-1][0]}")
        assert not wrong, f"{when}: {wrong}"

    def check_not_locked(self, round_ids: list[int], when: str) -> None:
        with self.app.app_context():
            for rid in round_ids:
                rnd = db.session.get(Round, rid)
                assert rnd.status == "running" and not [e for e in rnd.events if e.kind == "expire"], (
                    f"{when}: round {rid} (deadline {self.deadlines[rid]}) is {rnd.status} with nothing running"
                )
            db.session.remove()

    def check_reconciled(self, round_ids: list[int], restarted_at: datetime, n: int) -> None:
        """Rounds that ran out while the server was down are locked by the time it is ready again."""
        with self.app.app_context():
            for rid in round_ids:
                rnd = db.session.get(Round, rid)
                expires = [e for e in rnd.events if e.kind == "expire"]
                assert (rnd.status, rnd.lock_reason) == ("locked", "time"), (
                    f"restart {n}: round {rid} ran out while the server was down but is {rnd.status}"
                )
                assert len(expires) == 1, f"round {rid}: {len(expires)} expire events"
                assert rnd.locked_at == expires[0].at == self.deadlines[rid], (rnd.locked_at, self.deadlines[rid])
                assert expires[0].recorded_at >= restarted_at, "locked before the restart, by nothing running?"
                self.figures.locked_after_restart += 1
                self.figures.lock_seconds.append((expires[0].recorded_at - restarted_at).total_seconds())
            db.session.remove()

    def check_locks(self) -> None:
        """Every round: locked exactly once, at its deadline and never before; or still running."""
        now = clock.now()
        with self.app.app_context():
            for rnd in db.session.execute(db.select(Round).where(Round.id.in_(list(self.deadlines)))).scalars():
                deadline = self.deadlines[rnd.id]
                expires = [e for e in rnd.events if e.kind == "expire"]
                if rnd.status == "locked":
                    assert rnd.lock_reason == "time" and len(expires) == 1, (rnd.id, rnd.lock_reason, len(expires))
                    assert rnd.locked_at == expires[0].at == deadline, (rnd.id, rnd.locked_at, deadline)
                    assert expires[0].recorded_at >= deadline, f"round {rnd.id} was locked before its deadline"
                    if rnd.id in self.live and expires[0].recorded_at - deadline < timedelta(seconds=self.up_seconds):
                        self.figures.locked_while_up += 1  # (else a kill came first and a reconcile locked it)
                        self.figures.lateness_ms.append((expires[0].recorded_at - deadline).total_seconds() * 1000)
                else:
                    assert rnd.status == "running" and not expires, (rnd.id, rnd.status, len(expires))
                    assert rnd.deadline_at == deadline, (rnd.id, rnd.deadline_at, deadline)
                    # The scheduler locks within milliseconds; allow a busy machine a couple of seconds.
                    assert deadline > now - timedelta(seconds=2), f"round {rnd.id} ran out at {deadline}, still running"
            db.session.remove()
