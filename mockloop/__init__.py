"""mockloop: timed mock-interview practice."""

from __future__ import annotations

from pathlib import Path

from flask import Flask


def __getattr__(name: str) -> str:
    """__version__, read from the installed package's metadata when first asked for: importing
    importlib.metadata is a noticeable share of the scheduler's start, which never asks."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("mockloop")
    except PackageNotFoundError:  # running from a source tree that is not installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found


def create_app(config: dict | None = None, *, web: bool = True) -> Flask:
    """Build the app. Starts no background threads: the scheduler is started by `mockloop serve`.

    web=False builds configuration, database and models only, which is all the scheduler process
    uses: it serves no pages, and skipping the prompt content and the blueprints shortens its start,
    which is how long overdue rounds wait after a restart.
    """
    from mockloop.config import instance_path, load_config

    app = Flask(
        __name__,
        instance_path=instance_path(config),
        instance_relative_config=True,
        template_folder="web/templates",
        static_folder="web/static",
    )
    load_config(app, config)

    from mockloop.db import db

    db.init_app(app)
    if not web:
        return app
    from flask_migrate import Migrate

    from mockloop.web.json_provider import JSONProvider

    app.json = JSONProvider(app)  # before anything builds the Jinja environment, whose tojson it serves

    from mockloop.web.extensions import csrf, login_manager

    Migrate(app, db, directory=str(Path(__file__).parent / "db" / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)

    from mockloop.content import init_content

    init_content(app)
    if app.extensions["ai"] is not None:  # AI on: its SDK is loaded now (AI off never imports one)
        from mockloop.services.ai.provider import load_sdk

        load_sdk(app.extensions["ai"])

    from mockloop.web import (
        accounts,
        ai,
        api,
        assets,
        audio,
        catalog,
        health,
        invites,
        loops,
        pages,
        practice,
        replay,
        review,
        scoring,
        stories,
    )

    pages.init_app(app)
    ai.init_app(app)
    assets.init_app(app)  # the built bundles, answered by WhiteNoise before Flask sees the request
    audio.init_app(app)
    blueprints = (accounts, catalog, practice, scoring, replay, audio, invites, review, loops, stories, api, health, ai)
    for module in blueprints:
        app.register_blueprint(module.bp)
    return app
