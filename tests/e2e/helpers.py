"""Browser steps tests share: signing up and filling the rubric form, as a user does."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def sign_up(page, base_url: str, email="ada@example.com", name="Ada", password="correct horse battery"):
    page.goto(base_url + "/account/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password").fill(password)
    page.get_by_role("button", name="Create account").click()


def score_round(page):
    """Fill the rubric form as a user would, including one mistake that the form must point out."""
    clarity = page.get_by_role("group", name="Clarity")
    clarity.get_by_label(re.compile("3: clear")).check()
    clarity.get_by_label("Evidence for Clarity").fill("Stated the goal before answering.")
    depth = page.get_by_role("group", name="Depth")
    depth.get_by_label(re.compile("2: some depth")).check()
    page.get_by_role("group", name="Overall recommendation").get_by_label("Yes", exact=True).check()
    page.get_by_label("Keep doing").fill("Clarify first.")
    page.get_by_label("Stop doing").fill("Trailing off.")
    page.get_by_label("Start doing").fill("Summarise at the end.")
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.get_by_role("alert")).to_contain_text("everything you entered is kept")
    expect(page.get_by_label("Keep doing")).to_have_value("Clarify first.")
    page.get_by_label("Evidence for Depth").fill("Covered one failure mode.")
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.get_by_text("Scorecard saved.")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("Stated the goal"))).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("Yes")


def new_quick_round(page, base_url: str) -> tuple[dict, dict]:
    """A new user's solo round of the small loop's quick stage, made through the API: (the round as
    the API answers it, the headers that carry the page's CSRF token)."""
    sign_up(page, base_url)
    page.goto(base_url + "/")
    headers = {"X-CSRFToken": page.locator('meta[name="csrf-token"]').get_attribute("content")}
    made = page.request.post(
        base_url + "/api/rounds", headers=headers, data={"stage": "quick", "prompt": "quick-prompt-1", "minutes": 2}
    ).json()
    return made, headers
