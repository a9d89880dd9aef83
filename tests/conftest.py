"""Shared fixtures: an app on a temporary database, a client, and an auth helper."""
from __future__ import annotations

import itertools
import os
import re
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from mockloop import create_app
from mockloop.db import db

REPO = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


# The engine under test. SQLite unless MOCKLOOP_TEST_DATABASE_URL names a PostgreSQL server's
# maintenance database (`make test-postgres` starts a throwaway one through .ci/with-postgres); the
# suite then creates and drops its own databases there.
TEST_DATABASE_URL = os.environ.get("MOCKLOOP_TEST_DATABASE_URL") or None
ON_POSTGRES = bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgres"))


def pytest_configure(config):
    config.addinivalue_line("markers", "multiprocess: starts real server processes (mockloop serve)")


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


def csrf_token(client, url: str = "/account/login") -> str:
    page = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class Auth:
    def __init__(self, client):
        self.client = client

    def signup(self, email="ada@example.com", name="Ada", password="correct horse battery"):
        token = csrf_token(self.client, "/account/signup")
        return self.client.post("/account/signup", data={
            "csrf_token": token, "email": email, "display_name": name, "password": password,
            "confirm": password})

    def login(self, email="ada@example.com", password="correct horse battery"):
        token = csrf_token(self.client)
        return self.client.post("/account/login", data={"csrf_token": token, "email": email, "password": password})

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/account/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return Auth(client)


class FrozenClock:
    """Replaces mockloop.clock.now: time moves only when a test says so."""

    def __init__(self, start):
        self.current = start

    def __call__(self):
        return self.current

    def advance(self, **delta):
        from datetime import timedelta
        self.current += timedelta(**delta)
        return self.current


@pytest.fixture
def frozen_clock(monkeypatch):
    from datetime import datetime, timezone

    from mockloop import clock
    frozen = FrozenClock(datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc))
    monkeypatch.setattr(clock, "now", frozen)
    return frozen


class Api:
    """JSON calls the way the round page makes them: session cookie plus X-CSRFToken header."""

    def __init__(self, client):
        self.client = client
        self._token = None

    def token(self):
        if self._token is None:
            self._token = csrf_token(self.client, "/")
        return self._token

    def call(self, method, url, json=None, **headers):
        return self.client.open(url, method=method, json=json, headers={"X-CSRFToken": self.token(), **headers})

    def start(self, stage="systems-design", prompt="surprise", minutes=None, **extra):
        body = {"stage": stage, "prompt": prompt, **extra}
        if minutes is not None:
            body["minutes"] = minutes
        return self.call("POST", "/api/rounds", body)


@pytest.fixture
def api(client, auth):
    auth.signup()
    return Api(client)


def signed_up(app, email="ada@example.com", name="Ada") -> Api:
    """A new user, signed up and logged in in a browser session of their own."""
    api = Api(app.test_client())
    Auth(api.client).signup(email=email, name=name)
    return api


TEST_PROMPTS = Path(__file__).resolve().parent / "data" / "prompts"


@pytest.fixture
def small_loop_app(make_app):
    """An app on the tiny test loop (stages of one or two minutes)."""
    app = make_app(PROMPTS_DIR=str(TEST_PROMPTS))
    yield app
    with app.app_context():
        db.engine.dispose()
