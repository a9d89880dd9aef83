"""The security headers every answer of the app carries, once, unless the view set its own."""

from __future__ import annotations

from mockloop.web.pages import CSP


def test_every_answer_has_each_security_header_once_and_a_views_own_policy_wins(app, client):
    @app.get("/test/own-policy")
    def own_policy():
        return "framed", {"Content-Security-Policy": "default-src 'none'", "referrer-policy": "no-referrer"}

    for path in ("/account/login", "/api/rounds/1/state", "/no/such/page"):
        res = client.get(path)
        assert res.headers.getlist("Content-Security-Policy") == [CSP], path
        assert res.headers.getlist("X-Content-Type-Options") == ["nosniff"], path
        assert res.headers.getlist("Referrer-Policy") == ["same-origin"], path

    own = client.get("/test/own-policy")
    assert own.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert own.headers.getlist("Referrer-Policy") == ["no-referrer"]  # names match whatever their case
    assert own.headers.getlist("X-Content-Type-Options") == ["nosniff"]
