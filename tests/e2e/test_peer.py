import re

from playwright.sync_api import expect

from tests.e2e.helpers import score_round, sign_up

GUIDE_MARKER = "SECRET-GUIDE-TEXT"


def test_peer_round_end_to_end(browser, live_url, server_clock):
    interviewer_ctx, candidate_ctx = browser.new_context(), browser.new_context()
    interviewer, candidate = interviewer_ctx.new_page(), candidate_ctx.new_page()

    sign_up(interviewer, live_url, email="bob@example.com", name="Bob")
    interviewer.goto(live_url + "/stages/quick/start")
    interviewer.get_by_label("Prompt").select_option("quick-prompt-1")
    interviewer.get_by_label("Me as the interviewer, with a peer answering").check()
    interviewer.get_by_label("Duration in minutes").fill("2")
    interviewer.get_by_role("button", name="Start", exact=True).click()
    link = interviewer.get_by_label(re.compile("Send this link")).input_value()
    # Alone in the room, the interviewer is told what starting now would mean, and asked first.
    expect(interviewer.locator("#status")).to_have_text("waiting for the candidate to join")
    expect(interviewer.locator("#start-hint")).to_contain_text("the clock runs for both of you")
    asked = []
    interviewer.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    interviewer.get_by_role("button", name="Start", exact=True).click()
    expect(interviewer.locator("#status")).to_have_text("waiting for the candidate to join")
    assert asked == ["Start without the candidate? The clock runs for both of you from now."]
    interviewer.on("dialog", lambda d: d.accept())

    candidate.goto(link)  # not logged in yet: log in or sign up, then come back
    candidate.get_by_role("main").get_by_role("link", name="Sign up").click()
    candidate.get_by_label("Email").fill("ada@example.com")
    candidate.get_by_label("Display name").fill("Ada")
    candidate.get_by_label("Password", exact=True).fill("correct horse battery")
    candidate.get_by_label("Repeat password").fill("correct horse battery")
    candidate.get_by_role("button", name="Create account").click()
    candidate.get_by_role("button", name="Join as candidate").click()
    expect(candidate.locator("#status")).to_have_text("waiting for the interviewer to start")
    expect(interviewer.locator("#peer-names")).to_contain_text("Candidate: Ada", timeout=3000)
    expect(interviewer.locator("#status")).to_have_text("waiting for you to start")
    expect(interviewer.locator("#start-hint")).to_be_hidden()

    interviewer.get_by_role("button", name="Start", exact=True).click()
    expect(candidate.locator("#status")).to_have_text("running", timeout=2500)
    interviewer.get_by_role("button", name="Pause").click()
    expect(candidate.locator("#status")).to_have_text("paused by Bob", timeout=2500)
    interviewer.get_by_role("button", name="Resume").click()
    expect(candidate.locator("#status")).to_have_text("running", timeout=2500)

    candidate.get_by_role("textbox", name="Scratchpad").fill("use a queue")
    expect(interviewer.get_by_role("textbox", name="Scratchpad")).to_have_value("use a queue", timeout=4000)
    notes = interviewer.get_by_role("textbox", name="Your private notes")
    notes.fill("## Clarity\nNamed the queue early.\n")
    expect(interviewer.locator("#notes-status")).to_contain_text("Saved")
    assert GUIDE_MARKER in interviewer.content()
    assert GUIDE_MARKER not in candidate.content() and "Named the queue" not in candidate.content()

    interviewer.get_by_role("button", name="End early").click()
    expect(candidate.locator("#status")).to_have_text("ended", timeout=2500)
    expect(candidate.get_by_role("textbox", name="Scratchpad")).not_to_be_editable()
    interviewer.get_by_role("link", name="Score the candidate").click()
    expect(interviewer.get_by_label("Evidence for Clarity")).to_have_value("Named the queue early.")
    score_round(interviewer)

    expect(candidate.get_by_role("link", name="Interviewer's scorecard")).to_be_visible(timeout=3000)
    candidate.get_by_role("link", name="Interviewer's scorecard").click()
    expect(candidate.get_by_role("cell", name=re.compile("Stated the goal"))).to_be_visible()
    assert GUIDE_MARKER not in candidate.content()
    interviewer_ctx.close()
    candidate_ctx.close()
