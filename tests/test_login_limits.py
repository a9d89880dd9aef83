"""Log-in limits per account and per address, passwords' minimum length, sessions ended by a password
change, and where a log-in may send you next."""

import pytest

from mockloop.db import db
from mockloop.services.login_limits import LoginFailure
from tests.helpers import Auth, csrf_token

PASSWORD = "correct horse battery"


def attempt(client, email="ada@example.com", password="wrong password!", **kwargs):
    token = csrf_token(client)
    return client.post("/account/login", data={"csrf_token": token, "email": email, "password": password}, **kwargs)


@pytest.fixture
def ada(app, client, auth, frozen_clock):
    auth.signup()
    auth.logout()
    return client


def from_address(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_five_failures_pause_the_account_for_fifteen_minutes(ada, frozen_clock):
    for _ in range(5):
        res = attempt(ada)
        assert res.status_code == 400 and "Email or password is wrong" in res.get_data(as_text=True)
    refused = attempt(ada, password=PASSWORD)  # even the right password: the pause is the point
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "Too many failed log-in attempts for this account" in page and "paused for 15 minutes" in page
    assert refused.headers["Retry-After"] == str(15 * 60)
    assert 'value="ada@example.com"' in page  # what was typed is kept
    frozen_clock.advance(minutes=10)
    assert "paused for 5 minutes" in attempt(ada, password=PASSWORD).get_data(as_text=True)
    frozen_clock.advance(minutes=4, seconds=30)
    assert "paused for 1 minute;" in attempt(ada, password=PASSWORD).get_data(as_text=True)
    frozen_clock.advance(seconds=30)
    assert attempt(ada, password=PASSWORD).status_code == 302


def test_refused_attempts_do_not_extend_the_pause(ada, frozen_clock):
    for _ in range(5):
        attempt(ada)
    for _ in range(3):
        frozen_clock.advance(minutes=4)
        assert attempt(ada).status_code == 429
    frozen_clock.advance(minutes=3)  # 15 minutes after the fifth failure
    assert attempt(ada, password=PASSWORD).status_code == 302


def test_the_account_limit_holds_from_every_address_and_case(app, ada, frozen_clock):
    for n in range(5):
        attempt(from_address(app, f"10.0.0.{n}"), email="ADA@example.com ")
    res = attempt(from_address(app, "10.9.9.9"), password=PASSWORD)
    assert res.status_code == 429 and "this account" in res.get_data(as_text=True)


def test_a_successful_log_in_clears_the_account_failures(ada, frozen_clock):
    for _ in range(4):
        attempt(ada)
    assert attempt(ada, password=PASSWORD).status_code == 302
    Auth(ada).logout()
    for _ in range(4):
        assert attempt(ada).status_code == 400
    assert attempt(ada, password=PASSWORD).status_code == 302


def test_twenty_failures_from_one_address_pause_that_address(app, ada, frozen_clock):
    guesser = from_address(app, "203.0.113.7")
    for n in range(20):  # a different account each time: spraying, not guessing one account
        assert attempt(guesser, email=f"user{n}@example.com").status_code == 400
    res = attempt(guesser, password=PASSWORD)
    page = res.get_data(as_text=True)
    assert res.status_code == 429 and "your network address" in page and "15 minutes" in page
    assert attempt(from_address(app, "203.0.113.8"), password=PASSWORD).status_code == 302  # others are fine
    frozen_clock.advance(minutes=15)
    assert attempt(guesser, password=PASSWORD).status_code == 302


def test_forwarded_for_counts_only_behind_a_trusted_proxy(make_app, frozen_clock):
    app = make_app()
    Auth(app.test_client()).signup()
    spoofing = app.test_client()
    for n in range(20):  # without TRUSTED_PROXIES a forged header does not make a fresh address
        attempt(spoofing, email=f"user{n}@example.com", headers={"X-Forwarded-For": f"198.51.100.{n}"})
    assert attempt(spoofing, password=PASSWORD, headers={"X-Forwarded-For": "198.51.100.99"}).status_code == 429

    proxied = make_app(TRUSTED_PROXIES=1)  # the same database: the proxy's clients are told apart
    client = proxied.test_client()
    for n in range(20):
        attempt(client, email=f"other{n}@example.com", headers={"X-Forwarded-For": "192.0.2.1"})
    assert attempt(client, password=PASSWORD, headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 429
    assert attempt(client, password=PASSWORD, headers={"X-Forwarded-For": "192.0.2.2"}).status_code == 302


def test_failures_live_in_the_database_so_every_process_sees_them(make_app, frozen_clock):
    first = make_app()
    Auth(first.test_client()).signup()
    for _ in range(5):
        attempt(first.test_client())
    second = make_app()  # another process's app on the same database
    assert attempt(second.test_client(), password=PASSWORD).status_code == 429
    with second.app_context():
        stored = db.session.execute(db.select(LoginFailure.email, LoginFailure.address)).all()
    assert stored == [("ada@example.com", "127.0.0.1")] * 5


def test_old_failures_are_forgotten(ada, frozen_clock, app):
    for _ in range(4):
        attempt(ada)
    frozen_clock.advance(minutes=16)
    attempt(ada)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(LoginFailure)).scalar() == 1


def test_passwords_need_ten_characters(client, auth):
    res = auth.signup(password="nine char")
    assert res.status_code == 400 and "at least 10 characters" in res.get_data(as_text=True)
    auth.signup()
    token = csrf_token(client, "/account/password")
    res = client.post(
        "/account/password",
        data={"csrf_token": token, "current": PASSWORD, "password": "123456789", "confirm": "123456789"},
    )
    assert res.status_code == 400 and "at least 10 characters" in res.get_data(as_text=True)


def test_a_stolen_session_cookie_dies_with_a_password_change(app, client, auth):
    auth.signup()
    stolen = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/account/password").status_code == 200
    token = csrf_token(client, "/account/password")
    client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current": PASSWORD,
            "password": "another long passphrase",
            "confirm": "another long passphrase",
        },
    )
    assert thief.get("/account/password").status_code == 302
    assert client.get("/account/password").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "/\\evil.example",
        "/\\/evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\r\nSet-Cookie: x=1",
        "///evil.example",
    ],
)
def test_log_in_never_redirects_off_site(client, auth, target):
    auth.signup()
    auth.logout()
    token = csrf_token(client)
    res = client.post(
        "/account/login",
        query_string={"next": target},
        data={"csrf_token": token, "email": "ada@example.com", "password": PASSWORD},
    )
    assert res.status_code == 302 and res.headers["Location"] == "/"


