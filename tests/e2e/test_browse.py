from playwright.sync_api import expect

from tests.e2e.helpers import sign_up


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


def test_picking_a_prompt_sets_its_own_duration(page, shipped_live_url):
    sign_up(page, shipped_live_url)
    page.goto(shipped_live_url + "/stages/take-home/start")
    minutes = page.get_by_label("Duration in minutes")
    expect(minutes).to_have_value("")
    page.get_by_label("Prompt").select_option("batching-proxy")
    expect(minutes).to_have_value("300")
    minutes.fill("270")  # a duration the user typed is theirs: another pick leaves it alone
    page.get_by_label("Prompt").select_option("webhook-delivery-dedup")
    expect(minutes).to_have_value("270")
