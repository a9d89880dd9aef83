"""Sign up, log in, log out, change password, CSRF, closed sign-up and `mockloop user create`."""

from itertools import count

from itsdangerous import TimestampSigner

from mockloop.cli import main
from tests.helpers import Auth, csrf_token


def test_signup_logs_in_and_shows_the_stages(client, auth):
    res = auth.signup()
    assert res.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Ada" in page and "Log out" in page


def test_signup_errors_keep_what_was_typed(client):
    token = csrf_token(client, "/account/signup")
    res = client.post(
        "/account/signup",
        data={
            "csrf_token": token,
            "email": "not-an-email",
            "display_name": "Grace",
            "password": "short",
            "confirm": "other",
        },
    )
    page = res.get_data(as_text=True)
    assert res.status_code == 400
    assert 'value="not-an-email"' in page and 'value="Grace"' in page
    assert "valid email" in page.lower() and "at least 10" in page and "Passwords differ" in page


def test_duplicate_email_is_refused(client, auth):
    auth.signup()
    auth.logout()
    res = auth.signup(email="ADA@example.com")
    assert res.status_code == 400 and "already exists" in res.get_data(as_text=True)


def test_post_without_csrf_token_is_rejected(client):
    res = client.post(
        "/account/signup",
        data={"email": "a@example.com", "display_name": "A", "password": "x" * 12, "confirm": "x" * 12},
    )
    assert res.status_code == 400 and "expired or was sent from elsewhere" in res.get_data(as_text=True)


def test_a_session_keeps_one_signed_csrf_token_that_every_form_accepts(app, client, auth, monkeypatch):
    # The signer's clock moves on every signature, so a token signed again would differ.
    ticks = count(1_800_000_000)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: next(ticks))
    auth.signup()
    first = csrf_token(client, "/")
    assert csrf_token(client, "/rounds") == first  # kept, not signed again for each page
    other = app.test_client()
    Auth(other).signup(email="grace@example.com", name="Grace")
    assert csrf_token(other, "/") != first
    refused = other.post("/account/logout", data={"csrf_token": first})
    assert refused.status_code == 400 and "expired or was sent from elsewhere" in refused.get_data(as_text=True)
    assert client.post("/account/logout", data={"csrf_token": first}).status_code == 302


def test_with_a_csrf_time_limit_each_page_gets_a_fresh_signature(make_app, monkeypatch):
    # A kept signature would expire while its page is still open: an operator's limit means re-signing.
    ticks = count(1_800_000_000)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: next(ticks))
    client = make_app(WTF_CSRF_TIME_LIMIT=3600).test_client()
    Auth(client).signup()
    assert csrf_token(client, "/") != csrf_token(client, "/rounds")


def test_login_logout_and_wrong_password(client, auth):
    auth.signup()
    auth.logout()
    assert client.get("/stages/systems-design").status_code == 302
    bad = auth.login(password="wrong password!")
    assert bad.status_code == 400 and "Email or password is wrong" in bad.get_data(as_text=True)
    assert auth.login().status_code == 302
    assert client.get("/stages/systems-design").status_code == 200


def test_login_redirects_only_to_local_paths(client, auth):
    auth.signup()
    auth.logout()
    token = csrf_token(client)
    res = client.post(
        "/account/login?next=//evil.example/x",
        data={"csrf_token": token, "email": "ada@example.com", "password": "correct horse battery"},
    )
    assert res.headers["Location"] == "/"


def test_password_change_signs_out_other_sessions(app, client, auth):
    auth.signup()
    other = app.test_client()
    Auth(other).login()
    assert other.get("/stages/systems-design").status_code == 200
    token = csrf_token(client, "/account/password")
    res = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current": "correct horse battery",
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert res.status_code == 302
    assert client.get("/stages/systems-design").status_code == 200  # this session stays in
    assert other.get("/stages/systems-design").status_code == 302  # the other one is out
    auth.logout()
    assert auth.login(password="a brand new passphrase").status_code == 302


