"""AI configuration and privacy: off by default (nothing about AI on any page, no connection ever
opened), the settings and where the key comes from, /healthz, the page that says what is sent, and
the per-user daily token budget."""

import json
import socket
from datetime import datetime, timedelta, timezone

import pytest

from mockloop.config import ai_settings
from mockloop.core.errors import Conflict
from mockloop.db import db
from mockloop.db.models import Scorecard
from mockloop.services.ai import budget
from mockloop.services.ai.provider import Usage
from tests.conftest import AI_KEY
from tests.helpers import TEST_PROMPTS, scored_round, signed_up


def get_urls(app, values: dict) -> list[str]:
    """Every GET route whose arguments `values` can fill."""
    from flask import url_for

    with app.test_request_context():
        urls = []
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static" or not set(rule.arguments) <= set(values):
                continue
            # /stages/<stage_slug>/prompts/<slug>: there the slug is the prompt's
            args = {
                a: values["prompt" if a == "slug" and "stage_slug" in rule.arguments else a] for a in rule.arguments
            }
            urls.append(url_for(rule.endpoint, **args))
        return urls


def a_worked_history(app, clock) -> tuple:
    """Ada with a scored round, ended rounds of the other stages, a running one and a story: something
    on every page; and the URLs of every page that shows them."""
    ada = signed_up(app)
    ids = {"quick": scored_round(ada, clock)}
    for stage in ("code", "draw", "talk"):
        rid = ada.start(stage=stage).get_json()["id"]
        ada.call("PUT", f"/api/rounds/{rid}/scratchpad", {"text": f"notes for {stage}", "revision": 0})
        ada.call("POST", f"/api/rounds/{rid}/end")
        ids[stage] = rid
    running = ada.start(stage="quick", minutes=3).get_json()["id"]
    story = ada.client.post("/stories/new", data={"csrf_token": ada.token(), "title": "Mine", "dimensions": []})
    with app.app_context():
        card = db.session.execute(db.select(Scorecard.id).filter_by(round_id=ids["quick"])).scalar()
    values = {
        "round_id": running,
        "card_id": card,
        "story_id": int(story.headers["Location"].rsplit("/", 1)[1]),
        "slug": "quick",
        "stage_slug": "quick",
        "prompt": "quick-prompt-1",
    }
    urls = get_urls(app, values) + [f"/rounds/{rid}" for rid in ids.values()]
    urls += [f"/rounds/{rid}/score" for rid in ids.values()]
    return ada, urls


def test_with_no_provider_nothing_about_ai_appears_and_no_connection_opens(make_app, frozen_clock, monkeypatch):
    connections = []
    real_connect = socket.socket.connect

    def watched(sock, address):
        connections.append(address)
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", watched)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda sock, address: connections.append(address) or 0)
    app = make_app(PROMPTS_DIR=str(TEST_PROMPTS))  # built inside the watch: the start opens nothing either
    assert app.extensions["ai"] is None
    ada, urls = a_worked_history(app, frozen_clock)
    assert len(urls) > 25
    for url in urls:
        res = ada.client.get(url)
        assert res.status_code < 500, url  # a 404 (a calendar file of a round never booked) is a page too
        page = res.get_data(as_text=True)
        assert "AI used" not in page and "No AI was used" not in page and 'href="/ai"' not in page, url
        assert "AI review" not in page and "AI interviewer" not in page, url
    assert ada.client.get("/ai").status_code == 404
    assert ada.client.get("/healthz").get_json()["ai"] == {"configured": False}
    assert connections == []


def test_the_settings_name_a_provider_and_model_and_find_the_key(monkeypatch):
    assert ai_settings({}, {}) is None  # off unless asked for
    base = {"AI_PROVIDER": "anthropic", "AI_MODEL": "m", "AI_DAILY_TOKENS": 1000, "AI_TIMEOUT": 30}
    with pytest.raises(ValueError, match="one of anthropic, openai"):
        ai_settings({**base, "AI_PROVIDER": "gemini"}, {})
    with pytest.raises(ValueError, match="AI_MODEL"):
        ai_settings({**base, "AI_MODEL": ""}, {})
    with pytest.raises(ValueError, match="above zero"):
        ai_settings({**base, "AI_DAILY_TOKENS": 0}, {})
    # The key: the app's setting, then the provider's own variable, then AI_API_KEY.
    assert ai_settings(base, {"ANTHROPIC_API_KEY": "a", "AI_API_KEY": "b"}).key == "a"
    assert ai_settings(base, {"OPENAI_API_KEY": "o", "AI_API_KEY": "b"}).key == "b"
    assert ai_settings({**base, "AI_PROVIDER": "openai"}, {"OPENAI_API_KEY": "o"}).key == "o"
    assert ai_settings({**base, "AI_API_KEY": "c"}, {"ANTHROPIC_API_KEY": "a"}).key == "c"
    found = ai_settings({**base, "AI_API_KEY": AI_KEY}, {})
    assert AI_KEY not in repr(found) and AI_KEY not in str(found)


