"""Migrations on the engine under test: SQLite in `make test`, PostgreSQL in `make test-postgres`."""
import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from mockloop import create_app
from mockloop.extensions import db


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
