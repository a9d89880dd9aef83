"""The scratchpad's autosave in a real browser: typing until the lock, a stale tab, the server down.

MOCKLOOP_DEADLINE_RUNS=20 repeats the deadline run that many times and prints the total
"tokens lost / typed" (tokens typed more than 1 s before the server's deadline that are missing
from the locked scratchpad); the default is one run.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from playwright.sync_api import expect

from mockloop.db import db
from mockloop.db.models import Round
from tests.e2e.helpers import sign_up

DEADLINE_RUNS = int(os.environ.get("MOCKLOOP_DEADLINE_RUNS", "1"))


def start_round(page, live_url, minutes=1) -> int:
    """A solo quick round through the JSON API (with the page's session and CSRF token); open it."""
    page.goto(live_url + "/")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    res = page.request.post(
        live_url + "/api/rounds",
        headers={"X-CSRFToken": token},
        data={"stage": "quick", "prompt": "quick-prompt-1", "minutes": minutes},
    )
    assert res.status == 201, res.text()
    body = res.json()
    page.goto(live_url + body["url"])
    return body["id"]


@dataclass(frozen=True)
class Stored:
    scratchpad: str
    deadline_at: datetime | None
    locked_at: datetime | None
    status: str


def stored(app, round_id) -> Stored:
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        return Stored(rnd.text("scratchpad"), rnd.deadline_at, rnd.locked_at, rnd.status)


def type_until_locked(page, app, server_clock, round_id) -> tuple[int, list[str]]:
    """Type a distinct token every ~100 ms until the round locks; return (tokens typed more than 1 s
    before the deadline, those of them missing from the locked scratchpad)."""
    server_clock.jump(seconds=52)  # about 8 s left
    page.evaluate("window.mockloopRound.poll()")
    pad = page.get_by_role("textbox", name="Scratchpad")
    pad.click()
    deadline = stored(app, round_id).deadline_at
    typed = []  # (token, server time just after its keystrokes were delivered)
    i = 0
    while server_clock() < deadline + timedelta(seconds=1.5):
        token = f" t{i:03d}"
        page.keyboard.type(token)
        typed.append((token.strip(), server_clock()))
        i += 1
        time.sleep(max(0.0, 0.1 - (time.monotonic() % 0.1)))
    expect(page.locator("#status")).to_have_text("time is up", timeout=5000)
    rnd = stored(app, round_id)
    assert rnd.status == "locked" and rnd.locked_at == deadline
    locked_tokens = set(rnd.scratchpad.split())
    due = [tok for tok, at in typed if at < deadline - timedelta(seconds=1)]
    return len(due), [tok for tok in due if tok not in locked_tokens]


def test_typing_until_the_lock_keeps_every_keystroke_older_than_one_second(
    page, live_url, small_loop_app, server_clock
):
    sign_up(page, live_url)
    total, lost = 0, []
    for _ in range(DEADLINE_RUNS):
        round_id = start_round(page, live_url)
        due, missing = type_until_locked(page, small_loop_app, server_clock, round_id)
        total += due
        lost += missing
    print(f"\nlast-edit loss over {DEADLINE_RUNS} deadline runs: {len(lost)} / {total} tokens lost {lost}")
    assert total > DEADLINE_RUNS * 30  # about 7 s of tokens per run reached the check
    assert lost == []


def test_a_stale_tab_says_which_copy_won_until_its_user_chooses(browser, live_url, small_loop_app):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_url)
    first = context.new_page()
    sign_up(first, live_url)
    round_id = start_round(first, live_url, minutes=3)
    second = context.new_page()
    second.goto(first.url)
    puts = []
    first.on("request", lambda r: puts.append(r) if r.method == "PUT" else None)

    second.get_by_role("textbox", name="Scratchpad").fill("from the second tab")
    expect(second.locator("#save-status")).to_contain_text("Saved at")
    pad = first.get_by_role("textbox", name="Scratchpad")
    pad.fill("from the first tab")
    status = first.locator("#save-status")
    expect(status).to_contain_text("that newer copy is the one kept")
    sent = len(puts)
    pad.press("End")
    pad.type(" and more")  # more typing keeps the warning and sends nothing
    first.wait_for_timeout(1500)
    expect(status).to_contain_text("that newer copy is the one kept")
    assert len(puts) == sent
    assert stored(small_loop_app, round_id).scratchpad == "from the second tab"

    first.get_by_role("button", name="Copy my text").click()
    expect(first.get_by_role("button", name="Copied")).to_be_visible()
    assert first.evaluate("navigator.clipboard.readText()") == "from the first tab and more"
    first.get_by_role("button", name=re.compile("^Merge")).click()
    expect(status).to_contain_text("Saved at")
    merged = "from the second tab\n\n--- merged from this tab ---\n\nfrom the first tab and more"
    expect(pad).to_have_value(merged)
    assert stored(small_loop_app, round_id).scratchpad == merged

    # Now the second tab is the stale one; its user keeps their own text on purpose.
    other = second.get_by_role("textbox", name="Scratchpad")
    other.press("End")
    other.type("!")
    expect(second.locator("#save-status")).to_contain_text("that newer copy is the one kept")
    second.get_by_role("button", name=re.compile("^Use my text")).click()
    expect(second.locator("#save-status")).to_contain_text("Saved at")
    assert stored(small_loop_app, round_id).scratchpad == "from the second tab!"
    context.close()


