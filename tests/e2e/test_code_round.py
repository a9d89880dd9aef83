"""The code workspace of a coding round in Chromium: type, run in the browser (Pyodide, JavaScript),
a runaway loop stopped, a stale tab warned, the lock freezing the editor with the last edits kept,
the interviewer following live, and every request going to the app itself."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from mockloop.db import db
from mockloop.db.models import Round, RoundRun
from tests.e2e.helpers import sign_up

PYODIDE_COLD = 60_000  # ms: the first Python run loads the runtime on a busy 2-core machine


def watch_origin(context, base_url: str) -> list[str]:
    """Every request of the context that went anywhere but the app (data: and blob: are not requests)."""
    origin, elsewhere = urlsplit(base_url)[:2], []

    def check(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and (parts.scheme, parts.netloc) != origin:
            elsewhere.append(request.url)

    context.on("request", check)
    return elsewhere


def start_code_round(page, live_url, minutes=2, role=None, prompt="code-prompt-1") -> dict:
    page.goto(live_url + "/")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    data = {"stage": "code", "prompt": prompt, "minutes": minutes, **({"role": role} if role else {})}
    res = page.request.post(live_url + "/api/rounds", headers={"X-CSRFToken": token}, data=data)
    assert res.status == 201, res.text()
    body = res.json()
    page.goto(live_url + body["url"])
    return body


def editor(page, name="Your code"):
    return page.get_by_role("textbox", name=name)


def replace_code(page, text, name="Your code"):
    box = editor(page, name)
    box.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def stored_code(app, round_id) -> str:
    with app.app_context():
        return db.session.get(Round, round_id).text("code")


def test_type_run_and_stop_a_runaway_loop(context, small_loop_app, live_url):
    page = context.new_page()
    elsewhere = watch_origin(context, live_url)
    sign_up(page, live_url)
    rid = start_code_round(page, live_url)["id"]
    expect(page.get_by_role("tab", name="Code")).to_have_attribute("aria-selected", "true")

    replace_code(page, 'import sys\ndef add(a, b):\n    return a + b\nprint(add(1, 2))\nprint("warn", file=sys.stderr)')
    expect(page.locator("#code-status")).to_contain_text("Saved at")
    assert "return a + b" in stored_code(small_loop_app, rid)

    page.keyboard.press("Control+Enter")  # runs from inside the editor
    expect(page.locator("#run-summary")).to_contain_text("Python run finished", timeout=PYODIDE_COLD)
    expect(page.get_by_label("Standard output")).to_have_text("3\n")
    expect(page.get_by_label("Standard error")).to_contain_text("warn")

    replace_code(page, "while True:\n    pass\n")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#run-summary")).to_contain_text("stopped: it ran past 3 s", timeout=15_000)
    expect(page.locator("#clock")).not_to_have_text("00:00")  # the page kept counting down meanwhile

    replace_code(page, "console.log([1, 2].map((x) => x * 2))")
    page.get_by_label("Language").select_option("javascript")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#run-summary")).to_contain_text("JavaScript run finished", timeout=15_000)
    expect(page.get_by_label("Standard output")).to_contain_text("2")
    expect(page.locator("#run-list li")).to_have_count(3)

    page.get_by_label("Language").select_option("go")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#run-summary")).to_contain_text("Go run not run")
    expect(page.get_by_label("Standard error")).to_contain_text("cannot run in the browser")

    with small_loop_app.app_context():
        outcomes = [r.outcome for r in db.session.execute(db.select(RoundRun).filter_by(round_id=rid)).scalars()]
    assert outcomes == ["ok", "timeout", "ok"]  # unsupported languages are not sent as runs
    assert elsewhere == []


def test_a_stale_tab_is_warned_and_keeps_its_code(context, small_loop_app, live_url):
    first = context.new_page()
    sign_up(first, live_url)
    rid = start_code_round(first, live_url)["id"]
    second = context.new_page()
    second.goto(first.url)
    replace_code(second, "x = 'from the second tab'")
    expect(second.locator("#code-status")).to_contain_text("Saved at")
    replace_code(first, "x = 'from the first tab'")
    expect(first.locator("#code-status")).to_contain_text("that newer copy is the one kept")
    assert stored_code(small_loop_app, rid) == "x = 'from the second tab'"
    expect(editor(first)).to_contain_text("from the first tab")  # nothing typed is lost


def test_the_lock_freezes_the_editor_and_keeps_the_last_edits(page, small_loop_app, live_url, server_clock):
    sign_up(page, live_url)
    rid = start_code_round(page, live_url, minutes=1)["id"]
    server_clock.jump(seconds=55)
    page.evaluate("window.mockloopRound.poll()")
    replace_code(page, "last = 'edit'")
    page.wait_for_timeout(1500)  # the autosave's maximum wait has passed
    server_clock.jump(seconds=10)
    page.evaluate("window.mockloopRound.poll()")
    expect(page.locator("#status")).to_have_text("time is up", timeout=5000)
    assert stored_code(small_loop_app, rid) == "last = 'edit'"
    expect(editor(page)).to_have_attribute("aria-readonly", "true")


def test_the_interviewer_follows_the_code_and_its_runs(browser, small_loop_app, live_url):
    interviewer_ctx, candidate_ctx = browser.new_context(), browser.new_context()
    elsewhere = watch_origin(interviewer_ctx, live_url) + watch_origin(candidate_ctx, live_url)
    interviewer, candidate = interviewer_ctx.new_page(), candidate_ctx.new_page()
    sign_up(candidate, live_url)
    made = start_code_round(candidate, live_url, role="candidate")
    sign_up(interviewer, live_url, email="bob@example.com", name="Bob")
    interviewer.goto(made["invite_url"])
    interviewer.get_by_role("button", name=re.compile("Join as interviewer")).click()
    interviewer.on("dialog", lambda d: d.accept())
    interviewer.get_by_role("button", name="Start", exact=True).click()
    expect(candidate.locator("#status")).to_have_text("running", timeout=3000)

    replace_code(candidate, "print('hello from Ada')")
    watched = editor(interviewer, "The candidate's code (read-only)")
    expect(watched).to_contain_text("hello from Ada", timeout=4000)
    expect(watched).to_have_attribute("aria-readonly", "true")
    assert interviewer.get_by_role("button", name="Run", exact=True).count() == 0

    candidate.get_by_role("button", name="Run").click()
    expect(candidate.locator("#run-summary")).to_contain_text("finished", timeout=PYODIDE_COLD)
    expect(interviewer.get_by_label("Standard output")).to_have_text("hello from Ada\n", timeout=4000)
    expect(interviewer.locator("#run-list li")).to_have_count(1)
    interviewer_ctx.close(), candidate_ctx.close()
    assert elsewhere == []


def test_code_samples_in_the_brief_scroll_instead_of_being_cut_off(page, live_url):
    sign_up(page, live_url)
    start_code_round(page, live_url)
    page.set_viewport_size({"width": 900, "height": 800})
    sample = page.locator(".brief pre").first
    box, brief = sample.bounding_box(), page.locator(".brief").bounding_box()
    assert box["x"] + box["width"] <= brief["x"] + brief["width"] + 1  # inside its column
    assert sample.evaluate("(pre) => pre.scrollWidth > pre.clientWidth")  # the long line scrolls


COUNTER = (
    "class Counter:\n    def __init__(self):\n        self.n = 0\n"
    "    def inc(self):\n        self.n += 1\n        return RESULT\n"
)


def test_examples_run_submit_opens_the_next_level_and_moving_on_is_recorded(page, small_loop_app, live_url):
    sign_up(page, live_url)
    made = start_code_round(page, live_url, minutes=3, prompt="code-levels")
    brief = page.get_by_role("article", name="Candidate brief")
    expect(brief).to_contain_text("Level 1: count up")
    expect(brief).not_to_contain_text("LEVEL-TWO-MARKER")  # the next level's brief is not on the page yet
    assert "LEVEL-TWO-MARKER" not in page.content() and "counts twice" not in page.content()
    examples = page.get_by_role("list", name="Example tests")
    expect(examples).to_contain_text("starts at zero and counts")

    replace_code(
        page,
        COUNTER.replace("RESULT", "0"),
    )
    page.get_by_role("button", name="Run").click()
    expect(examples.locator("li.fail")).to_have_count(1, timeout=PYODIDE_COLD)
    expect(examples).to_contain_text("expected 1 · got 0")

    replace_code(
        page,
        COUNTER.replace("RESULT", "self.n"),
    )
    page.get_by_role("button", name="Run").click()
    expect(examples.locator("li.pass")).to_have_count(1, timeout=15_000)
    page.get_by_role("button", name="Submit (hidden tests)").click()
    expect(page.locator("#submit-summary")).to_contain_text(
        "Hidden tests: 2 of 2 passed. Level 2 is open", timeout=15_000
    )
    expect(brief).to_contain_text("LEVEL-TWO-MARKER count by steps")
    expect(examples).to_contain_text("counts by a step")
    expect(page.locator("#level-label")).to_have_text("· level 2 of 2")
    expect(page.get_by_role("button", name="Move on to the next level")).to_be_hidden()  # the last level

    with small_loop_app.app_context():
        runs = (
            db.session.execute(db.select(RoundRun).filter_by(round_id=made["id"]).order_by(RoundRun.id)).scalars().all()
        )
        assert [(r.kind, r.level, r.tests_passed, r.tests_total) for r in runs] == [
            ("run", None, 0, 1),
            ("run", None, 1, 1),
            ("submit", 1, 2, 2),
        ]


def test_moving_on_without_passing_opens_the_next_level_and_is_recorded(page, small_loop_app, live_url):
    sign_up(page, live_url)
    made = start_code_round(page, live_url, minutes=3, prompt="code-levels")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Move on to the next level").click()
    expect(page.locator("#submit-summary")).to_contain_text("Moved on: level 2 is open")
    expect(page.get_by_role("article", name="Candidate brief")).to_contain_text("LEVEL-TWO-MARKER")
    expect(page.locator("#run-list")).to_contain_text("moved on from level 1 without passing")
    with small_loop_app.app_context():
        [run] = db.session.execute(db.select(RoundRun).filter_by(round_id=made["id"])).scalars().all()
        assert (run.kind, run.level) == ("move_on", 1)


def test_the_scorecard_shows_the_hidden_result_and_reruns_it_on_the_locked_code(page, live_url):
    sign_up(page, live_url)
    start_code_round(page, live_url)
    replace_code(page, "def add(a, b):\n    return a + b\n")
    page.get_by_role("button", name="Submit (hidden tests)").click()
    expect(page.locator("#submit-summary")).to_contain_text("Hidden tests: 3 of 3 passed.", timeout=PYODIDE_COLD)
    assert "HIDDEN-TEST-MARKER" not in page.content()  # their names and expected values stay on the server
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="End early").click()
    page.wait_for_url(re.compile(r"/score$"))
    page.get_by_role("group", name="Correctness").get_by_label(re.compile("3: correct on edge cases")).check()
    page.get_by_label("Evidence for Correctness").fill("All hidden tests passed.")
    page.get_by_role("group", name="Overall recommendation").get_by_label("Yes", exact=True).check()
    for field in ("Keep doing", "Stop doing", "Start doing"):
        page.get_by_label(field).fill("Something.")
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.get_by_text("Scorecard saved.")).to_be_visible()
    expect(page.locator(".level-outcomes")).to_contain_text(re.compile(r"cleared at \d+:\d\d, at the first submit"))
    expect(page.locator(".level-figures")).to_contain_text("first-run pass rate 100%")
    expect(page.locator("svg.run-timeline line")).to_have_count(1)
    page.get_by_role("button", name="Re-run the hidden tests on the locked code").click()
    expect(page.locator("#rerun-summary")).to_contain_text("3 of 3 hidden tests passed", timeout=PYODIDE_COLD)
    expect(page.get_by_role("list", name="Hidden test results")).to_contain_text("HIDDEN-TEST-MARKER floats")
