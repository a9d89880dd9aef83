"""Nobody sees or does what is not theirs: sanitized Markdown, no inline script anywhere, security
headers on every page, cookie flags, CSRF on every state-changing route, 413 for oversized bodies."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import inspect as sa_inspect

from mockloop.core.markup import ALLOWED_ATTRIBUTES, ALLOWED_CLASSES, ALLOWED_TAGS, render_user
from mockloop.db import db
from tests.helpers import Auth, answers, csrf_token, form_page, scorecard_path, signed_up
from tests.xss_payloads import PAYLOADS

TEMPLATES = Path(__file__).resolve().parent.parent / "mockloop" / "templates"
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcset",
    "ping",
    "cite",
    "codebase",
    "dynsrc",
    "lowsrc",
    "srcdoc",
    "manifest",
    "icon",
}
CSRF_MESSAGE = "The form expired or was sent from elsewhere"


# ---------- an HTML inspector shared by the tests below ----------


class Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str]]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, [(name, value or "") for name, value in attrs]))

    handle_startendtag = handle_starttag


def url_scheme(value: str) -> str | None:
    """The scheme a browser would read, as the URL standard parses: leading and trailing C0 controls
    and spaces stripped, tabs and newlines dropped anywhere, case ignored. None for a relative URL."""
    url = value.strip("".join(map(chr, range(0x21)))).replace("\t", "").replace("\n", "").replace("\r", "")
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return match.group(1).lower() if match else None


def dangerous_url(value: str) -> bool:
    return url_scheme(value) in ("javascript", "vbscript", "data", "livescript")


def problems(html: str) -> list[str]:
    """Event handlers, script-capable URLs and inline scripts anywhere in a page or fragment."""
    found = []
    for tag, attrs in Elements(html).elements:
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            found.append("inline <script>")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and dangerous_url(value):
                found.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                found.append(f"<{tag} style=...>")
    return found


# ---------- 1. the sanitizer, payload by payload ----------


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{i:03d}" for i in range(len(PAYLOADS))])
def test_render_user_neutralizes_every_payload(payload):
    html = render_user(payload)
    assert problems(html) == [], html
    for tag, attrs in Elements(html).elements:
        assert tag in ALLOWED_TAGS, f"<{tag}> survived in {html!r}"
        for name, value in attrs:
            if name == "class":  # only a fenced block's language, from a fixed list
                assert value in ALLOWED_CLASSES.get(tag, set()) | {""}, (tag, value)
                continue
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set()), (tag, name)
            if name == "href":
                assert url_scheme(value) in (None, "http", "https", "mailto"), value


def test_render_user_neutralizes_all_payloads_at_once():
    """Payloads next to each other (an unclosed tag swallowing the next line) are no safer."""
    html = render_user("\n\n".join(PAYLOADS))
    assert problems(html) == []
    assert not re.search(r"<(script|iframe|svg|img|style|object|embed|form|base|meta|link|math)\b", html, re.I)


def test_render_user_keeps_honest_markdown():
    html = render_user("# Plan\n\n- **queue** [docs](https://example.com/x)\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h1>Plan</h1>" in html and "<strong>queue</strong>" in html and "<table>" in html
    assert 'href="https://example.com/x"' in html and 'rel="noopener noreferrer nofollow"' in html


# ---------- 2. no inline script in the templates, headers and cookies ----------


def test_templates_have_no_inline_scripts_or_event_handlers():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text, re.I):
            if not re.search(r"\bsrc\s*=", match.group(0), re.I):
                offenders.append(f"{path.name}: inline {match.group(0)}")
        for match in re.finditer(r"<[a-zA-Z][^>]*?\s(on[a-z]+)\s*=", text):
            offenders.append(f"{path.name}: {match.group(1)}= handler")
        if re.search(r"javascript:", text, re.I):
            offenders.append(f"{path.name}: javascript: URL")
    assert offenders == []


def script_src(csp: str) -> list[str]:
    directives = {d.split()[0]: d.split()[1:] for d in (p.strip() for p in csp.split(";")) if d}
    return directives.get("script-src", directives.get("default-src", []))


def check_html_response(url: str, res) -> None:
    csp = res.headers.get("Content-Security-Policy")
    assert csp, f"{url}: no Content-Security-Policy"
    sources = script_src(csp)
    assert sources and "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, (url, csp)
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp
    assert res.headers.get("X-Content-Type-Options") == "nosniff"
    assert problems(res.get_data(as_text=True)) == [], url


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


@pytest.fixture
def world(app, frozen_clock):
    """Real ids for every URL: Ada's scored solo round, a peer round with Bob interviewing, an open invite."""
    ada, bob = signed_up(app, "ada@example.com", "Ada"), signed_up(app, "bob@example.com", "Bob")
    solo = ada.start(stage="quick", prompt="quick-prompt-1").get_json()["id"]
    ada.call("PUT", f"/api/rounds/{solo}/scratchpad", {"text": "solo notes", "revision": 0})
    ada.call("POST", f"/api/rounds/{solo}/end")
    _, token, revision = form_page(ada.client, f"/rounds/{solo}/score")
    card = int(
        scorecard_path(ada.client.post(f"/rounds/{solo}/score", data=answers(token, revision))).rsplit("/", 1)[1]
    )
    peer = ada.start(stage="quick", prompt="quick-prompt-2", role="candidate").get_json()
    invite_path = peer["invite_url"].replace("http://localhost", "")
    bob.client.post(invite_path, data={"csrf_token": csrf_token(bob.client, invite_path)})
    bob.call("POST", f"/api/rounds/{peer['id']}/start")
    open_invite = ada.start(stage="quick", role="interviewer").get_json()["invite_url"].rsplit("/", 1)[1]
    story = ada.client.post(
        "/stories/new", data={"csrf_token": ada.token(), "title": "Pager storm", "dimensions": ["clarity"]}
    ).headers["Location"]
    story_id = int(story.rsplit("/", 1)[1])
    drill = ada.client.post(
        f"/stories/{story_id}/drill", data={"csrf_token": ada.token(), "seconds": "120", "cue": "bullets"}
    ).headers["Location"]
    return {
        "ada": ada,
        "bob": bob,
        "solo": solo,
        "peer": peer["id"],
        "card": card,
        "token": open_invite,
        "story": story_id,
        "drill": int(drill.rsplit("/", 1)[1]),
    }


