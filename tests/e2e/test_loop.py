import re
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from tests.e2e.helpers import sign_up


def test_plan_a_two_stage_loop_and_watch_the_second_round_open(page, live_url, server_clock):
    sign_up(page, live_url)
    page.goto(live_url + "/loops/new")
    start = datetime.now(timezone.utc) + timedelta(minutes=2)
    page.emulate_media()  # the browser runs in UTC here; the form says so through its hidden tz field
    page.get_by_label("Start (your local time)").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Break between rounds (minutes)").fill("1")
    for stage in ("quick", "talk"):
        expect(page.locator(f'input[name="stages"][value="{stage}"]')).to_be_checked()
    page.get_by_label("Talk minutes").fill("1")
    page.get_by_role("button", name="Plan the loop").click()
    expect(page.get_by_text("Loop planned")).to_be_visible()
    loop_url = page.url
    expect(page.locator("#loop-next")).to_contain_text("Next: round 1 opens")

    server_clock.jump(minutes=2)  # the start time arrives: round 1 opens without a reload
    expect(page.locator("#loop-next")).to_contain_text("Round 1 is open now", timeout=5000)
    page.get_by_role("link", name="Open and start").click()
    page.on("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.locator("#status")).to_have_text("running")
    page.get_by_role("button", name="End early").click()
    page.wait_for_url(re.compile(r"/score$"))

    page.goto(loop_url)
    expect(page.locator("#loop-next")).to_contain_text("Next: round 2 opens")
    # Round 1 ended early, which does not pull round 2 forward: it opens at its planned time,
    # round 1's planned minute plus the one-minute break after the start.
    server_clock.jump(minutes=2, seconds=5)
    expect(page.locator("#loop-next")).to_contain_text("Round 2 is open now", timeout=5000)
    expect(page.locator("#loop-done")).to_have_text("1")
