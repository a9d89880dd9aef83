"""The whiteboard's weight and speed in Chromium, and what it costs the round pages that have none.

The real app with the shipped loop, on a throwaway instance folder (bench/round_page.py's way): a
user starts a systems-design round (the board workspace) and a recruiter-screen round (no
workspace). Each page is opened once unmeasured (the server renders it once, as a running server
has), then, alternating, LOADS times in a fresh browser context (cold) and reloaded once (warm).

- The whiteboard bundle: every file the board page fetched from /static/dist/ until the board was
  interactive, summed as built (minified) and as its .gz copy; Excalidraw's fonts apart.
- Time to an interactive board: from the navigation's start until the board's canvas and its tool
  bar are on the page (marked by an observer in the page, then checked with Playwright).
- The round page without the whiteboard: its load event, its bytes, and how many whiteboard or
  diagram files it fetched (it must fetch none: its load time cannot have grown because of them).

Prints a table, then one JSON line (the last line); no targets. One to two minutes; needs `make
assets` and Debian's chromium (`make bench` has both, and runs it as bench/run.py's `board` figure).

    .venv/bin/python bench/board.py
"""

from __future__ import annotations

import json
import sys
import time
from functools import partial
from pathlib import Path

from playwright.sync_api import expect

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))  # for tests.e2e
sys.path.insert(0, str(BENCH))  # for round_page, a script beside this one

from browser import served_in_chromium  # noqa: E402
from round_page import loadavg, ms, start_round, stats, timed  # noqa: E402

from mockloop.content import content  # noqa: E402
from mockloop.web.assets import dist_folder  # noqa: E402
from tests.e2e.helpers import sign_up  # noqa: E402

LOADS = 5
BOARD_STAGE, PLAIN_STAGE = "systems-design", "recruiter-screen"
DIST = "/static/dist/"
# Files only the whiteboard or the diagrams bring (bundle names, Excalidraw's folder, Mermaid's frame).
BOARD_FILES = ("round-board-", "board-view-", "board-worker-", "excalidraw-", "diagrams-", "diagram-frame")

# Marks the moment the board could be drawn on: Excalidraw's interactive canvas and its tool bar.
MARK_BOARD = """(() => {
  const found = () => document.querySelector("#board canvas.interactive")
    && document.querySelector('#board [title^="Rectangle"]');
  const mark = () => {
    if (window.boardReadyAt === undefined && found()) {
      window.boardReadyAt = performance.now();
      observer.disconnect();
    }
    return window.boardReadyAt !== undefined;
  };
  const observer = new MutationObserver(mark);
  observer.observe(document, { subtree: true, childList: true, attributes: true });
  const frame = () => { if (!mark()) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
})();"""

