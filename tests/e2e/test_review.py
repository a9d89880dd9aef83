import re

from playwright.sync_api import expect
from sqlalchemy import func

from mockloop import clock
from mockloop.content import content
from mockloop.db import db
from mockloop.db.models import Scorecard
from mockloop.services.demo import seed_history
from mockloop.services.users import find_user
from tests.e2e.helpers import sign_up


def test_progress_shows_charts_and_history_pages(page, small_loop_app, live_url):
    sign_up(page, live_url)
    with small_loop_app.app_context():
        seed_history(find_user("ada@example.com"), content().loop, content().catalog, 30, clock.now())
        db.session.commit()
    page.goto(live_url + "/progress")
    chart = page.get_by_role("img", name="Clarity in Quick drill")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] > 100 and box["height"] > 30
    page.get_by_role("link", name="History").first.click()
    expect(page.locator("table.history tbody tr")).to_have_count(20)
    page.get_by_role("link", name="Older →").click()
    expect(page.locator("table.history tbody tr")).to_have_count(10)
    page.locator("table.history tbody tr a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Scorecard")
    expect(page.get_by_role("link", name="Older scorecard →")).to_be_visible()


def test_a_scorecard_prints_on_one_or_two_pages_without_navigation(page, small_loop_app, live_url):
    import re as _re

    sign_up(page, live_url)
    with small_loop_app.app_context():
        seed_history(find_user("ada@example.com"), content().loop, content().catalog, 1, clock.now())
        db.session.commit()
    page.goto(live_url + "/history")
    page.locator("table.history tbody tr a").first.click()
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("link", name="Edit")).to_be_hidden()
    expect(page.get_by_role("table").first).to_be_visible()
    pdf = page.pdf(format="A4")
    pages = len(_re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 2, pages


def test_history_filters_by_code_levels_cleared_and_progress_charts_them(page, small_loop_app, live_url):
    sign_up(page, live_url)
    with small_loop_app.app_context():
        seed_history(find_user("ada@example.com"), content().loop, content().catalog, 40, clock.now())
        db.session.commit()
        cleared = db.session.execute(
            db.select(func.count()).select_from(Scorecard).where(Scorecard.levels_cleared >= 1)
        ).scalar_one()
    assert 0 < cleared < 20  # the code drill's cards, some of which cleared a level: one page
    page.goto(live_url + "/progress")
    for name in ("Levels cleared in Code drill", "First-run pass rate in Code drill"):
        expect(page.get_by_role("img", name=name)).to_be_visible()
    page.goto(live_url + "/history")
    page.get_by_label("Code levels cleared").select_option(label="at least 1")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"[?&]cleared=1(&|$)"))
    expect(page.locator("table.history tbody tr")).to_have_count(cleared)
    expect(page.get_by_label("Code levels cleared")).to_have_value("1")  # the form keeps the choice
