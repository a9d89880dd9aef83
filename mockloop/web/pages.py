"""What every page shares: the login loader, security headers, error pages and template helpers."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from zoneinfo import ZoneInfo

from flask import (
    Flask,
    Request,
    current_app,
    flash,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

from mockloop import __version__
from mockloop.core.work import LANGUAGES
from mockloop.db.models import User
from mockloop.services import login_sessions
from mockloop.web import errors
from mockloop.web.extensions import login_manager

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
)


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    return login_sessions.load(login_id)  # a server-side row per login, so log-out really ends it


KEPT_TOKENS = 4096  # per worker: a session's kept signature is about 100 bytes
_kept_lock = threading.Lock()  # gunicorn's threads share them


def csrf_token() -> str:
    """The page's CSRF token (templates' csrf_token()): Flask-WTF's, with the signature of each
    session's raw token kept per worker. Without a time limit a signature never expires, so signing
    the same raw token again for every page (a serializer built, an HMAC) gives nothing a kept one
    does not; pages are many."""
    if current_app.config["WTF_CSRF_TIME_LIMIT"] is not None:
        return generate_csrf()
    kept_tokens = current_app.extensions["mockloop.csrf_tokens"]
    kept = kept_tokens.get(session.get("csrf_token", ""))
    if kept and "csrf_token" not in g:
        g.csrf_token = kept  # where generate_csrf looks first
    token = generate_csrf()  # makes the session's raw token if it has none yet
    if not kept:
        with _kept_lock:
            kept_tokens[session["csrf_token"]] = token
            if len(kept_tokens) > KEPT_TOKENS:
                kept_tokens.popitem(last=False)  # the oldest: its session, if still used, signs once more
    return token


class SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over HTTPS (directly or via a
    proxy that ProxyFix trusts), so plain-HTTP localhost still works.

    Reading the cookie is a large share of a small request (the state poll), so: the signing
    serializer is built once per secret key rather than for every request, and the HMAC's SHA-1 is
    hashlib's own, which the hmac module runs in OpenSSL; Flask's default wraps it in a Python
    function, which sends hmac down its pure-Python path. The signatures are the same."""

    digest_method = staticmethod(hashlib.sha1)

    def get_cookie_secure(self, app) -> bool:
        return app.config["SESSION_COOKIE_SECURE"] or request.is_secure

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = app.extensions.get("mockloop.session_serializer")
        if kept is None or kept[0] != keys:  # the key changed (a test may set another)
            kept = (keys, super().get_signing_serializer(app))
            app.extensions["mockloop.session_serializer"] = kept
        return kept[1]


def _drop_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_drop_nul(v) for v in value]
    if isinstance(value, dict):
        return {_drop_nul(k): _drop_nul(v) for k, v in value.items()}
    return value


class NulFreeRequest(Request):
    """Drops NUL characters from query and form fields and JSON strings. Nobody types one,
    PostgreSQL cannot store or even compare text holding one (a 500 instead of a save), and refusing
    the request would leave an autosaving scratchpad retrying forever."""

    @staticmethod
    def _nul_free(fields):
        if not any("\x00" in k or "\x00" in v for k, v in fields.items(multi=True)):
            return fields
        return ImmutableMultiDict([(_drop_nul(k), _drop_nul(v)) for k, v in fields.items(multi=True)])

    @cached_property
    def args(self):
        return self._nul_free(super().args)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        if self.__dict__.get("form"):
            self.__dict__["form"] = self._nul_free(self.__dict__["form"])

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        # Every JSON body the app reads comes through here, so the depth limit lives here too: Python's
        # parser raises RecursionError (a 500) on deep input, and walking it would recurse as deep.
        try:
            data = super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            data = TOO_DEEP
        if data is TOO_DEEP or _deeper_than(data, MAX_JSON_DEPTH):
            raise BadRequest(f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH} levels).")
        return _drop_nul(data)


MAX_JSON_DEPTH = 32  # the API's bodies are two levels deep
TOO_DEEP = object()


def _deeper_than(value, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` levels (recursing at most that far)."""
    if isinstance(value, (list, dict)):
        if limit <= 0:
            return True
        return any(_deeper_than(v, limit - 1) for v in (value.values() if isinstance(value, dict) else value))
    return False


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ids fit a 32-bit database integer, so a larger number is a 404,
    not an overflow (a 500) in the database driver."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.request_class = NulFreeRequest
    app.url_map.converters["int"] = IdConverter  # before the blueprints add their routes
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind that many reverse proxies, believe their X-Forwarded-For/-Proto/-Host: the client's
        # address (log-in limits) and HTTPS (Secure cookies) come from there. Never trust them unasked.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to wrap it
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Log in to continue."
    login_manager.login_message_category = "info"

    @login_manager.unauthorized_handler
    def unauthorized():
        if errors.wants_json():
            return errors.error(401, "Log in first.")
        flash(login_manager.login_message, "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))

    @app.after_request
    def security_headers(response):
        # Unless a view set its own. One pass over the few headers there are: werkzeug's lookup of a
        # missing header raises (and builds) an HTTP exception, three of them a request otherwise.
        present = {name.lower() for name, _ in response.headers.items()}
        for name, value in SECURITY_HEADERS:
            if name.lower() not in present:
                response.headers.add(name, value)
        return response

    errors.init_app(app)  # domain errors and HTTP errors: their status, page and JSON shape

    app.jinja_env.globals["version"] = __version__
    # On the app, not the module: each app signs with its own key. Raw token: its signed token.
    app.extensions["mockloop.csrf_tokens"] = OrderedDict()
    # In place of Flask-WTF's, which it sets both ways (a processor's name wins over a global's).
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
    app.jinja_env.globals["languages"] = {lang.id: lang.label for lang in LANGUAGES}
    app.jinja_env.filters["minutes"] = format_minutes
    app.jinja_env.filters["clock"] = format_clock
    app.jinja_env.filters["in_zone"] = lambda dt, zone: dt.astimezone(ZoneInfo(zone)).strftime("%a %d %b %Y, %H:%M %Z")
    app.jinja_env.filters["difficulty"] = lambda d: DIFFICULTY.get(d, str(d))
    app.jinja_env.filters["card_role"] = lambda role: CARD_ROLES.get(role, (role, role))[0]
    app.jinja_env.filters["card_role_short"] = lambda role: CARD_ROLES.get(role, (role, role))[1]


DIFFICULTY = {1: "warm-up", 2: "standard", 3: "hard"}
# A scorecard's role as pages name it: in a sentence, and as a column heading.
CARD_ROLES = {
    "self": ("Self-assessment", "Self"),
    "interviewer": ("Interviewer", "Interviewer"),
    "ai": ("AI reviewer", "AI"),
}


def format_minutes(minutes: float) -> str:
    if 0 < minutes < 1:
        return f"{round(minutes * 60)} s"
    total = round(minutes)
    hours, mins = divmod(total, 60)
    if not hours:
        return f"{mins} min"
    return f"{hours} h" + (f" {mins} min" if mins else "")


def format_clock(seconds: int) -> str:
    hours, rest = divmod(max(0, int(seconds)), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"
