"""Sign up, log in, log out, change password, CSRF, closed sign-up and `mockloop user create`."""
from mockloop.cli import main
from tests.conftest import Auth, csrf_token


def test_signup_logs_in_and_shows_the_stages(client, auth):
    res = auth.signup()
    assert res.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Ada" in page and "Log out" in page


def test_signup_errors_keep_what_was_typed(client):
    token = csrf_token(client, "/account/signup")
    res = client.post("/account/signup", data={"csrf_token": token, "email": "not-an-email",
                                               "display_name": "Grace", "password": "short", "confirm": "other"})
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
    res = client.post("/account/signup", data={"email": "a@example.com", "display_name": "A",
                                               "password": "x" * 12, "confirm": "x" * 12})
    assert res.status_code == 400 and "expired or was sent from elsewhere" in res.get_data(as_text=True)


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
    res = client.post("/account/login?next=//evil.example/x",
                      data={"csrf_token": token, "email": "ada@example.com", "password": "correct horse battery"})
    assert res.headers["Location"] == "/"


def test_password_change_signs_out_other_sessions(app, client, auth):
    auth.signup()
    other = app.test_client()
    Auth(other).login()
    assert other.get("/stages/systems-design").status_code == 200
    token = csrf_token(client, "/account/password")
    res = client.post("/account/password", data={"csrf_token": token, "current": "correct horse battery",
                                                 "password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    assert res.status_code == 302
    assert client.get("/stages/systems-design").status_code == 200  # this session stays in
    assert other.get("/stages/systems-design").status_code == 302  # the other one is out
    auth.logout()
    assert auth.login(password="a brand new passphrase").status_code == 302


def test_closed_signup_and_admin_created_user(make_app):
    app = make_app(SIGNUP_OPEN=False)
    client = app.test_client()
    assert client.get("/account/signup").status_code == 403
    result = app.test_cli_runner().invoke(main, ["user", "create", "--email", "Root@Example.com", "--name", "Root",
                                                 "--password", "an admin passphrase", "--admin"])
    assert result.exit_code == 0, result.output
    assert "Created root@example.com (admin)" in result.output
    assert Auth(client).login(email="root@example.com", password="an admin passphrase").status_code == 302
    dup = app.test_cli_runner().invoke(main, ["user", "create", "--email", "root@example.com", "--name", "R",
                                              "--password", "another passphrase"])
    assert dup.exit_code != 0 and "already exists" in dup.output
