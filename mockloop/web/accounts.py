"""Accounts: sign up, log in, log out, change password."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from mockloop.core.errors import Conflict
from mockloop.services import login_limits, login_sessions
from mockloop.services.users import (
    create_user,
    find_user,
    normalize_email,
    password_matches,
)
from mockloop.web.account_forms import LoginForm, PasswordForm, SignupForm
from mockloop.web.now import request_now
from mockloop.web.transaction import transaction

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _begin(user, now) -> None:
    """Log `user` in on this browser with a fresh server-side session; nothing from before the
    log-in (an earlier user's invite link) carries over."""
    session.clear()
    login_sessions.create(user, now, current_app.permanent_session_lifetime)
    login_user(user)


def _next_url() -> str:
    target = request.args.get("next", "")
    # Only same-site paths: an absolute or protocol-relative URL would be an open redirect. Browsers
    # read a backslash as a slash and drop tabs and newlines, so "/\\evil.example" counts as "//".
    local = (
        target.startswith("/")
        and not any(c == "\\" or ord(c) < 32 or ord(c) == 127 for c in target)
        and not target.startswith("//")
        and not urlsplit(target).netloc
    )
    return target if local else url_for("catalog.home")


@bp.route("/signup", methods=["GET", "POST"])
@transaction()
def signup():
    if not current_app.config["SIGNUP_OPEN"]:
        return render_template("accounts/signup_closed.html"), 403
    form = SignupForm()
    if form.validate_on_submit():
        now = request_now()
        # Counted like a failed log-in from this address: "that account exists" is worth guessing for.
        address = request.remote_addr or "unknown"
        with transaction():  # committed before it counts the others, as a log-in attempt is
            row = login_limits.record(login_limits.SIGNUP_PROBE, address, now)
        refused = login_limits.refusal(row, login_limits.SIGNUP_PROBE, address, now)
        if refused is not None:
            return (
                render_template("accounts/signup.html", form=form, refused=refused.message(now, "Sign-up")),
                429,
                {"Retry-After": str(refused.retry_after(now))},
            )
        try:
            user = create_user(form.email.data, form.display_name.data, form.password.data)
        except Conflict as exc:
            form.email.errors.append(str(exc))
        else:
            login_limits.forget(row)
            _begin(user, now)
            flash(f"Welcome, {user.display_name}. Pick a stage to practice.", "success")
            return redirect(_next_url())
    return render_template("accounts/signup.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@transaction()
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email, address, now = normalize_email(form.email.data), request.remote_addr or "unknown", request_now()
        # Recorded as a failure before the password is checked, and refused if that was one too many,
        # so concurrent guesses cannot all pass the check first (see login_limits.py).
        with transaction():  # committed here: every concurrent guess sees this row before counting
            row = login_limits.record(email, address, now)
        refused = login_limits.refusal(row, email, address, now)
        if refused is not None:
            # Checked before the password, so a refused guess learns nothing, right or wrong.
            return (
                render_template("accounts/login.html", form=form, refused=refused.message(now)),
                429,
                {"Retry-After": str(refused.retry_after(now))},
            )
        user = find_user(email)
        if password_matches(user, form.password.data):
            login_limits.clear(email)
            _begin(user, now)
            return redirect(_next_url())
        form.password.errors.append("Email or password is wrong.")
    return render_template("accounts/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@transaction()
def logout():
    if current_user.is_authenticated:
        login_sessions.end(current_user)
    logout_user()
    session.clear()  # the invite link kept in the session goes too
    flash("You are logged out.", "info")
    return redirect(url_for("catalog.home"))


@bp.post("/logout-everywhere")
@login_required
@transaction()
def logout_everywhere():
    count = login_sessions.end_all(current_user)
    logout_user()
    session.clear()
    flash(
        f"You are logged out everywhere ({count} session{'' if count == 1 else 's'} ended, this one included). "
        "Log in again to continue.",
        "info",
    )
    return redirect(url_for("accounts.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@transaction()
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("The current password is wrong.")
        else:
            current_user.set_password(form.password.data)
            # every session ends, a copy of this very cookie too (it may be why the password changed)
            login_sessions.end_all(current_user)
            _begin(current_user, request_now())
            flash("Password changed. Other devices have been signed out.", "success")
            return redirect(url_for("catalog.home"))
    return render_template("accounts/password.html", form=form), 400 if form.errors else 200


@bp.route("/timezone", methods=["GET", "POST"])
@login_required
@transaction()
def timezone_setting():
    from zoneinfo import available_timezones

    from mockloop.core.zones import valid_zone

    error = None
    if request.method == "POST":
        zone = request.form.get("timezone", "")
        if zone and not valid_zone(zone):
            error = f"{zone!r} is not a time zone name; pick one from the list."
        else:
            current_user.timezone = zone or None
            flash(f"Times now show in {zone}." if zone else "Times now show in your browser's zone.", "success")
            return redirect(url_for("loops.upcoming"))
    return render_template(
        "accounts/timezone.html",
        zones=sorted(available_timezones()),
        error=error,
        chosen=request.form.get("timezone", current_user.timezone or ""),
    ), 400 if error else 200
