"""The story bank in Chromium: write a story, tag it, drill it against the clock, rate it, and watch
the coverage grid change; two tabs editing one story; no request ever leaves the app."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.helpers import sign_up


def watch_requests(page, live_url) -> list[str]:
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(live_url + "/") else elsewhere.append(r.url))
    return elsewhere


def write_story(page, live_url) -> None:
    page.goto(live_url + "/stories")
    expect(page.locator("#cov-summary")).to_have_text("0 of 1 behavioral dimensions have a story; the gaps are marked.")
    page.get_by_role("link", name="Write a story").click()
    page.get_by_label("Title").fill("Pager storm")
    page.get_by_label("Situation").fill("Every alert paged all twelve of us at once. Nobody knew who led.")
    page.get_by_role("checkbox", name=re.compile("Clarity")).check()
    page.get_by_role("checkbox", name="Talk prompt 1").check()
    page.get_by_role("button", name="Save the story").click()
    expect(page.get_by_text("Story saved. It saves as you type from here on.")).to_be_visible()


def test_write_tag_drill_and_rate_a_story_and_see_the_coverage_change(page, live_url, server_clock):
    elsewhere = watch_requests(page, live_url)
    sign_up(page, live_url)
    write_story(page, live_url)

    # Autosave: type, wait for the save, and the text is there after a reload.
    page.get_by_label("Action").fill("I split the rota and wrote the escalation page.")
    expect(page.locator("#story-status")).to_contain_text("Saved at", timeout=5000)
    page.reload()
    expect(page.get_by_label("Action")).to_have_value("I split the rota and wrote the escalation page.")
    expect(page.get_by_role("checkbox", name=re.compile("Clarity"))).to_be_checked()

    # The drill: bullet points, a 30-second limit, counted down by the page from the server's time.
    page.get_by_label("Time limit (seconds)").fill("30")
    page.get_by_label("Bullet points").check()
    page.get_by_role("button", name="Start the drill").click()
    clock = page.get_by_role("timer")
    expect(clock).to_have_text(re.compile(r"00:(30|29|28)"))
    expect(page.get_by_role("listitem").filter(has_text="Situation:")).to_contain_text(
        "Every alert paged all twelve of us at once."
    )
    expect(page.get_by_text("Nobody knew who led.")).to_have_count(0)
    server_clock.jump(seconds=40)  # the teller runs over; the page learns it from the server on reload
    page.reload()
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^\+00:1\d$"))
    expect(page.locator("#drill-status")).to_have_text("Time is up. Wrap up, then press I'm done.")
    page.get_by_role("button", name="I'm done").click()
    expect(page.locator("#drill-took")).to_contain_text("of 00:30: over by 00:1")

    # Rate it: a missing rating is pointed out, then the rating lands on the story and the grid.
    page.get_by_role("button", name="Save the ratings").click()
    expect(page.get_by_role("alert")).to_contain_text("Rate Clarity from 1 to 4.")
    page.get_by_role("group", name="Clarity").get_by_role("radio", name=re.compile("3: clear")).check()
    page.get_by_role("button", name="Save the ratings").click()
    expect(page.get_by_text("Drill rated")).to_be_visible()
    expect(page.locator("table.drills")).to_contain_text("3")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Stories").click()
    expect(page.locator("#cov-summary")).to_have_text("1 of 1 behavioral dimensions have a story.")
    row = page.get_by_role("row", name=re.compile("^Clarity"))
    expect(row).to_contain_text("drilled, rated 3 or higher")
    expect(row.get_by_role("cell").nth(1)).to_contain_text("3")
    expect(page.get_by_role("row", name=re.compile("^Talk prompt 1"))).to_contain_text("Pager storm")
    assert elsewhere == []


def test_a_second_tab_is_told_which_copy_won_and_keeps_its_text(page, live_url, server_clock):
    sign_up(page, live_url)
    write_story(page, live_url)
    url = page.url
    other = page.context.new_page()
    other.goto(url)

    page.get_by_label("Result").fill("Pages fell from 40 a night to 3.")
    expect(page.locator("#story-status")).to_contain_text("Saved at", timeout=5000)
    other.get_by_label("Result").fill("Typed in the older tab.")
    status = other.locator("#story-status")
    won = "saved from another tab or device, and that newer copy is the one kept"
    expect(status).to_contain_text(won, timeout=5000)
    expect(other.get_by_label("Result")).to_have_value("Typed in the older tab.")
    other.get_by_role("button", name="Use my text (replace the newer copy)").click()
    expect(status).to_contain_text("Saved at", timeout=5000)
    page.reload()
    expect(page.get_by_label("Result")).to_have_value("Typed in the older tab.")
