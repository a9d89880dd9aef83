"""Server-side login sessions: a row per logged-in browser, looked up on every request.

The signed cookie carries "<user id>:<random token>"; the row is keyed by the token's sha256. Signing
stops forgery but not copying, so ending a session means deleting its row: a copied cookie then finds
nothing and is a logged-out visitor. One primary-key lookup (joined to the user) per request.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask import current_app, session
from flask_login import login_user, logout_user
from sqlalchemy import delete

from mockloop.db import db, dml
from mockloop.db.models import LoginSession, User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _oldest_valid(now: datetime) -> datetime:
    # Flask refuses a cookie signed longer ago than this, so an older row can only be garbage.
    return now - current_app.permanent_session_lifetime


def begin(user: User, now: datetime) -> None:
    """Log `user` in on this browser with a fresh session (a new token also defeats session fixation)."""
    session.clear()  # nothing from before the log-in (an earlier user's invite link) carries over
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id,
                                                  LoginSession.created_at <= _oldest_valid(now)))
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=_digest(token), user_id=user.id, created_at=now))
    user.session_token = token
    login_user(user)


def load(login_id: str) -> User | None:
    """The user loader: the user whose session this cookie names, if that session still exists."""
    user_id, _, token = login_id.partition(":")
    if not token or not user_id.isdigit():
        return None
    user = db.session.execute(
        db.select(User).join(LoginSession, LoginSession.user_id == User.id).where(LoginSession.id == _digest(token))
    ).scalar_one_or_none()
    if user is None or str(user.id) != user_id:
        return None
    user.session_token = token
    return user


def end(user: User | None) -> None:
    """Log this browser out: its session row goes, and everything the cookie held with it."""
    if user is not None and user.session_token:
        db.session.execute(delete(LoginSession).where(LoginSession.id == _digest(user.session_token)))
    logout_user()
    session.clear()


def restart(user: User, now: datetime) -> None:
    """After a password change: every session of `user` ends, and this browser gets a new one (a
    copy of this very cookie, which may be why the password changed, must die too)."""
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    begin(user, now)


def end_all(user: User) -> int:
    """Log out everywhere: every browser and device of `user`, this one included."""
    count = dml(delete(LoginSession).where(LoginSession.user_id == user.id)).rowcount
    logout_user()
    session.clear()
    return count
