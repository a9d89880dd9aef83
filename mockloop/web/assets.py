"""The built front-end bundles: their hashed URLs for templates (`asset_url`), and how they are served.

`make assets` (frontend/build.mjs) writes static/dist/: bundles with content-hashed names, Pyodide's
runtime and Excalidraw's fonts in folders named after their versions, a .br and a .gz beside every
file that compresses, and manifest.json, which maps logical names ("editor.js", "python-worker.js",
"pyodide/", "excalidraw/") to those files. WhiteNoise serves the folder ahead of Flask: the
compressed copy the client accepts, cached for a year where the name changes with the content. The
other static files are few and small and stay with Flask.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from wsgiref.headers import Headers

from flask import Flask, current_app, url_for
from whitenoise import WhiteNoise

BUILD_HINT = "build the front-end bundles with `make assets`"
HASHED = re.compile(r"-[A-Z2-7]{8}\.[a-z]+$")  # esbuild's [hash]: 8 base32 characters
# Entries named *-worker.js run as Web Workers, which take their CSP from their own response.
WORKER = re.compile(r"-worker-[A-Z2-7]{8}\.js$")
PYODIDE = re.compile(r"^pyodide-.+")  # the runtime's folder, named after its version
EXCALIDRAW = re.compile(r"^excalidraw-\d")  # the whiteboard's fonts and stylesheet, likewise
YEAR = 365 * 24 * 60 * 60
SHORT = 60  # seconds: manifest.json, the only name that stays the same across builds
# Workers (and the Pyodide runtime they load) compile WebAssembly, and Pyodide builds some of its
# Python-to-JavaScript glue with eval; pages keep their strict policy (pages.CSP) without either.
WORKER_CSP = "default-src 'self'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; connect-src 'self'"
# Modules that pages import run under the page's policy; this one applies if a file is opened itself.
FILE_CSP = "default-src 'none'; frame-ancestors 'none'"
# The diagram frame (diagrams.js): Mermaid lays labels out with inline styles, which pages refuse, so
# it runs in this page of the app's own, framed by the app's pages only, which may load its own
# scripts and apply inline styles, and nothing else: no inline script, nothing from anywhere.
DIAGRAM_FRAME = "diagram-frame.html"
FRAME_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)


class AssetsMissing(RuntimeError):
    """The bundles are not built, or not the build this code expects."""


class Manifest:
    """dist/manifest.json, read on first use and kept: a build replaces every hashed name, so the
    server is restarted after one (`make run` builds before it serves)."""

    def __init__(self, path: Path):
        self.path = path
        self._names: dict[str, str] | None = None
        self.pyodide_bytes: int | None = None

    def __getitem__(self, name: str) -> str:
        if self._names is None:
            try:
                self._names = json.loads(self.path.read_text())
            except FileNotFoundError:
                raise AssetsMissing(f"{self.path} is missing: {BUILD_HINT}") from None
        try:
            return self._names[name]
        except KeyError:
            raise AssetsMissing(
                f"{name!r} is not in {self.path}: {BUILD_HINT} (is frontend/src/{name} there?)"
            ) from None


def pyodide_bytes() -> int:
    """The Python runtime's size uncompressed: the first run's progress bar has a total even though
    the files travel compressed (their Content-Length counts compressed bytes)."""
    manifest: Manifest = current_app.extensions["assets"]
    if manifest.pyodide_bytes is None:
        folder = manifest.path.parent / manifest["pyodide/"]
        manifest.pyodide_bytes = sum(p.stat().st_size for p in folder.iterdir() if p.suffix not in (".br", ".gz"))
    return manifest.pyodide_bytes


def dist_folder(app: Flask) -> Path:
    return Path(app.static_folder or "") / "dist"


def add_headers(headers: Headers, path: str, url: str) -> None:
    """Called by WhiteNoise once per file as it indexes the folder."""
    file = Path(path)
    pyodide = bool(PYODIDE.match(file.parent.name))
    versioned = pyodide or any(EXCALIDRAW.match(part) for part in file.parts)
    immutable = versioned or bool(HASHED.search(file.name))
    headers["Cache-Control"] = f"public, max-age={YEAR}, immutable" if immutable else f"public, max-age={SHORT}"
    if file.name == DIAGRAM_FRAME:
        headers["Content-Security-Policy"] = FRAME_CSP
    else:
        headers["Content-Security-Policy"] = WORKER_CSP if pyodide or WORKER.search(file.name) else FILE_CSP
    headers["X-Content-Type-Options"] = "nosniff"  # Flask's after_request never sees these responses


def init_app(app: Flask) -> None:
    folder = dist_folder(app)
    if folder.is_dir():  # without a build pages that use no bundle still work; asset_url says what to do
        app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]  # Flask's documented way to wrap it
            app.wsgi_app,
            root=folder,
            prefix=f"{app.static_url_path}/dist/",
            max_age=None,  # add_headers sets Cache-Control
            allow_all_origins=False,  # only the app's own pages load them
            add_headers_function=add_headers,
        )
    manifest = Manifest(folder / "manifest.json")

    def asset_url(name: str) -> str:
        """The URL of a built file by its logical name: asset_url("editor.js"), asset_url("pyodide/")."""
        return url_for("static", filename=f"dist/{manifest[name]}")

    app.jinja_env.globals["asset_url"] = asset_url
    app.extensions["assets"] = manifest
