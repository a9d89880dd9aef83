"""The round page's load time in Chromium, with the code editor and without any workspace.

The real app, on a throwaway instance folder with a migrated SQLite database, is served from a thread
(tests/e2e/module_page.py's serve). A user signs up in the browser and starts two rounds through
POST /api/rounds: one of a stage with the code workspace (phone-screen) and one of a stage with none
(recruiter-screen). Each page is first opened once unmeasured, so that the server has rendered it
before (its templates compiled), as a running server has. Then, the two pages alternating so
that a neighbour's load falls on both alike, each is opened LOADS times in a fresh browser context
(an empty HTTP cache: "cold") and reloaded once in that context (the cache that load filled: "warm").

Times are from the navigation's start, read from the page's own Navigation Timing: DOMContentLoaded,
the load event and, on the coding page, the editor being interactive (#code-editor shown with the
"Your code" textbox in it: marked by an observer in the page, then checked with Playwright; it can
come before DOMContentLoaded, since the editor's module script runs before that event fires). Bytes
are the transfer sizes (headers and encoded bodies; 0 for a cache hit) of every request the page
made until the network was idle: the page, its assets, and the first calls its scripts make. Median
and worst of each; /proc/loadavg is printed before and after, since a busy machine slows every
figure here. Prints a table, then one JSON line (the last line); no targets (the issue asks for the
figures). One to two minutes; needs `make assets` and Debian's chromium.

    .venv/bin/python bench/round_page.py
"""

from __future__ import annotations

import json
import statistics
import sys
from functools import partial
from pathlib import Path

from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.e2e

from browser import served_in_chromium  # noqa: E402

from mockloop.content import content  # noqa: E402
from tests.e2e.helpers import sign_up  # noqa: E402

LOADS = 5  # fresh contexts per page, each then reloaded once
PAGES = {"code": "phone-screen", "plain": "recruiter-screen"}  # with the code editor, with no workspace
EDITOR_LABEL = "Your code"

# Marks the moment the code workspace became usable. CodeMirror lives in a shadow root, which a
# document observer does not see into: it sees #code-editor being unhidden, and each animation
# frame checks as well, in case the textbox comes after that.
MARK_EDITOR = """(() => {
  const found = () => {
    const host = document.getElementById("code-editor");
    if (!host || host.hidden || !host.checkVisibility()) return false;
    return [...host.querySelectorAll("*")].some(
      (el) => el.shadowRoot?.querySelector('[role="textbox"][aria-label="LABEL"]'));
  };
  const mark = () => {
    if (window.editorReadyAt === undefined && found()) {
      window.editorReadyAt = performance.now();
      observer.disconnect();
    }
    return window.editorReadyAt !== undefined;
  };
  const observer = new MutationObserver(mark);
  observer.observe(document, { subtree: true, childList: true, attributes: true });
  const frame = () => { if (!mark()) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
})();""".replace("LABEL", EDITOR_LABEL)

READ_TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const entries = [nav, ...performance.getEntriesByType("resource")];
  return {
    dcl: nav.domContentLoadedEventStart,
    load: nav.loadEventStart,
    editor: window.editorReadyAt ?? null,
    bytes: entries.reduce((sum, e) => sum + e.transferSize, 0),
  };
}"""


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def start_round(page, url: str, stage: str, prompt: str) -> str:
    """The address of a new solo round of `stage` on `prompt`, started as the start page's script does."""
    page.goto(url + "/")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    res = page.request.post(
        url + "/api/rounds", headers={"X-CSRFToken": token}, data={"stage": stage, "prompt": prompt}
    )
    if res.status != 201:
        raise RuntimeError(f"starting a {stage} round answered {res.status}: {res.text()[:300]}")
    return url + res.json()["url"]


def timed(page, kind: str, navigate) -> dict:
    """Navigate (goto or reload), wait until the network is idle, and read the page's timings."""
    navigate()
    page.wait_for_load_state("networkidle")
    if kind == "code":
        page.wait_for_function("window.editorReadyAt !== undefined", timeout=30_000)
        # What the in-page mark stands for, as a user's assistive technology finds it.
        expect(page.locator("#code-editor")).to_be_visible()
        expect(page.get_by_role("textbox", name=EDITOR_LABEL)).to_be_attached()
    elif page.locator("#code-panel, #board-panel").count():
        raise RuntimeError(f"the {PAGES['plain']} round page has a workspace: pick a stage without one")
    return page.evaluate(READ_TIMING)


