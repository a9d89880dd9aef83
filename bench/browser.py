"""What the browser benches share: the shipped app on a throwaway instance folder, served from a
thread, and Debian's Chromium (never a downloaded one) driven by Playwright."""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
from flask import Flask
from playwright.sync_api import Browser, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.e2e

from mockloop import create_app  # noqa: E402
from tests.e2e.module_page import serve  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@dataclass(frozen=True)
class Served:
    app: Flask
    url: str
    browser: Browser
    instance: Path


@contextmanager
def served_in_chromium(name: str, args: tuple[str, ...] = ()) -> Iterator[Served]:
    """The app (migrated SQLite in a new instance folder, whatever MOCKLOOP_DATABASE_URL says) at a
    local URL, and a Chromium to visit it with `args` added; all of it gone afterwards."""
    logging.disable(logging.INFO)  # no line per request (werkzeug) or per migration (Alembic)
    instance = Path(tempfile.mkdtemp(prefix=f"mockloop-bench-{name}-"))
    try:
        app = create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": "bench", "DATABASE_URL": None})
        with app.app_context():
            flask_migrate.upgrade()
        server, url = serve(app)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", *args])
                try:
                    yield Served(app, url, browser, instance)
                finally:
                    browser.close()
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(instance, ignore_errors=True)
