from playwright.sync_api import expect

from tests.e2e.conftest import sign_up


def test_sign_up_and_open_a_prompt(page, shipped_live_url):
    sign_up(page, shipped_live_url)
    expect(page.get_by_text("Welcome, Ada")).to_be_visible()
    for title in ("Recruiter screen", "Systems design", "ML systems", "Mission and culture"):
        expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
    page.get_by_role("link", name="Systems design", exact=True).click()
    expect(page.get_by_role("heading", name="Phases (1 h)")).to_be_visible()
    page.get_by_label("Difficulty").select_option("2")
    page.get_by_role("button", name="Filter").click()
    first = page.locator(".prompt-list li a").first
    title = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("article", name="Candidate brief")).to_be_visible()
    expect(page.get_by_role("link", name="Practice this prompt")).to_be_visible()