def url_values(rule, world) -> dict:
    """Values for a rule's arguments; a new argument name fails loudly so its route gets covered."""
    known = {
        "round_id": world["peer"],
        "card_id": world["card"],
        "token": world["token"],
        "action": "pause",
        "filename": "mockloop.css",
        "stage_slug": "quick",
        "plan_id": 1,
        "notice_id": 1,
        "story_id": world["story"],
        "drill_id": world["drill"],
        "kind": "scratchpad",  # the replay's revisions
        "revision": 1,
        "recording_id": 1,
    }
    values = {}
    for arg in rule.arguments:
        if arg in (rule.defaults or {}):  # one view, several rules: /scratchpad, /notes, /code
            values[arg] = rule.defaults[arg]
        elif arg == "slug":
            values[arg] = "quick-prompt-1" if "stage_slug" in rule.arguments else "quick"
        elif arg in known:
            values[arg] = known[arg]
        else:
            pytest.fail(f"{rule.endpoint}: no test value for <{arg}>; add one to url_values in {__file__}")
    return values


def build(app, rule, values) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_every_html_page_has_the_csp_and_no_inline_script(app, world):
    ada, checked = world["ada"], 0
    anonymous = app.test_client()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = build(app, rule, url_values(rule, world))
        for client in (ada.client, world["bob"].client, anonymous):
            with client.get(url) as res:  # closed: a static file's response holds the file open
                if res.mimetype == "text/html":
                    check_html_response(url, res)
                    checked += 1
    for url in ("/no-such-page", f"/rounds/{world['peer'] + 1000}", "/stages/nope"):  # error pages too
        res = ada.client.get(url)
        assert res.status_code == 404
        check_html_response(url, res)
    assert checked >= 20