def test_closed_signup_and_cli_created_user(make_app):
    app = make_app(SIGNUP_OPEN=False)
    client = app.test_client()
    assert client.get("/account/signup").status_code == 403
    result = app.test_cli_runner().invoke(
        main, ["user", "create", "--email", "Root@Example.com", "--name", "Root", "--password", "an admin passphrase"]
    )
    assert result.exit_code == 0, result.output
    assert "Created root@example.com." in result.output
    assert Auth(client).login(email="root@example.com", password="an admin passphrase").status_code == 302
    dup = app.test_cli_runner().invoke(
        main, ["user", "create", "--email", "root@example.com", "--name", "R", "--password", "another passphrase"]
    )
    assert dup.exit_code != 0 and "already exists" in dup.output


def copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie (as a thief or a shared machine would)."""
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    return copy


def test_a_cookie_copied_before_log_out_is_logged_out_too(app, client, auth):
    auth.signup()
    copied = copy_of(app, client)
    assert copied.get("/account/password").status_code == 200
    auth.logout()
    res = copied.get("/account/password")
    assert res.status_code == 302 and res.headers["Location"].startswith("/account/login")
    assert "Log out" not in copied.get("/").get_data(as_text=True)
    assert copied.get("/api/rounds/1/state").status_code == 401
    assert auth.login().status_code == 302  # logging in again starts a new session
    assert client.get("/account/password").status_code == 200 and copied.get("/account/password").status_code == 302


def test_log_out_everywhere_ends_every_session_of_the_account(app, client, auth):
    auth.signup()
    laptop, phone, copied = app.test_client(), app.test_client(), copy_of(app, client)
    Auth(laptop).login()
    Auth(phone).login()
    bob = app.test_client()
    Auth(bob).signup(email="bob@example.com", name="Bob")
    page = laptop.get("/account/password").get_data(as_text=True)
    assert "Log out everywhere" in page
    token = csrf_token(laptop, "/account/password")
    res = laptop.post("/account/logout-everywhere", data={"csrf_token": token})
    assert res.status_code == 302 and res.headers["Location"] == "/account/login"
    assert "logged out everywhere (3 sessions ended" in laptop.get("/account/login").get_data(as_text=True)
    for browser in (laptop, phone, client, copied):
        assert browser.get("/account/password").status_code == 302
    assert bob.get("/account/password").status_code == 200  # other people stay logged in
    assert Auth(phone).login().status_code == 302 and phone.get("/account/password").status_code == 200


def test_log_out_drops_the_invite_link_kept_in_the_session(app, client, auth):
    from mockloop.web.invites import TOKEN_KEY

    auth.signup()
    token = csrf_token(client, "/stages/systems-design/start")
    res = client.post(
        "/stages/systems-design/start", data={"csrf_token": token, "prompt": "surprise", "role": "candidate"}
    )
    assert res.status_code == 302
    with client.session_transaction() as session:
        assert TOKEN_KEY in session
    auth.logout()
    with client.session_transaction() as session:
        assert TOKEN_KEY not in session and "_user_id" not in session


def test_a_logged_in_request_costs_one_lookup_for_the_session(app, client, auth):
    from sqlalchemy import event

    from mockloop.db import db

    auth.signup()
    with app.app_context():
        engine = db.engine
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/account/password").status_code == 200  # a page that reads nothing else
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(statements) == 1 and "login_sessions" in statements[0], statements


def test_passwords_are_hashed_with_scrypt_at_werkzeugs_full_cost():
    from werkzeug.security import check_password_hash, generate_password_hash

    from tests.conftest import PRODUCTION_PASSWORD_METHOD

    hashed = generate_password_hash("correct horse battery", method=PRODUCTION_PASSWORD_METHOD)
    assert hashed.startswith("scrypt:32768:8:1$")  # 2**15 rounds: what the app stores outside the suite
    assert check_password_hash(hashed, "correct horse battery")
