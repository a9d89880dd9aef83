"""Shared fixtures: an app on a temporary database, a client, an auth helper, and factories for the
rows a test needs but does not test (users, rounds in a given status, scorecards). Helpers that tests
import live in tests/helpers.py."""

from __future__ import annotations

import itertools
import os
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from mockloop import clock, create_app
from mockloop import content as content_module
from mockloop.content import content
from mockloop.core import rubric as rubric_core
from mockloop.db import db, models
from mockloop.db.models import Round, User
from mockloop.services import lifecycle, rounds, scorecards, work
from mockloop.services.users import create_user, find_user
from tests.helpers import TEST_PROMPTS, Api, Auth, FrozenClock

# The engine under test. SQLite unless MOCKLOOP_TEST_DATABASE_URL names a PostgreSQL server's
# maintenance database (`make test-postgres` starts a throwaway one through .ci/with-postgres); the
# suite then creates and drops its own databases there.
TEST_DATABASE_URL = os.environ.get("MOCKLOOP_TEST_DATABASE_URL") or None
ON_POSTGRES = bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgres"))


# What the app hashes passwords with, before the suite lowers the cost: scrypt's work is the point of
# it in production and pure waiting in a test (tests/test_accounts.py checks the production method).
PRODUCTION_PASSWORD_METHOD = models.PASSWORD_METHOD
models.PASSWORD_METHOD = "scrypt:1024:8:1"


# Parsing the prompt bank (its Markdown and YAML) is most of create_app's time, and nearly every test
# builds an app: each set of prompt files is parsed once per test process. The key holds every file's
# size and modification time, so a test that writes prompts gets a parse of its own; an instance
# folder without user prompts counts as none.
_load_content = content_module.load_content
_parsed: dict[tuple, object] = {}


def _files_of(*roots: str) -> tuple:
    found = []
    for root in map(Path, roots):
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file():
                info = path.stat()
                found.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(found)


def _load_content_once(config):
    loop, shipped, user = (str(config[k]) for k in ("LOOP_FILE", "PROMPTS_DIR", "USER_PROMPTS_DIR"))
    files = _files_of(loop, shipped, user)
    mine = any(path.startswith(user) for path, _, _ in files)
    key = (loop, shipped, user if mine else None, files)  # every test's empty folder parses the same
    if key not in _parsed:
        _parsed[key] = _load_content(config)
    return _parsed[key]


content_module.load_content = _load_content_once


def pytest_configure(config):
    config.addinivalue_line("markers", "multiprocess: starts real server processes (mockloop serve)")
    config.addinivalue_line("markers", "wheel: builds the wheel and serves it from a fresh venv (about 30 s)")


def pytest_report_header(config):
    if ON_POSTGRES:
        url = make_url(TEST_DATABASE_URL)
        return f"database: PostgreSQL at {url.host}:{url.port} (MOCKLOOP_TEST_DATABASE_URL)"
    return "database: SQLite (set MOCKLOOP_TEST_DATABASE_URL or run `make test-postgres` for PostgreSQL)"


class PostgresServer:
    """Databases on the test server: one migrated template per session, a clone of it per test."""

    def __init__(self, url: str):
        self.url = make_url(url).set(drivername="postgresql+psycopg")
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.prefix = f"mockloop_test_{os.getpid()}_"  # sessions sharing a server never collide
        self.names = itertools.count()
        # Cloning takes a few hundred milliseconds: the next test's database is made while a test runs.
        self.background = ThreadPoolExecutor(max_workers=1)
        self.ready: Future | None = None

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        name = f"{self.prefix}{next(self.names)}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def clone(self, template: str) -> str:
        name = self.ready.result() if self.ready else self.create(template)
        self.ready = self.background.submit(self.create, template)
        return name

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_all(self) -> None:
        self.background.shutdown(wait=True)
        with self.admin.connect() as conn:
            names = conn.exec_driver_sql("SELECT datname FROM pg_database").scalars().all()
        for name in names:
            if name.startswith(self.prefix):
                self.drop(name)
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres():
    """The PostgreSQL test server, or None when the suite runs on SQLite."""
    if not ON_POSTGRES:
        yield None
        return
    server = PostgresServer(TEST_DATABASE_URL)
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory, postgres) -> Path | str:
    """One database built by running every migration: a SQLite file, or a PostgreSQL template's name."""
    import flask_migrate

    instance = tmp_path_factory.mktemp("template")
    # DATABASE_URL None means SQLite in the instance folder, whatever MOCKLOOP_DATABASE_URL says.
    config = {"INSTANCE_PATH": str(instance), "SECRET_KEY": "test", "DATABASE_URL": None}
    if postgres:
        template = postgres.create()
        config["DATABASE_URL"] = postgres.url_for(template)
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()  # CREATE DATABASE ... TEMPLATE needs the template without connections
    return template if postgres else instance / "mockloop.sqlite"