READ_BOARD = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const entries = [nav, ...performance.getEntriesByType("resource")];
  return {
    ready: window.boardReadyAt, load: nav.loadEventStart,
    bytes: entries.reduce((sum, e) => sum + e.transferSize, 0),
    dist: performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname)
      .filter((path) => path.startsWith("/static/dist/")),
  };
}"""


def board_timed(page, navigate) -> dict:
    navigate()
    # Polled from here: the page's CSP refuses the eval behind Playwright's wait_for_function.
    deadline = time.monotonic() + 60
    while page.evaluate("() => window.boardReadyAt") is None:
        if time.monotonic() > deadline:
            raise RuntimeError("the board did not become interactive within 60 s")
        page.wait_for_timeout(20)
    expect(page.get_by_role("region", name="Your whiteboard")).to_be_visible()
    return page.evaluate(READ_BOARD)


def measure() -> dict:
    before = loadavg()
    with served_in_chromium("board") as served:
        app, url, browser = served.app, served.url, served.browser
        with app.app_context():
            prompts = {stage: content().catalog.for_stage(stage)[0].slug for stage in (BOARD_STAGE, PLAIN_STAGE)}
        first = browser.new_context()
        page = first.new_page()
        sign_up(page, url, email="bench@example.com", name="Bench")
        board_page = start_round(page, url, BOARD_STAGE, prompts[BOARD_STAGE])
        plain_page = start_round(page, url, PLAIN_STAGE, prompts[PLAIN_STAGE])
        for address in (board_page, plain_page):
            page.goto(address, wait_until="networkidle")
        login = first.storage_state()
        first.close()
        board: dict = {"cold": [], "warm": []}
        plain: dict = {"cold": [], "warm": [], "board_requests": 0}
        for _ in range(LOADS):
            context = browser.new_context(storage_state=login, viewport={"width": 1440, "height": 1000})
            page = context.new_page()
            page.add_init_script(MARK_BOARD)
            board["cold"].append(board_timed(page, partial(page.goto, board_page)))
            board["warm"].append(board_timed(page, page.reload))
            context.close()
            context = browser.new_context(storage_state=login)
            page = context.new_page()
            fetched: list[str] = []
            page.on("request", lambda r, into=fetched: into.append(r.url))
            plain["cold"].append(timed(page, "plain", partial(page.goto, plain_page)))
            plain["warm"].append(timed(page, "plain", page.reload))
            plain["board_requests"] += sum(1 for u in fetched if any(name in u for name in BOARD_FILES))
            context.close()
        dist = dist_folder(app)
    return {"board": board, "plain": plain, "dist": dist, "prompts": prompts, "before": before, "after": loadavg()}


def weight(dist: Path, paths: list[str]) -> dict[str, int]:
    """Bytes as built and gzipped of the scripts and stylesheets among the paths, and of the fonts."""
    files = list(dict.fromkeys(p[len(DIST) :] for p in paths))
    code = [f for f in files if not f.endswith(".woff2")]
    fonts = [f for f in files if f.endswith(".woff2")]
    gz = [(dist / f"{f}.gz") if (dist / f"{f}.gz").exists() else dist / f for f in code]
    return {
        "files": len(code),
        "min": sum((dist / f).stat().st_size for f in code),
        "gzip": sum(p.stat().st_size for p in gz),
        "fonts": len(fonts),
        "fonts_bytes": sum((dist / f).stat().st_size for f in fonts),
    }


def rows(figures: dict) -> list[tuple[str, str, str | None]]:
    """(label, shown, JSON key) for each figure, in table order."""
    board, plain = figures["board"], figures["plain"]
    bundle = weight(figures["dist"], board["cold"][0]["dist"])
    loads = len(board["cold"])
    return [
        ("load average (/proc/loadavg) before / after", f"{figures['before']} / {figures['after']}", None),
        (
            f"whiteboard bundle ({bundle['files']} scripts and stylesheets), minified",
            f"{bundle['min'] / 1000:,.0f} KB ({bundle['gzip'] / 1000:,.0f} KB gzipped)",
            "board_kb_min",
        ),
        ("  fonts its first drawing loads", f"{bundle['fonts']} files, {bundle['fonts_bytes'] / 1000:,.0f} KB", None),
        (
            f"interactive board ({BOARD_STAGE}), cold cache, median / worst of {loads}",
            ms(stats(board["cold"], "ready")),
            "board_interactive_cold_ms",
        ),
        ("  warm cache (a reload)", ms(stats(board["warm"], "ready")), "board_interactive_warm_ms"),
        (
            f"round page without the whiteboard ({PLAIN_STAGE}), load event, cold",
            ms(stats(plain["cold"], "load")),
            "round_plain_cold_load_ms",
        ),
        ("  warm cache (a reload)", ms(stats(plain["warm"], "load")), "round_plain_warm_load_ms"),
        ("  whiteboard or diagram files it fetched", str(plain["board_requests"]), "round_plain_board_requests"),
    ]


def json_values(figures: dict) -> dict[str, int]:
    """The medians (and counts), by the keys of rows()."""
    board, plain = figures["board"], figures["plain"]
    bundle = weight(figures["dist"], board["cold"][0]["dist"])
    return {
        "board_kb_min": round(bundle["min"] / 1000),
        "board_interactive_cold_ms": round(stats(board["cold"], "ready")[0]),
        "board_interactive_warm_ms": round(stats(board["warm"], "ready")[0]),
        "round_plain_cold_load_ms": round(stats(plain["cold"], "load")[0]),
        "round_plain_warm_load_ms": round(stats(plain["warm"], "load")[0]),
        "round_plain_board_requests": plain["board_requests"],
    }


def main() -> int:
    figures = measure()
    table = [(label, shown) for label, shown, _ in rows(figures)]
    width = max(len(label) for label, _ in table)
    for label, shown in table:
        print(f"{label.ljust(width)}  {shown}")
    print(json.dumps(json_values(figures)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