def measure() -> dict:
    """{"code"|"plain": {"cold"|"warm": [samples]}, "stages", "prompts", "loadavg_before", "loadavg_after"}."""
    before = loadavg()
    with served_in_chromium("round") as served:
        url, browser = served.url, served.browser
        with served.app.app_context():
            prompts = {kind: content().catalog.for_stage(stage)[0].slug for kind, stage in PAGES.items()}
        first = browser.new_context()
        page = first.new_page()
        sign_up(page, url, email="bench@example.com", name="Bench")
        pages = {kind: start_round(page, url, PAGES[kind], prompts[kind]) for kind in PAGES}
        for address in pages.values():
            page.goto(address, wait_until="networkidle")  # the server's first render of each
        login = first.storage_state()  # the session cookie, for contexts with empty caches
        first.close()
        samples: dict = {kind: {"cold": [], "warm": []} for kind in PAGES}
        for _ in range(LOADS):
            for kind, address in pages.items():
                context = browser.new_context(storage_state=login)
                page = context.new_page()
                if kind == "code":
                    page.add_init_script(MARK_EDITOR)
                samples[kind]["cold"].append(timed(page, kind, partial(page.goto, address)))
                samples[kind]["warm"].append(timed(page, kind, page.reload))
                context.close()
    return {**samples, "prompts": prompts, "loadavg_before": before, "loadavg_after": loadavg()}


def stats(samples: list[dict], field: str) -> tuple[float, float]:
    """(median, worst) of one field of the samples."""
    values = [s[field] for s in samples]
    return statistics.median(values), max(values)


def ms(pair: tuple[float, float]) -> str:
    return f"{pair[0]:.0f} / {pair[1]:.0f} ms"


def rows(figures: dict) -> list[tuple[str, str, str | None]]:
    """(label, shown, JSON key) for each figure, in table order."""
    table: list[tuple[str, str, str | None]] = [
        ("load average (/proc/loadavg) before", figures["loadavg_before"], None),
        ("load average (/proc/loadavg) after", figures["loadavg_after"], None),
    ]
    names = {"code": "WITH the code editor", "plain": "WITHOUT any workspace"}
    caches = {"cold": "cold cache (a fresh context)", "warm": "warm cache (a reload)"}
    for kind, stage in PAGES.items():
        table.append((f"round page {names[kind]}", f"a {stage} round, prompt {figures['prompts'][kind]}", None))
        for cache, how in caches.items():
            got, key = figures[kind][cache], f"round_{kind}_{cache}"
            table.append(
                (
                    f"  {how}, median / worst of {len(got)}",
                    f"DOMContentLoaded {ms(stats(got, 'dcl'))}, load event {ms(stats(got, 'load'))}",
                    f"{key}_load_ms",
                )
            )
            if kind == "code":
                table.append(("    editor interactive", ms(stats(got, "editor")), f"{key}_editor_ms"))
            median, most = stats(got, "bytes")
            table.append(("    transferred", f"{median / 1000:,.0f} / {most / 1000:,.0f} KB", f"{key}_kb"))
    return table


def json_values(figures: dict) -> dict[str, int]:
    """The medians, by the keys of rows()."""
    values = {}
    for kind in PAGES:
        for cache in ("cold", "warm"):
            got, key = figures[kind][cache], f"round_{kind}_{cache}"
            values[f"{key}_load_ms"] = round(stats(got, "load")[0])
            if kind == "code":
                values[f"{key}_editor_ms"] = round(stats(got, "editor")[0])
            values[f"{key}_kb"] = round(stats(got, "bytes")[0] / 1000)
    return values


def main() -> int:
    figures = measure()
    table = [("figure", "measured")] + [(label, shown) for label, shown, _ in rows(figures)]
    width = max(len(label) for label, _ in table)
    for label, shown in table:
        print(f"{label.ljust(width)}  {shown}")
    print(json.dumps(json_values(figures)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
