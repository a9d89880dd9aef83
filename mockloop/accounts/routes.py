from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import clock
from ..extensions import db
from . import bp, throttle
from .forms import LoginForm, PasswordForm, SignupForm
from .users import UserExists, create_user, find_user, normalize_email


def _next_url() -> str:
    target = request.args.get("next", "")
    # Only same-site paths: an absolute or protocol-relative URL would be an open redirect. Browsers
    # read a backslash as a slash and drop tabs and newlines, so "/\\evil.example" counts as "//".
    local = (target.startswith("/") and not any(c == "\\" or ord(c) < 32 or ord(c) == 127 for c in target)
             and not target.startswith("//") and not urlsplit(target).netloc)
    return target if local else url_for("catalog.home")


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if not current_app.config["SIGNUP_OPEN"]:
        return render_template("accounts/signup_closed.html"), 403
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.display_name.data, form.password.data)
        except UserExists as exc:
            form.email.errors.append(str(exc))
        else:
            login_user(user)
            flash(f"Welcome, {user.display_name}. Pick a stage to practice.", "success")
            return redirect(_next_url())
    return render_template("accounts/signup.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email, address, now = normalize_email(form.email.data), request.remote_addr or "unknown", clock.now()
        refused = throttle.refusal(email, address, now)
        if refused is not None:
            # Checked before the password, so a refused guess learns nothing, right or wrong.
            return (render_template("accounts/login.html", form=form, refused=refused.message(now)), 429,
                    {"Retry-After": str(refused.retry_after(now))})
        user = find_user(email)
        if user is not None and user.check_password(form.password.data):
            throttle.clear(email)
            login_user(user)
            return redirect(_next_url())
        throttle.record_failure(email, address, now)
        form.password.errors.append("Email or password is wrong.")
    return render_template("accounts/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("catalog.home"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("The current password is wrong.")
        else:
            current_user.set_password(form.password.data)
            db.session.commit()
            login_user(current_user)  # re-issue this session's cookie with the new login version
            flash("Password changed. Other devices have been signed out.", "success")
            return redirect(url_for("catalog.home"))
    return render_template("accounts/password.html", form=form), 400 if form.errors else 200