@pytest.fixture
def database_url(postgres, migrated_db):
    """DATABASE_URL for this test's apps: None on SQLite (make_app copies the migrated file into the
    instance folder), else a fresh clone of the migrated template, dropped after the test."""
    if postgres is None:
        yield None
        return
    name = postgres.clone(migrated_db)
    yield postgres.url_for(name)
    postgres.background.submit(postgres.drop, name)


@pytest.fixture
def make_app(tmp_path, migrated_db, database_url):
    """Build an app on this test's fresh migrated database; extra config overrides the defaults.

    Every app a test builds shares that database and the instance folder tmp_path/instance.
    """
    apps = []

    def factory(web=True, **config):
        instance = tmp_path / "instance"
        instance.mkdir(exist_ok=True)
        base = {"INSTANCE_PATH": str(instance), "SECRET_KEY": "test-secret", "DATABASE_URL": database_url}
        if not database_url and not (instance / "mockloop.sqlite").exists():
            shutil.copy(migrated_db, instance / "mockloop.sqlite")
        app = create_app({**base, **config}, web=web)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def frozen_clock(monkeypatch):
    from datetime import datetime, timezone

    frozen = FrozenClock(datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc))
    monkeypatch.setattr(clock, "now", frozen)
    return frozen


@pytest.fixture
def api(client, auth):
    auth.signup()
    return Api(client)


@pytest.fixture
def small_loop_app(make_app):
    """An app on the tiny test loop (stages of one or two minutes)."""
    app = make_app(PROMPTS_DIR=str(TEST_PROMPTS))
    yield app
    with app.app_context():
        db.engine.dispose()


# -- Factories: rows built with the services directly, for setup that is not what a test is about. --
# Each takes users by email (or id) and returns ids; times come from mockloop.clock (frozen or not).


def _user(who) -> User:
    user = db.session.get(User, who) if isinstance(who, int) else find_user(who)
    assert user is not None, f"no user {who!r}"
    return user


@pytest.fixture
def make_user(app):
    """make_user(email, name, password) -> the new user's id (log in with Auth(client).login(email))."""

    def factory(email="ada@example.com", name="Ada", password="correct horse battery") -> int:
        with app.app_context():
            user = create_user(email, name, password)
            db.session.commit()
            return user.id

    return factory


@pytest.fixture
def make_round(app):
    """make_round(owner, status="locked", mode="solo"|"peer", ...) -> round id.

    status: planned (not started), running, paused or locked (ended by hand). A peer round has the
    owner as candidate and `interviewer` (None: an open seat), who starts, pauses and ends it."""

    def factory(
        owner="ada@example.com",
        *,
        status="locked",
        mode="solo",
        stage="quick",
        prompt="quick-prompt-1",
        minutes=None,
        interviewer=None,
    ) -> int:
        assert status in ("planned", "running", "paused", "locked"), status
        with app.app_context():
            owner_user = _user(owner)
            stage_obj = content().loop.stage(stage)
            prompt_obj = content().catalog.get(stage, prompt)
            assert stage_obj and prompt_obj, (stage, prompt)
            now = clock.now()
            if mode == "solo":
                actor = owner_user
                rnd = rounds.create_round(
                    owner_user,
                    stage_obj,
                    prompt_obj,
                    minutes or stage_obj.duration.default,
                    now,
                    start=status != "planned",
                )
            else:
                actor = _user(interviewer) if interviewer is not None else None
                seats = {"candidate": owner_user, "interviewer": actor}
                rnd = rounds.create_round(
                    owner_user, stage_obj, prompt_obj, minutes or stage_obj.duration.default, now, seats=seats
                )
                if status != "planned":
                    assert actor is not None, "a peer round starts with its interviewer"
                    lifecycle.act(rnd, "start", actor, now)
            if status in ("paused", "locked"):
                lifecycle.act(rnd, "pause" if status == "paused" else "end", actor, now)
            db.session.commit()
            return rnd.id

    return factory


