"""Configuration order, the generated secret key, and migrations on an empty database."""

import os
import stat

import flask_migrate
from sqlalchemy import inspect

from mockloop import create_app
from mockloop.db import db


def test_defaults_then_instance_file_then_environment(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert app.config["PORT"] == 5000 and app.config["SIGNUP_OPEN"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'mockloop.sqlite'}"

    (instance / "config.py").write_text("PORT = 6000\nSIGNUP_OPEN = False\nHOST = '0.0.0.0'\n")
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert (app.config["PORT"], app.config["SIGNUP_OPEN"], app.config["HOST"]) == (6000, False, "0.0.0.0")

    monkeypatch.setenv("MOCKLOOP_PORT", "7000")
    monkeypatch.setenv("MOCKLOOP_DATABASE_URL", "postgresql://u:p@db.internal/mock")
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert app.config["PORT"] == 7000 and app.config["SIGNUP_OPEN"] is False  # env wins, file still applies
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.internal/mock"


def test_secret_key_is_generated_once_and_private(tmp_path):
    instance = tmp_path / "inst"
    first = create_app({"INSTANCE_PATH": str(instance)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(instance)}).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    mode = stat.S_IMODE(os.stat(instance / "secret_key").st_mode)
    assert mode == 0o600
    other = create_app({"INSTANCE_PATH": str(tmp_path / "other")}).config["SECRET_KEY"]
    assert other != first


def test_configured_secret_key_is_used_and_nothing_written(tmp_path, monkeypatch):
    monkeypatch.setenv("MOCKLOOP_SECRET_KEY", "from-the-environment")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_migrations_build_an_empty_database_and_wal_is_on(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    with app.app_context():
        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "rounds", "round_events", "alembic_version"} <= tables
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
        db.engine.dispose()


def test_healthz_reports_version_and_database(client):
    res = client.get("/healthz")
    assert res.status_code == 200
    body = res.get_json()
    assert body["database"] == "ok" and body["version"]


def test_the_sqlite_database_and_its_wal_files_are_private(tmp_path):
    old_umask = os.umask(0o022)  # the usual umask, under which sqlite3 alone makes a 0644 file
    try:
        app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
        with app.app_context():
            flask_migrate.upgrade()
            with db.engine.connect() as conn:  # an open connection keeps the -wal and -shm files
                conn.exec_driver_sql("SELECT count(*) FROM users").scalar()
                files = sorted(tmp_path.glob("mockloop.sqlite*"))
                modes = {f.name: stat.S_IMODE(os.stat(f).st_mode) for f in files}
            db.engine.dispose()
    finally:
        os.umask(old_umask)
    assert set(modes) == {"mockloop.sqlite", "mockloop.sqlite-wal", "mockloop.sqlite-shm"}
    assert set(modes.values()) == {0o600}, modes


def test_only_a_postgresql_connection_is_tested_before_each_use(tmp_path):
    # A pooled PostgreSQL connection dies with a server restart; a SQLite one cannot, and testing it
    # would cost a statement per request. An instance file's own engine options still win.
    instance = tmp_path / "inst"
    assert create_app({"INSTANCE_PATH": str(instance)}).config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": False}
    postgres = {"INSTANCE_PATH": str(instance), "DATABASE_URL": "postgresql://u:p@db.internal/mock"}
    assert create_app(postgres).config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
    (instance / "config.py").write_text("SQLALCHEMY_ENGINE_OPTIONS = {'pool_pre_ping': True, 'pool_size': 3}\n")
    options = create_app({"INSTANCE_PATH": str(instance)}).config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options == {"pool_pre_ping": True, "pool_size": 3}
