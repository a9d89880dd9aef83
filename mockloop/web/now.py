"""The request's one reading of the clock, so every step of a request works at the same instant."""

from __future__ import annotations

from datetime import datetime

from flask import request

from mockloop import clock

_KEY = "mockloop.now"


def request_now() -> datetime:
    """clock.now() at the first call in this request, the same value after. Kept in the request's
    environ rather than flask.g: g lives on the app context, which a test may hold across requests.
    Read through the module (clock.now), so tests that replace it freeze or move this too."""
    environ = request.environ
    if _KEY not in environ:
        environ[_KEY] = clock.now()
    return environ[_KEY]