@pytest.fixture
def make_code_round(app):
    """make_code_round([(seconds, action), ...], owner, prompt="code-levels", minutes=5, interviewer=None)
    -> round id: a coding round (solo, or peer with `interviewer`) with some code saved, whose
    candidate, `seconds` after the previous step (the first: after the start), submits the open
    level with ("submit", passed, total), moves on with ("move_on",), or pauses and resumes
    ("pause",), ("resume",), all recorded as the services record them; the round ends a second
    after the last step. A submit stores the counts given (the server's comparison of reported
    values is tested in tests/test_work.py)."""
    from datetime import timedelta

    from mockloop.core.vocabulary import WorkKind
    from mockloop.core.work import SUBMIT, RunReport

    def factory(steps, owner="ada@example.com", *, prompt="code-levels", minutes=5, interviewer=None) -> int:
        with app.app_context():
            user = _user(owner)
            stage_obj, prompt_obj = content().loop.stage("code"), content().catalog.get("code", prompt)
            now = clock.now()
            if interviewer is None:
                rnd = rounds.create_round(user, stage_obj, prompt_obj, minutes, now)
            else:  # a peer round: the interviewer starts it
                seats = {"candidate": user, "interviewer": _user(interviewer)}
                rnd = rounds.create_round(user, stage_obj, prompt_obj, minutes, now, seats=seats)
                lifecycle.act(rnd, "start", seats["interviewer"], now)
            work.save(rnd, WorkKind.CODE, "class Counter:\n    pass\n", 0, now)  # what the submits ran
            for seconds, action, *counts in steps:
                now += timedelta(seconds=seconds)
                if action == "submit":
                    report = RunReport("python", "ok", 5, "", "", False, 1, *counts)
                    level = work.level_of(rnd, prompt_obj) if prompt_obj.levels else None
                    work.record_run(rnd, report, now, kind=SUBMIT, level=level)
                elif action == "move_on":
                    work.move_on(rnd, prompt_obj, work.level_of(rnd, prompt_obj), now)
                else:
                    lifecycle.act(rnd, action, user, now)
            lifecycle.act(rnd, "end", user, now + timedelta(seconds=1))
            db.session.commit()
            return rnd.id

    return factory


@pytest.fixture
def make_scorecard(app):
    """make_scorecard(round_id, reviewer=<the owner>, levels={"clarity": 3}, overall="yes") -> card id:
    a submitted card on the stage's current rubric, every level 3 unless given."""

    def factory(round_id: int, reviewer=None, *, levels=None, overall="yes", **summary) -> int:
        with app.app_context():
            rnd = db.session.get(Round, round_id)
            editor = _user(reviewer if reviewer is not None else rnd.owner_id)
            rubric = rubric_core.snapshot(content().loop, content().loop.stage(rnd.stage))
            keys = [d["key"] for d in rubric["dimensions"]]
            answers = {
                "levels": {k: (levels or {}).get(k, 3) for k in keys},
                "evidence": {k: f"Evidence for {k}." for k in keys},
                "overall": overall,
                **{f: summary.get(f, f"{f.capitalize()} this.") for f in rubric_core.SUMMARY_FIELDS},
            }
            card_id = scorecards.submit(rnd, None, rubric, answers, editor, 0, clock.now())
            db.session.commit()
            return card_id

    return factory


# -- AI: the fake provider on 127.0.0.1 and apps configured to use it through the real SDKs. --

AI_KEY = "sk-test-K3Y-never-shown-0042"  # a key the tests look for everywhere it must not be
AI_KEY_VARIABLES = ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "AI_API_KEY", "MOCKLOOP_AI_API_KEY")


@pytest.fixture
def fake_provider(monkeypatch):
    from tests.fake_provider import FakeProvider

    for name in AI_KEY_VARIABLES:  # the machine's own keys must not decide a test
        monkeypatch.delenv(name, raising=False)
    fake = FakeProvider()
    yield fake
    fake.close()


@pytest.fixture
def make_ai_app(make_app, fake_provider):
    """An app on the test loop whose AI provider is the fake one: provider "anthropic" or "openai"."""

    def factory(provider="anthropic", **config):
        base = fake_provider.url + ("/v1" if provider == "openai" else "")
        settings = {"AI_PROVIDER": provider, "AI_MODEL": "test-model", "AI_BASE_URL": base, "AI_API_KEY": AI_KEY}
        return make_app(PROMPTS_DIR=str(TEST_PROMPTS), AI_TIMEOUT=2, **{**settings, **config})

    return factory