def test_copy_falls_back_to_selecting_the_text(page, live_url):
    sign_up(page, live_url)
    start_round(page, live_url, minutes=3)
    page.evaluate("() => { navigator.clipboard.writeText = () => Promise.reject(new Error('denied')); }")
    page.route(
        "**/api/rounds/*/scratchpad",
        lambda route: (
            route.fulfill(
                status=409,
                content_type="application/json",
                body='{"message": "The round is locked: it was ended early. Your earlier saves are kept.",'
                ' "reason": "locked", "revision": 0}',
            )
            if route.request.method == "PUT"
            else route.continue_()
        ),
    )
    pad = page.get_by_role("textbox", name="Scratchpad")
    pad.fill("my answer")
    expect(page.locator("#save-status")).to_contain_text("it was ended early")
    page.get_by_role("button", name="Copy my text").click()
    expect(page.get_by_role("button", name="Selected: press Ctrl+C")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "scratchpad"
    assert page.evaluate("[scratchpad.selectionStart, scratchpad.selectionEnd]") == [0, len("my answer")]


def test_with_the_server_unreachable_the_page_says_so_keeps_the_text_and_saves_when_back(
    page, live_url, small_loop_app, server_clock
):
    sign_up(page, live_url)
    round_id = start_round(page, live_url, minutes=3)
    pad = page.get_by_role("textbox", name="Scratchpad")
    notice = page.get_by_role("alert").filter(has_text="Can't reach the server")
    expect(notice).to_be_hidden()

    page.route("**/api/**", lambda route: route.abort())
    pad.fill("typed while offline")
    expect(notice).to_be_visible()
    expect(page.locator("#save-status")).to_contain_text("can't reach the server")
    expect(page.locator("#status")).to_have_text("reconnecting…")
    page.reload()  # the text survives a reload in this browser
    expect(pad).to_have_value("typed while offline")
    pad.press("End")
    pad.type(", and after a reload")
    expect(notice).to_be_visible()

    page.unroute("**/api/**")
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
    expect(notice).to_be_hidden()
    expect(page.locator("#status")).to_have_text("running")
    assert stored(small_loop_app, round_id).scratchpad == "typed while offline, and after a reload"

    # Offline through the deadline: no 00:00 "running" with a pad that looks writable.
    page.route("**/api/**", lambda route: route.abort())
    page.evaluate("window.mockloopRound.poll()")
    expect(notice).to_be_visible()
    server_clock.jump(minutes=3)
    page.evaluate("() => { window.mockloopRound.state().remaining_ms = 0; }")  # the page's own count reaches 0
    expect(page.locator("#status")).to_have_text("time is probably up: reconnecting…")
    expect(pad).not_to_be_editable()
    page.unroute("**/api/**")
    expect(page.locator("#status")).to_have_text("time is up", timeout=20_000)
    expect(notice).to_be_hidden()
    assert stored(small_loop_app, round_id).scratchpad == "typed while offline, and after a reload"


def test_text_kept_on_an_older_copy_is_offered_not_forced(page, live_url, small_loop_app):
    sign_up(page, live_url)
    round_id = start_round(page, live_url, minutes=3)
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    pad = page.get_by_role("textbox", name="Scratchpad")
    page.route("**/api/**", lambda route: route.abort())
    pad.fill("typed offline")
    expect(page.locator("#save-status")).to_contain_text("can't reach the server")
    page.unroute("**/api/**")
    # Meanwhile another device saves, and this tab reloads (the reload's own save is stale).
    res = page.request.put(
        f"{live_url}/api/rounds/{round_id}/scratchpad",
        headers={"X-CSRFToken": token},
        data={"text": "from elsewhere", "revision": 0},
    )
    assert res.status == 200
    page.reload()
    expect(pad).to_have_value("from elsewhere")
    expect(page.locator("#save-status")).to_contain_text("on an older copy of the scratchpad")
    page.get_by_role("button", name="Merge it below").click()
    merged = "from elsewhere\n\n--- merged from this tab ---\n\ntyped offline"
    expect(pad).to_have_value(merged)
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    assert stored(small_loop_app, round_id).scratchpad == merged


def test_statuses_read_as_sentences_not_title_case(page, live_url):
    sign_up(page, live_url, name="Nora Newcomer")
    start_round(page, live_url, minutes=3)
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#status")).to_have_text("paused by Nora Newcomer")
    assert page.locator("#status").inner_text() == "paused by Nora Newcomer"  # as rendered, after CSS
