"""The loop definition and prompt catalog an app serves, loaded once when the app is created."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from mockloop.core.catalog import Catalog, load_catalog
from mockloop.core.loop import Loop, load_loop

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Content:
    loop: Loop
    catalog: Catalog


def load_content(config) -> Content:
    loop = load_loop(Path(config["LOOP_FILE"]))
    catalog = load_catalog(loop, Path(config["PROMPTS_DIR"]), Path(config["USER_PROMPTS_DIR"]))
    return Content(loop, catalog)


def init_content(app: Flask) -> None:
    content = load_content(app.config)
    for problem in content.catalog.problems:
        log.warning("prompt skipped: %s", problem)
    app.extensions["mockloop.content"] = content


def content() -> Content:
    return current_app.extensions["mockloop.content"]
