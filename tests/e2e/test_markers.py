"""The interviewer's markers in Chromium: dropped during a peer round with the round's time, pulled
into a dimension's evidence on the score form (with the mouse, and with the keyboard alone), carried
onto the scorecard, and absent from the candidate's replay until the interviewer shares them."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.helpers import sign_up

FIRST, SECOND = "missed the retry storm", "asked about quotas"


def peer_round(browser, live_url):
    """Bob interviews Ada in a running peer round of two minutes; returns both pages and the round id."""
    interviewer, candidate = browser.new_context().new_page(), browser.new_context().new_page()
    interviewer.on("dialog", lambda d: d.accept())
    sign_up(interviewer, live_url, email="bob@example.com", name="Bob")
    interviewer.goto(live_url + "/stages/quick/start")
    interviewer.get_by_label("Prompt").select_option("quick-prompt-1")
    interviewer.get_by_label("Me as the interviewer, with a peer answering").check()
    interviewer.get_by_label("Duration in minutes").fill("2")
    interviewer.get_by_role("button", name="Start", exact=True).click()
    link = interviewer.get_by_label(re.compile("Send this link")).input_value()
    sign_up(candidate, live_url)
    candidate.goto(link)
    candidate.get_by_role("button", name="Join as candidate").click()
    expect(interviewer.locator("#status")).to_have_text("waiting for you to start", timeout=5000)
    interviewer.get_by_role("button", name="Start", exact=True).click()
    expect(candidate.locator("#status")).to_have_text("running", timeout=5000)
    rid = int(re.search(r"/rounds/(\d+)", interviewer.url).group(1))
    return interviewer, candidate, rid


def drop(page, text: str, keyboard: bool) -> str:
    """Drop a marker from the round page; return the round time the page says it was kept at."""
    box = page.get_by_role("textbox", name="Marker")
    box.fill(text)
    if keyboard:
        box.press("Enter")
    else:
        page.get_by_role("button", name="Drop marker").click()
    status = page.locator("#marker-status")
    expect(status).to_contain_text("Marker kept at")
    expect(box).to_have_value("")  # kept: the box is cleared for the next one
    return re.search(r"kept at (\d\d:\d\d)", status.inner_text()).group(1)


def test_markers_go_into_the_evidence_and_to_the_candidate_once_shared(browser, live_url, server_clock):
    interviewer, candidate, rid = peer_round(browser, live_url)

    server_clock.jump(seconds=42)
    first = drop(interviewer, FIRST, keyboard=True)
    server_clock.jump(seconds=30)
    second = drop(interviewer, SECOND, keyboard=False)
    seconds = [int(t[:2]) * 60 + int(t[3:]) for t in (first, second)]
    assert 42 <= seconds[0] < 60 and 30 <= seconds[1] - seconds[0] < 40, (first, second)  # jumps plus real time
    mine = interviewer.get_by_role("list", name="Your markers")
    expect(mine.get_by_role("listitem")).to_have_text([f"{first} {FIRST}", f"{second} {SECOND}"])
    expect(candidate.get_by_text(FIRST)).to_have_count(0)  # never on the candidate's page

    interviewer.get_by_role("button", name="End early").click()
    expect(candidate.locator("#status")).to_have_text("ended", timeout=5000)
    interviewer.get_by_role("link", name="Score the candidate").click()
    form = interviewer.locator("#scorecard-form")

    # With the mouse: the first marker into Depth.
    form.get_by_label(f"Dimension for the marker at {first}").select_option(label="Depth")
    pull_first = form.get_by_role("button", name=f"Add to evidence: the marker at {first}")
    pull_first.click()
    expect(form.get_by_label("Evidence for Depth")).to_have_value(f"[{first}] {FIRST}")
    expect(form.locator("#marker-added")).to_have_text("Added to the evidence for Depth.")

    # With the keyboard alone: Tab from there to the second marker's dimension, choose Depth too, Tab
    # to its button and press it; the marker goes on a line of its own after the first.
    pull_first.focus()
    interviewer.keyboard.press("Tab")
    choose = form.get_by_label(f"Dimension for the marker at {second}")
    expect(choose).to_be_focused()
    expect(choose).to_have_value("evidence_clarity")
    interviewer.keyboard.press("ArrowDown")
    expect(choose).to_have_value("evidence_depth")
    interviewer.keyboard.press("Tab")
    expect(form.get_by_role("button", name=f"Add to evidence: the marker at {second}")).to_be_focused()
    interviewer.keyboard.press("Enter")
    expect(form.get_by_label("Evidence for Depth")).to_have_value(f"[{first}] {FIRST}\n[{second}] {SECOND}")
    expect(form.get_by_label("Evidence for Clarity")).to_have_value("")

    clarity = form.get_by_role("group", name="Clarity")
    clarity.get_by_label(re.compile("3: clear")).check()
    clarity.get_by_label("Evidence for Clarity").fill("Stated the goal before answering.")
    form.get_by_role("group", name="Depth").get_by_label(re.compile("2: some depth")).check()
    form.get_by_role("group", name="Overall recommendation").get_by_label("Yes", exact=True).check()
    form.get_by_label("Keep doing").fill("Clarify first.")
    form.get_by_label("Stop doing").fill("Trailing off.")
    form.get_by_label("Start doing").fill("Summarise at the end.")
    form.get_by_role("button", name="Submit scorecard").click()
    expect(interviewer.get_by_text("Scorecard saved.")).to_be_visible()
    expect(interviewer.get_by_role("cell", name=re.compile(re.escape(f"[{first}] {FIRST}")))).to_be_visible()
    expect(interviewer.get_by_role("cell", name=re.compile(re.escape(f"[{second}] {SECOND}")))).to_be_visible()

    # The candidate's replay: no markers while they are the interviewer's alone.
    candidate.goto(f"{live_url}/rounds/{rid}/replay")
    timeline = candidate.get_by_role("img", name=re.compile("The round's timeline"))
    expect(timeline).to_have_accessible_name(re.compile(r", 0 markers;"))
    expect(candidate.locator(".moments li").filter(has_text="Marker")).to_have_count(0)
    expect(candidate.locator("#replay-timeline circle.marker")).to_have_count(0)

    interviewer.goto(f"{live_url}/rounds/{rid}/replay")
    interviewer.get_by_role("button", name="Share my notes and markers with the candidate").click()
    expect(interviewer.get_by_text("Your notes and markers are shared with the candidate.").first).to_be_visible()

    candidate.reload()
    expect(timeline).to_have_accessible_name(re.compile(r", 2 markers;"))
    expect(candidate.locator(".moments li").filter(has_text="Marker:")).to_have_text(
        [f"{first} Marker: {FIRST}", f"{second} Marker: {SECOND}"]
    )
    expect(candidate.locator("#replay-timeline circle.marker")).to_have_count(2)
    candidate.locator(".moments").get_by_role("button", name=second).click()  # a moment seeks the replay there
    expect(candidate.get_by_role("slider", name="Position")).to_have_attribute(
        "aria-valuetext", re.compile(rf"^{second} of ")
    )
