"""The code editor's weight: every built file a page loads to show the editor, in Chromium.

The editor module (editor.js, its shared chunks and the default language's grammar, which it loads
on first use) is opened on tests/e2e/module_page.py's page against the app, and the files the browser
fetched from /static/dist/ are summed: minified (the file as built) and gzipped (its .gz copy). Then
each other language is picked once, for what a candidate who tries all seven loads. The target is
the issue's: at most 600 KB minified. Prints a table, then one JSON line (the last line). As with
bench/run.py a missed target is a finding, not an error: it exits 0 whenever it could measure. About
ten seconds; needs `make assets` and Debian's chromium (`make bench` has both).

    .venv/bin/python bench/editor.py
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.e2e.module_page

from mockloop import create_app  # noqa: E402
from mockloop.web.assets import dist_folder  # noqa: E402
from tests.e2e.module_page import ROOT, ModulePage, serve  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's, never a downloaded one
TARGET_KB = 600  # minified, what the editor page loads
DIST_PREFIX = "/static/dist/"


def loaded(paths: list[str], since: int = 0) -> list[str]:
    """The dist files among the paths requested from index `since` on, each once, in request order."""
    files = dict.fromkeys(p[len(DIST_PREFIX) :] for p in paths[since:] if p.startswith(DIST_PREFIX))
    return list(files)


def sizes(dist: Path, files: list[str]) -> tuple[int, int]:
    """(minified bytes, gzipped bytes) of the built files."""
    return sum((dist / f).stat().st_size for f in files), sum((dist / f"{f}.gz").stat().st_size for f in files)


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    instance = Path(tempfile.mkdtemp(prefix="mockloop-bench-editor-"))
    try:
        app = create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": "bench", "DATABASE_URL": "sqlite://"})
        dist = dist_folder(app)
        site = ModulePage(app, {"editor": "editor.js"})
        server, url = serve(site)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page()
                page.goto(url + ROOT)
                page.wait_for_function("window.modulesReady === true")
                page.evaluate("window.modules.editor.createEditor(document.getElementById('host')).ready")
                first = loaded(site.paths)
                before = len(site.paths)
                page.evaluate("""async () => {
                  const editor = window.modules.editor.createEditor(document.getElementById("host"));
                  for (const { id } of window.modules.editor.LANGUAGES) await editor.setLanguage(id);
                }""")
                rest = [f for f in loaded(site.paths, before) if f not in first]
                browser.close()
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(instance, ignore_errors=True)

    minified, gzipped = sizes(dist, first)
    all_minified, all_gzipped = sizes(dist, first + rest)
    ok = minified <= TARGET_KB * 1000
    rows = [
        ("figure", "minified", "gzipped", "target", ""),
        (
            f"editor page, default language ({len(first)} files)",
            f"{minified / 1000:.0f} KB",
            f"{gzipped / 1000:.0f} KB",
            f"<= {TARGET_KB} KB minified",
            "ok" if ok else "MISSED",
        ),
        (
            f"  after picking all seven languages (+{len(rest)} files)",
            f"{all_minified / 1000:.0f} KB",
            f"{all_gzipped / 1000:.0f} KB",
            "",
            "",
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    print(
        json.dumps(
            {
                "editor_kb_min": round(minified / 1000),
                "editor_kb_gzip": round(gzipped / 1000),
                "editor_all_languages_kb_min": round(all_minified / 1000),
                "editor_all_languages_kb_gzip": round(all_gzipped / 1000),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
