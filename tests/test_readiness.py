"""Readiness at a glance on the progress page (and, shorter, the home page), against known cards."""

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import event

from mockloop.db import db
from tests.helpers import Auth


@pytest.fixture
def app(small_loop_app):
    return small_loop_app  # stages quick (clarity, depth), talk (clarity), code and draw


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def row(page: str, table: str, header: str) -> str:
    """The text of the row headed `header` in <table class="`table`">."""
    body = re.search(rf'<table class="{table}">(.*?)</table>', page, re.S).group(1)
    found = re.search(rf'<tr>\s*<th scope="row">{re.escape(header)}</th>(.*?)</tr>', body, re.S)
    assert found, f"no row {header!r} in {table}"
    return text(found.group(1))


@pytest.fixture
def seeded(app, make_user, make_round, make_scorecard, frozen_clock):
    """Ada's quick drill: two old cards at 1 (clarity) and 1 (depth), then five at 3 and 2; no talk cards."""
    make_user()
    for clarity, depth in [(1, 1)] * 2 + [(3, 2)] * 5:
        make_scorecard(make_round(stage="quick"), levels={"clarity": clarity, "depth": depth})
        frozen_clock.advance(hours=1)
    client = app.test_client()
    Auth(client).login()
    return client


def test_progress_summarises_each_stage_and_maps_dimensions_by_stage(seeded):
    page = seeded.get("/progress").get_data(as_text=True)
    assert page.index("Readiness at a glance") < page.index('Quick drill <span class="meta">(7 scorecards)')
    quick = row(page, "readiness", "Quick drill")
    # The last five cards average (3 + 2) / 2 = 2.5; the two before them 1.0: up 1.5. The last round
    # was created at 12:00 + 6 h on 4 May (the frozen clock).
    assert quick.startswith("2.5 of 5 cards ↑ up 1.5 from 1.0 Depth 2.0 2026-05-04 Start: Quick prompt 2")
    assert re.search(r'<time datetime="2026-05-04T18:00:00\+00:00" data-local>', page)
    talk = row(page, "readiness", "Talk")
    assert talk.startswith("not scored yet too few cards — never Start: Talk prompt")
    assert "You have no scored Talk rounds yet; a prompt you have not practiced." in talk
    # Columns quick, talk, then code and draw: talk scores clarity but has no cards; the others neither.
    absent = " · not scored in this stage"
    assert row(page, "heat", "Clarity") == "3.0 no cards" + absent * 2
    assert row(page, "heat", "Depth") == "2.0" + absent * 3
    assert '<td class="h3">3.0</td>' in page and '<td class="h2">2.0</td>' in page


def test_the_suggested_round_starts_in_one_click_from_the_summary(seeded):
    page = seeded.get("/progress").get_data(as_text=True)
    body = re.search(r'<table class="readiness">(.*?)</table>', page, re.S).group(1)
    form = re.search(r'action="(/stages/talk/start)".*?name="prompt" value="([^"]+)"', body, re.S)
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    res = seeded.post(form.group(1), data={"csrf_token": token, "prompt": form.group(2), "role": "solo"})
    assert res.status_code == 302 and res.headers["Location"].startswith("/rounds/")
    after = row(seeded.get("/progress").get_data(as_text=True), "readiness", "Talk")
    assert "never" not in after and "2026-05-04" in after  # that round counts as practice now


def test_home_shows_the_short_summary_to_a_member_with_practice_only(app, seeded):
    home = seeded.get("/").get_data(as_text=True)
    assert "Your readiness" in home and "More on the progress page" in home
    quick = row(home, "readiness", "Quick drill")
    assert quick.startswith("2.5 ↑ up 1.5 2026-05-04 Start: Quick prompt") and "Depth" not in quick
    assert '<table class="heat">' not in home
    assert "Your readiness" not in app.test_client().get("/").get_data(as_text=True)  # anonymous


def test_a_member_with_no_practice_sees_no_summary_on_home_and_an_empty_one_on_progress(app, make_user):
    make_user()
    client = app.test_client()
    Auth(client).login()
    assert "Your readiness" not in client.get("/").get_data(as_text=True)
    page = client.get("/progress").get_data(as_text=True)
    assert row(page, "readiness", "Quick drill").startswith("not scored yet too few cards — never")


def statements(app, client, url) -> int:
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counted)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", counted)
    return count


def test_the_summary_costs_the_same_statements_however_long_the_history(app, seeded, make_round, make_scorecard):
    before = {url: statements(app, seeded, url) for url in ("/progress", "/", "/next")}
    for _ in range(15):
        make_scorecard(make_round(stage="talk", prompt="talk-prompt-2"))
    assert {url: statements(app, seeded, url) for url in before} == before
    assert before["/"] <= 12  # the home page's summary: a handful of statements, not one per prompt


def test_cancelled_and_planned_rounds_are_not_practice(app, seeded):
    from mockloop.db.models import Round

    with app.app_context():
        db.session.add(
            Round(
                owner_id=1,
                candidate_id=1,
                stage="talk",
                prompt_slug="talk-prompt-1",
                prompt_title="Talk prompt 1",
                minutes=2,
                plan=[["Open", 1], ["Close", 1]],
                status="locked",
                lock_reason="cancelled",
                created_at=datetime(2026, 5, 5, tzinfo=timezone.utc),
            )
        )
        db.session.commit()
    assert "never" in row(seeded.get("/progress").get_data(as_text=True), "readiness", "Talk")
