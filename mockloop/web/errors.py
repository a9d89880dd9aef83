"""Errors as HTTP, in one place: the domain's errors get their status here, and every JSON error
(a domain error, an abort(), a CSRF failure, a 413, a 401) has one shape:
`{"error": <short code>, "message": <for a person>, ...details}`.

A view that answers an error differently (a form shown again with the message, a flash and a
redirect) catches the domain error itself; what it does not catch ends up here.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from mockloop.core.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound, Unavailable

# The domain's errors and their HTTP status and code; a DomainError not below one of these is a 400.
DOMAIN = (
    (Invalid, 400, "invalid"),
    (Conflict, 409, "conflict"),
    (NotAllowed, 403, "not_allowed"),
    (NotFound, 404, "not_found"),
    (Unavailable, 503, "unavailable"),
)
# Codes for HTTP errors raised by Flask, Werkzeug and abort(); others are derived from the status name.
CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "not_allowed",
    404: "not_found",
    409: "conflict",
    413: "too_large",
    429: "too_many_requests",
}
CSRF_MESSAGE = "The form expired or was sent from elsewhere. Reload the page and try again."


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def code_for(status: int) -> str:
    name = HTTP_STATUS_CODES.get(status, "error")
    return CODES.get(status) or re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def error(status: int, message: str, code: str | None = None, **details: Any) -> tuple[Response, int]:
    """The JSON error answer; `code` defaults to the status's."""
    return jsonify(error=code or code_for(status), message=message, **details), status


def status_of(exc: DomainError) -> tuple[int, str]:
    for kind, status, code in DOMAIN:
        if isinstance(exc, kind):
            return status, code
    return 400, "invalid"


def answer(exc: DomainError, **extra: Any) -> tuple[Response, int]:
    """A domain error as JSON: its status and code, its message and details (field, reason, ...)."""
    status, code = status_of(exc)
    return error(status, exc.message, code, **{**exc.details, **extra})


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if wants_json():
            return answer(exc)
        status, _ = status_of(exc)
        return render_template("error.html", code=status, name=HTTP_STATUS_CODES[status], message=exc.message), status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code, status = None, exc.code or 500
        message = exc.description
        if isinstance(exc, CSRFError):
            code, message = "csrf", CSRF_MESSAGE
        if status == 413:
            limit = app.config["MAX_CONTENT_LENGTH"] // 1024
            message = f"That request is too large (the limit is {limit} KiB)."
        if wants_json():
            return error(status, message or exc.name, code)
        return render_template("error.html", code=status, name=exc.name, message=message), status
