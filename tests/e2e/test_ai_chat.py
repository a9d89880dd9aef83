"""The AI interviewer panel in Chromium against the fake provider: turned on for the round, a
question asked from the keyboard, the reply appearing piece by piece while the provider is still
sending, a hint counted, the conversation there after a reload; no request leaves the app (the
provider is the server's business, not the page's)."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import serve
from tests.e2e.helpers import sign_up
from tests.fake_provider import Reply


@pytest.fixture
def ai_live_url(make_ai_app, server_clock):
    server, url = serve(make_ai_app())
    yield url
    server.shutdown()


def test_a_reply_streams_into_the_panel_and_the_conversation_stays(page, ai_live_url, fake_provider):
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(ai_live_url + "/") else elsewhere.append(r.url))
    sign_up(page, ai_live_url)
    page.goto(ai_live_url + "/stages/quick/start?prompt=quick-prompt-1")
    page.get_by_label("Duration in minutes").fill("3")
    page.get_by_role("button", name="Start", exact=True).click()
    panel = page.get_by_role("region", name="AI interviewer")
    expect(panel.get_by_label("Ask the interviewer")).to_be_hidden()
    panel.get_by_role("button", name="Turn on the AI interviewer for this round").click()

    held = threading.Event()
    fake_provider.script(Reply(text=("The answer ", "is 42, ", "as the guide says."), hold=held))
    box = panel.get_by_label("Ask the interviewer")
    expect(box).to_be_focused()
    box.fill("What is the answer?")
    box.press("Tab")
    page.keyboard.press("Enter")  # Send, from the keyboard
    log = panel.get_by_role("list", name="Conversation with the AI interviewer")
    expect(log).to_contain_text("What is the answer?")
    expect(log).to_contain_text("The answer")  # the first piece, while the provider holds the rest
    expect(log).not_to_contain_text("as the guide says.")
    held.set()
    expect(log).to_contain_text("The answer is 42, as the guide says.")
    expect(box).to_have_value("")

    panel.get_by_role("button", name="Ask for a hint").click()
    expect(log).to_contain_text("Hint 1 of 3: First hint.")
    expect(panel.get_by_role("status")).to_have_text("Hints used: 1 of 3")

    page.reload()
    log = page.get_by_role("region", name="AI interviewer").get_by_role("list")
    expect(log).to_contain_text("The answer is 42, as the guide says.")
    expect(log).to_contain_text("Hint 1 of 3: First hint.")
    expect(page.get_by_text("AI used in this round: interviewer.")).to_be_visible()
    assert elsewhere == []
