"""Migrations on the engine under test: SQLite in `make test`, PostgreSQL in `make test-postgres`."""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from mockloop import create_app
from mockloop.db import db


def test_migrations_match_the_models_and_go_down_again(tmp_path, postgres):
    config = {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "DATABASE_URL": None}  # None: SQLite here
    if postgres:
        config["DATABASE_URL"] = postgres.url_for(postgres.create())  # empty; dropped with the session
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade()
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        with db.engine.connect() as conn:
            # Server defaults are left out: migrations add them to backfill existing rows.
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            drift = compare_metadata(context, db.metadata)
        assert drift == [], "the models changed without a migration (flask db migrate)"
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
        db.engine.dispose()


def test_upgrading_keeps_the_users_data(tmp_path, postgres):
    """A database made at the first revision, with a scored round in it, comes through every later
    migration (SQLite's batch mode rebuilds tables) with nothing lost."""
    from sqlalchemy import text

    config = {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "DATABASE_URL": None}
    if postgres:
        config["DATABASE_URL"] = postgres.url_for(postgres.create())
    app = create_app(config)
    first = "4058d1a80f52"
    with app.app_context():
        flask_migrate.upgrade(revision=first)
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, display_name, password_hash, login_version, is_admin,"
                    " created_at) VALUES (1, 'a@b.c', 'A', 'x', 1, false, '2026-01-01 10:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO rounds (id, uid, owner_id, candidate_id, stage, prompt_slug, prompt_title, minutes,"
                    " plan, status, version, scratchpad, scratchpad_rev, mode, interviewer_notes, notes_rev,"
                    " created_at)"
                    " VALUES (1, 'u-1', 1, 1, 'quick', 'p', 'P', 1, '[[\"A\", 1]]', 'locked', 2, 'my notes', 1,"
                    " 'solo', 'their notes', 2, '2026-01-01 10:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO round_events (round_id, kind, at, recorded_at, minutes) VALUES"
                    " (1, 'start', '2026-01-01 10:00:00', '2026-01-01 10:00:00', 0)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO scorecards (id, uid, round_id, reviewer_id, reviewer_name, candidate_id, role,"
                    " stage, prompt_slug, status, keep, stop, start, rubric, revision, created_at) VALUES (1, 'c-1', 1,"
                    " 1, 'A', 1, 'self', 'quick', 'p', 'draft', '', '', '', '{}', 0, '2026-01-01 10:00:00')"
                )
            )
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            counts = [
                conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                for t in ("users", "rounds", "round_events", "scorecards")
            ]
            # The scratchpad and notes columns moved into round_work (5d8a3c6e2b17), revisions and all.
            work = conn.execute(text("SELECT kind, body, revision FROM round_work ORDER BY kind")).all()
        assert counts == [1, 1, 1, 1]
        assert [tuple(w) for w in work] == [("notes", "their notes", 2), ("scratchpad", "my notes", 1)]
        db.engine.dispose()


def test_scorecards_get_their_rounds_level_figures_from_the_recorded_runs(tmp_path, postgres):
    """3a7d5c1e9b42 backfills levels cleared, submitted and first passed onto the cards of rounds that
    recorded runs of tests; cards of other rounds keep none."""
    from sqlalchemy import text

    config = {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "DATABASE_URL": None}
    if postgres:
        config["DATABASE_URL"] = postgres.url_for(postgres.create())
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade(revision="fc1c7267f4cd")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, display_name, password_hash, created_at)"
                    " VALUES (1, 'a@b.c', 'A', 'x', '2026-01-01 10:00:00')"
                )
            )
            for rid in (1, 2, 3):
                conn.execute(
                    text(
                        "INSERT INTO rounds (id, uid, owner_id, candidate_id, stage, prompt_slug, prompt_title,"
                        " minutes, plan, status, version, mode, pinned, created_at) VALUES (:id, :uid, 1, 1, 'code',"
                        " 'p', 'P', 5, '[[\"A\", 5]]', 'locked', 2, 'solo', false, '2026-01-01 10:00:00')"
                    ),
                    {"id": rid, "uid": f"u-{rid}"},
                )
            runs = [
                (1, "run", None, 0, 1),  # an example run: not a submit
                (1, "submit", 1, 1, 2),
                (1, "submit", 1, 2, 2),  # level 1 cleared at the second submit
                (1, "submit", 2, 1, 1),  # level 2 cleared at the first
                (1, "move_on", 3, None, None),
                (2, "run", None, None, None),  # a run without tests: no figures
                (3, "run", None, 1, 1),  # tests ran, nothing submitted: 0 cleared
            ]
            for round_id, kind, level, passed, total in runs:
                conn.execute(
                    text(
                        "INSERT INTO round_runs (round_id, at, language, outcome, duration_ms, stdout, stderr,"
                        " truncated, code_revision, kind, level, tests_passed, tests_total) VALUES (:r,"
                        " '2026-01-01 10:01:00', 'python', 'ok', 1, '', '', false, 1, :k, :l, :p, :t)"
                    ),
                    {"r": round_id, "k": kind, "l": level, "p": passed, "t": total},
                )
            for card, (round_id, role) in enumerate([(1, "self"), (1, "interviewer"), (2, "self"), (3, "self")], 1):
                conn.execute(
                    text(
                        "INSERT INTO scorecards (id, uid, round_id, reviewer_id, reviewer_name, candidate_id, role,"
                        " stage, prompt_slug, status, keep, stop, start, rubric, revision, created_at) VALUES (:id,"
                        " :uid, :r, :reviewer, 'A', 1, :role, 'code', 'p', 'draft', '', '', '', '{}', 0,"
                        " '2026-01-01 10:00:00')"
                    ),
                    {"id": card, "uid": f"c-{card}", "r": round_id, "role": role, "reviewer": 1 if card != 2 else None},
                )
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            found = conn.execute(
                text("SELECT id, levels_cleared, levels_submitted, levels_first_passed FROM scorecards ORDER BY id")
            ).all()
        assert [tuple(r) for r in found] == [(1, 2, 2, 1), (2, 2, 2, 1), (3, None, None, None), (4, 0, 0, 0)]
        flask_migrate.downgrade(revision="fc1c7267f4cd")  # and back, the cards intact
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM scorecards")).scalar() == 4
        db.engine.dispose()
