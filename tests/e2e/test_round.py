import re

from playwright.sync_api import expect

from tests.e2e.helpers import new_quick_round, score_round, sign_up


def seconds_left(page) -> int:
    text = page.get_by_role("timer").inner_text()
    minutes, seconds = text.split(":")[-2:]
    return int(minutes) * 60 + int(seconds)


def test_solo_round_counts_down_survives_reload_and_locks_at_zero(page, live_url, server_clock):
    sign_up(page, live_url)
    page.goto(live_url + "/stages/quick")
    page.get_by_role("link", name="Start a round").click()
    page.get_by_label("Prompt").select_option("quick-prompt-1")
    page.get_by_label("Duration in minutes").fill("2")
    page.get_by_role("button", name="Start", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Quick prompt 1")
    expect(page.locator(".phases li.current")).to_contain_text("Think")
    pad = page.get_by_role("textbox", name="Scratchpad")
    pad.fill("- clarify the goal\n- answer plainly")
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()

    before = seconds_left(page)
    page.reload()
    after = seconds_left(page)
    assert 0 <= before - after <= 2  # same remaining time after a reload (page load takes a moment)
    expect(pad).to_have_value("- clarify the goal\n- answer plainly")

    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#status")).to_have_text("paused by Ada")
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("#status")).to_have_text("running")

    server_clock.jump(seconds=114)  # leave the round about four seconds
    page.evaluate("window.mockloopRound.poll()")
    expect(page.locator(".phases li.current")).to_contain_text("Answer")
    assert seconds_left(page) <= 6
    pad.press("End")
    pad.type(" done")
    expect(page.locator("#status")).to_have_text("time is up", timeout=10_000)
    expect(pad).not_to_be_editable()
    expect(page.locator("#signal")).to_contain_text("Time is up")
    page.wait_for_url(re.compile(r"/rounds/\d+/score$"))
    score_round(page)
    expect(page.get_by_role("heading", name="Scratchpad (locked)")).to_be_visible()
    expect(page.locator(".brief li").last).to_have_text(re.compile(r"answer plainly( done)?$"))


def test_the_timer_buttons_wait_for_the_script_that_runs_them(page, live_url):
    # On a slow load the buttons show before round.js has wired them: a click then did nothing at all.
    made, headers = new_quick_round(page, live_url)
    held = []
    page.route(re.compile(r"/static/round\.js"), lambda route: held.append(route))
    with page.expect_request(re.compile(r"/static/round\.js")):  # the page asks for it; the test holds it
        page.goto(live_url + made["url"], wait_until="commit")
    end = page.get_by_role("button", name="End early")
    expect(end).to_be_disabled()
    held.pop().continue_()
    expect(end).to_be_enabled()