def test_ids_too_large_for_the_database_are_404s(app, world):
    """A 20-digit id in any URL is "no such thing", not an integer overflow in the database driver."""
    ada, checked = world["ada"], 0
    for rule in app.url_map.iter_rules():
        ints = [arg for arg, conv in rule._converters.items() if conv.__class__.__name__ == "IdConverter"]
        if not ints or "GET" not in rule.methods:
            continue
        url = build(app, rule, {**url_values(rule, world), **{arg: 2**64 for arg in ints}})
        assert ada.client.get(url).status_code == 404, url
        checked += 1
    assert checked >= 5
    res = ada.call("PUT", f"/api/rounds/{2**64}/scratchpad", {"text": "x", "revision": 0})
    assert res.status_code in (404, 405) and res.is_json  # Werkzeug answers 405: only GET shares the path


def session_cookie(res) -> str:
    cookies = [c for c in res.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, res.headers
    return cookies[-1]


def log_in(client) -> str:
    Auth(client).signup()
    Auth(client).logout()
    res = Auth(client).login()
    assert res.status_code == 302
    return session_cookie(res)


def test_session_cookie_is_httponly_and_lax_and_plain_over_http(app):
    cookie = log_in(app.test_client())
    assert "; HttpOnly" in cookie and "; SameSite=Lax" in cookie and "; Secure" not in cookie


def https_log_in(client, **headers):
    """Log in over HTTPS (Flask-WTF also wants a same-site Referer on HTTPS form posts)."""
    page = client.get("https://localhost/account/login", headers=headers).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return client.post(
        "https://localhost/account/login",
        headers={"Referer": "https://localhost/", **headers},
        data={"csrf_token": token, "email": "ada@example.com", "password": "correct horse battery"},
    )


def test_session_cookie_is_secure_over_https(app):
    Auth(app.test_client()).signup()
    res = https_log_in(app.test_client())
    assert res.status_code == 302
    cookie = session_cookie(res)
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "; SameSite=Lax" in cookie


def test_forwarded_https_counts_only_behind_a_trusted_proxy(make_app):
    spoofed = make_app().test_client()
    spoofed.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
    assert "; Secure" not in log_in(spoofed)  # anyone can send the header: it is ignored by default
    proxied = make_app(TRUSTED_PROXIES=1).test_client()
    res = proxied.post(
        "/account/login",
        headers={"X-Forwarded-Proto": "https", "Referer": "https://localhost/"},
        data={"csrf_token": csrf_token(proxied), "email": "ada@example.com", "password": "correct horse battery"},
    )
    assert res.status_code == 302 and "; Secure" in session_cookie(res)


# ---------- 3. CSRF on every state-changing route ----------


def database_rows(app) -> dict:
    with app.app_context():
        return {
            table.name: sorted(map(repr, db.session.execute(table.select()).all()))
            for table in db.metadata.sorted_tables
            if sa_inspect(db.engine).has_table(table.name)
        }


def state_changing_rules(app):
    return [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"})
    ]


def plausible_body(rule, world) -> dict:
    """What an honest client would send, so only the missing token can be what stops it."""
    if rule.rule.startswith("/api/"):
        if rule.endpoint == "api.create":
            return {"json": {"stage": "quick", "prompt": "surprise"}}
        return {"json": {"text": "changed", "revision": 1}}
    return {
        "data": answers("", "1")
        | {
            "email": "ada@example.com",
            "password": "correct horse battery",
            "display_name": "Eve",
            "confirm": "correct horse battery",
            "current": "correct horse battery",
            "prompt": "surprise",
            "minutes": "1",
        }
    }


def test_state_changing_routes_are_enumerated(app):
    endpoints = {rule.endpoint for rule, _ in state_changing_rules(app)}
    assert {
        "api.create",
        "api.save_work",
        "api.record_run",
        "scoring.score",
        "scoring.draft",
        "invites.accept",
        "accounts.logout",
        "accounts.logout_everywhere",
        "accounts.password",
        "practice.swap",
    } <= endpoints


@pytest.mark.parametrize("forged", [False, True], ids=["no-token", "someone-elses-token"])
def test_every_state_changing_route_refuses_a_request_without_a_valid_token(app, world, forged):
    ada, bob = world["ada"], world["bob"]
    bob_token = bob.token()  # valid for Bob's session, worthless in Ada's
    for client in (ada.client, bob.client):
        client.get("/")  # both sessions hold a CSRF secret
    before = database_rows(app)
    rules = state_changing_rules(app)
    for rule, method in rules:
        url = build(app, rule, url_values(rule, world))
        body = plausible_body(rule, world)
        headers = {"X-CSRFToken": bob_token} if forged else {}
        if forged and "data" in body:
            body["data"]["csrf_token"] = bob_token
        res = ada.client.open(url, method=method, headers=headers, **body)
        assert res.status_code == 400, f"{method} {url}: {res.status_code}"
        if rule.rule.startswith("/api/"):
            assert CSRF_MESSAGE in res.get_json()["message"], (method, url)
        else:
            assert CSRF_MESSAGE in res.get_data(as_text=True), (method, url)
    assert database_rows(app) == before
    assert len(rules) >= 15


def test_the_same_requests_with_the_token_do_work(world):
    """The check above is meaningful: with Ada's own token a sample of those requests succeeds."""
    ada = world["ada"]
    assert ada.call("POST", "/api/rounds", {"stage": "quick", "prompt": "surprise"}).status_code == 201
    assert (
        ada.call("PUT", f"/api/rounds/{world['peer']}/scratchpad", {"text": "changed", "revision": 0}).status_code
        == 200
    )
    res = ada.client.post(
        f"/scorecards/{world['card']}/draft", data={"keep": "x"}, headers={"X-CSRFToken": ada.token()}
    )
    assert res.status_code == 200


# ---------- 5. oversized bodies ----------


def test_oversized_json_gets_413_with_a_json_message(app, world):
    ada, rid = world["ada"], world["peer"]
    big = {"text": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1), "revision": 1}
    for method, url in (("PUT", f"/api/rounds/{rid}/scratchpad"), ("POST", "/api/markdown"), ("POST", "/api/rounds")):
        res = ada.call(method, url, big)
        assert res.status_code == 413 and res.is_json, url
        assert res.get_json()["message"] == "That request is too large (the limit is 1024 KiB)."
    assert ada.client.get(f"/api/rounds/{rid}/scratchpad").get_json()["revision"] == 0


