"""The session cookie: signed the same way as Flask's default signs it (a cookie from before the
faster signing still logs its browser in), and read with the app's current secret key."""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


def test_a_cookie_signed_the_flask_way_logs_in_and_ours_reads_the_same(app, client, auth):
    auth.signup()
    ours = client.get_cookie("session").value
    flask_default = SecureCookieSessionInterface().get_signing_serializer(app)
    session = flask_default.loads(ours)  # what this app signs, Flask's own code reads
    assert session["_user_id"]

    browser = app.test_client()
    browser.set_cookie("session", flask_default.dumps(session))  # and what Flask signs, this app reads
    page = browser.get("/account/password")
    assert page.status_code == 200 and "Log out" in page.get_data(as_text=True)


def test_a_new_secret_key_ends_the_sessions_signed_with_the_old_one(app, client, auth):
    auth.signup()
    assert client.get("/account/password").status_code == 200
    app.secret_key = "another key"  # as after replacing instance/secret_key and restarting
    res = client.get("/account/password")
    assert res.status_code == 302 and res.headers["Location"].startswith("/account/login")