def test_log_in_keeps_a_local_next_path(client, auth):
    auth.signup()
    auth.logout()
    token = csrf_token(client)
    res = client.post(
        "/account/login",
        query_string={"next": "/stages/systems-design?tag=x"},
        data={"csrf_token": token, "email": "ada@example.com", "password": PASSWORD},
    )
    assert res.headers["Location"] == "/stages/systems-design?tag=x"


# ---------- concurrent guesses, unknown emails, sign-up probes ----------


def test_concurrent_wrong_guesses_get_at_most_five_password_checks(app, ada, monkeypatch):
    """24 guesses in flight at once: each password check is held until every request has either
    reached one or been refused, so the check-then-record race is as wide as it can be."""
    import threading

    from mockloop.web import accounts

    real, guesses = accounts.password_matches, 24
    progress = threading.Condition()
    checking, done = [], []
    release = threading.Event()

    def held_check(user, password):
        with progress:
            checking.append(password)
            progress.notify_all()
        assert release.wait(30)
        return real(user, password)

    monkeypatch.setattr(accounts, "password_matches", held_check)
    clients = [from_address(app, f"10.1.0.{n}") for n in range(guesses)]  # per-address limits stay out of it
    tokens = [csrf_token(c) for c in clients]

    def guess(client, token):
        res = client.post(
            "/account/login", data={"csrf_token": token, "email": "ada@example.com", "password": "wrong password!"}
        )
        with progress:
            done.append(res.status_code)
            progress.notify_all()

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens)]
    for t in threads:
        t.start()
    with progress:  # every request is at a password check or answered: nothing else can slip in
        progress.wait_for(lambda: len(checking) + len(done) == guesses, timeout=30)
        in_flight = len(checking)
    release.set()
    for t in threads:
        t.join(30)
    # Exactly five without overlap; attempts that commit their rows at the same moment may both be
    # refused (PostgreSQL does that here), never both let through.
    assert 1 <= in_flight <= 5 and len(checking) == in_flight
    assert sorted(done) == [400] * in_flight + [429] * (guesses - in_flight)
    for _ in range(5 - in_flight):
        assert attempt(ada).status_code == 400
    assert attempt(ada, password=PASSWORD).status_code == 429  # five failures in all, and no more


def test_an_unknown_email_costs_a_password_check_too(ada, monkeypatch):
    """Log-in takes as long for an email with no account as for a wrong password, so timing does
    not tell a stranger who has an account: both check one password hash."""
    from mockloop.db import models
    from mockloop.services import users

    checked = []
    for module in (users, models):
        real = module.check_password_hash
        monkeypatch.setattr(module, "check_password_hash", lambda h, p, real=real: checked.append(p) or real(h, p))
    assert attempt(ada, email="nobody@example.com", password="guess one!").status_code == 400
    assert attempt(ada, password="guess two!").status_code == 400
    assert checked == ["guess one!", "guess two!"]


def signup_as(client, email, password=PASSWORD):
    token = csrf_token(client, "/account/signup")
    return client.post(
        "/account/signup",
        data={
            "csrf_token": token,
            "email": email,
            "display_name": "Someone",
            "password": password,
            "confirm": password,
        },
    )


def test_sign_up_probes_for_existing_accounts_are_throttled_per_address(app, ada, frozen_clock):
    prober = from_address(app, "203.0.113.50")
    for _ in range(20):
        res = signup_as(prober, "ada@example.com")
        assert res.status_code == 400 and "already exists" in res.get_data(as_text=True)
    res = signup_as(prober, "ada@example.com")
    page = res.get_data(as_text=True)
    assert res.status_code == 429 and "Sign-up is paused for 15 minutes" in page and "already exists" not in page
    assert res.headers["Retry-After"] == str(15 * 60)
    assert signup_as(prober, "new@example.com").status_code == 429  # the address is paused, whatever it tries
    assert signup_as(from_address(app, "203.0.113.51"), "other@example.com").status_code == 302
    assert attempt(from_address(app, "198.51.100.1"), password=PASSWORD).status_code == 302  # Ada is not paused
    frozen_clock.advance(minutes=15)
    assert signup_as(prober, "new@example.com").status_code == 302


def test_successful_sign_ups_are_not_counted(app, frozen_clock):
    classroom = from_address(app, "192.0.2.80")  # a workshop behind one address
    for n in range(25):
        assert signup_as(app.test_client(), f"student{n}@example.com").status_code == 302
        assert signup_as(classroom, f"pupil{n}@example.com").status_code == 302
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(LoginFailure)).scalar() == 0