def test_oversized_form_gets_413_with_an_html_message(app, world):
    ada, solo = world["ada"], world["solo"]
    before = database_rows(app)
    page, token, revision = form_page(ada.client, f"/scorecards/{world['card']}/edit")
    big = answers(token, revision, keep="k" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    for url in (f"/scorecards/{world['card']}/edit", f"/rounds/{solo}/score", "/account/password"):
        res = ada.client.post(url, data=big)
        assert res.status_code == 413 and res.mimetype == "text/html", url
        assert "That request is too large (the limit is 1024 KiB)." in res.get_data(as_text=True)
        check_html_response(url, res)
    assert database_rows(app) == before


def test_text_over_a_field_limit_but_under_the_request_limit_gets_400(world):
    from mockloop.core.vocabulary import WorkKind
    from mockloop.core.work import RULES

    NOTES_LIMIT, SCRATCHPAD_LIMIT = RULES[WorkKind.NOTES].limit, RULES[WorkKind.SCRATCHPAD].limit

    ada, bob, rid = world["ada"], world["bob"], world["peer"]
    res = ada.call("PUT", f"/api/rounds/{rid}/scratchpad", {"text": "x" * (SCRATCHPAD_LIMIT + 1), "revision": 0})
    assert res.status_code == 400 and "at most 200,000 characters" in res.get_json()["message"]
    res = bob.call("PUT", f"/api/rounds/{rid}/notes", {"text": "x" * (NOTES_LIMIT + 1), "revision": 0})
    assert res.status_code == 400 and "at most 50,000 characters" in res.get_json()["message"]


# ---------- NUL characters (PostgreSQL cannot store them) ----------


def test_nul_characters_are_dropped_not_a_server_error(app, world):
    ada, rid = world["ada"], world["peer"]
    res = ada.call("PUT", f"/api/rounds/{rid}/scratchpad", {"text": "a\x00b", "revision": 0})
    assert res.status_code == 200
    assert ada.client.get(f"/api/rounds/{rid}/scratchpad").get_json()["text"] == "ab"
    other = app.test_client()
    res = other.post(
        "/account/login",
        data={"csrf_token": csrf_token(other), "email": "ada@exa\x00mple.com", "password": "correct horse battery"},
    )
    assert res.status_code == 302