def test_the_key_is_kept_out_of_the_app_config_and_healthz_says_what_is_configured(make_ai_app):
    app = make_ai_app()
    assert app.extensions["ai"].key == AI_KEY
    assert "AI_API_KEY" not in app.config and AI_KEY not in repr(dict(app.config))
    health = app.test_client().get("/healthz")
    assert health.get_json()["ai"] == {
        "configured": True,
        "provider": "anthropic",
        "model": "test-model",
        "key_found": True,
    }
    assert AI_KEY not in health.get_data(as_text=True)


def test_healthz_says_when_no_key_was_found(make_ai_app):
    app = make_ai_app(AI_API_KEY=None)
    assert app.test_client().get("/healthz").get_json()["ai"]["key_found"] is False


def test_the_ai_page_states_what_each_feature_sends_and_never_sends(make_ai_app, fake_provider):
    app = make_ai_app()
    ada = signed_up(app)
    page = ada.client.get("/ai").get_data(as_text=True)
    for feature in ("AI reviewer", "AI interviewer", "Calibration"):
        assert feature in page
    assert "your scratchpad, as locked" in page and "the interviewer&#39;s private notes" in page
    assert "reference solutions and hidden tests" in page and "test-model" in page and fake_provider.url in page
    assert "200,000 tokens a day" in page
    assert 'href="/ai"' in ada.client.get("/").get_data(as_text=True)  # the menu links to it
    rid = ada.start(stage="quick").get_json()["id"]
    assert "No AI was used in this round." in ada.client.get(f"/rounds/{rid}").get_data(as_text=True)
    assert fake_provider.requests == []  # showing what would be sent sends nothing


def test_the_daily_budget_refuses_once_spent_and_renews_at_midnight_utc(make_ai_app, frozen_clock):
    app = make_ai_app(AI_DAILY_TOKENS=1000)
    signed_up(app)
    settings = app.extensions["ai"]
    now = datetime(2026, 5, 4, 22, 30, tzinfo=timezone.utc)
    with app.app_context():
        assert budget.remaining(1, settings, now) == 1000
        budget.record(1, None, "reviewer", Usage(600, 300), now - timedelta(hours=1))
        budget.record(1, None, "reviewer", Usage(5000, 0), now - timedelta(days=1))  # yesterday's
        assert budget.remaining(1, settings, now) == 100
        budget.record(1, None, "interviewer", Usage(90, 20), now)  # the call that crosses the line finishes
        with pytest.raises(Conflict) as refused:
            budget.remaining(1, settings, now)
        assert refused.value.reason == "budget"
        assert str(refused.value).startswith("You have used today's AI budget (1,010 of 1,000 tokens).")
        assert "renews at midnight UTC, in 1 hour 30 minutes" in str(refused.value)
        assert budget.remaining(1, settings, now + timedelta(hours=2)) == 1000  # a new UTC day
        assert budget.remaining(2, settings, now) == 1000  # another user's budget is their own
        db.session.rollback()


def test_the_ai_page_asks_for_a_login(make_ai_app):
    on = make_ai_app().test_client().get("/ai")
    assert on.status_code == 302 and "/account/login" in on.headers["Location"]


def test_the_settings_come_from_the_environment_too(make_app, fake_provider, monkeypatch):
    monkeypatch.setenv("MOCKLOOP_AI_PROVIDER", "openai")
    monkeypatch.setenv("MOCKLOOP_AI_MODEL", "local-model")
    monkeypatch.setenv("MOCKLOOP_AI_BASE_URL", fake_provider.url + "/v1")
    monkeypatch.setenv("OPENAI_API_KEY", AI_KEY)
    app = make_app(PROMPTS_DIR=str(TEST_PROMPTS))
    found = app.extensions["ai"]
    assert (found.provider, found.model, found.key) == ("openai", "local-model", AI_KEY)
    assert json.dumps(app.test_client().get("/healthz").get_json()).count(AI_KEY) == 0
