"""Server-side login sessions: a row per logged-in browser, looked up on every request.

The signed cookie carries "<user id>:<random token>"; the row is keyed by the token's sha256. Signing
stops forgery but not copying, so ending a session means deleting its row: a copied cookie then finds
nothing and is a logged-out visitor. One primary-key lookup (joined to the user) per request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select

from mockloop.db import db, dml
from mockloop.db.models import LoginSession, User

# Run on every request, so built once: building it cost as much as running it.
_USER_OF_SESSION = (
    select(User).join(LoginSession, LoginSession.user_id == User.id).where(LoginSession.id == bindparam("session_id"))
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(user: User, now: datetime, lifetime: timedelta) -> str:
    """A new session row for `user`; returns its token (a new token also defeats session fixation).
    Rows older than the cookie lifetime can only be garbage (the cookie is refused), so they go."""
    db.session.execute(
        delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.created_at <= now - lifetime)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=_digest(token), user_id=user.id, created_at=now))
    user.session_token = token
    return token


def key_of(login_id: str) -> tuple[int, str] | None:
    """(user id, session row id) of what the cookie names; None if it names nothing well-formed.
    The row must still exist, for that user: load() checks it, and so does the state poll's read."""
    user_id, _, token = login_id.partition(":")
    if not token or not user_id.isdigit():
        return None
    return int(user_id), _digest(token)


def load(login_id: str) -> User | None:
    """The user loader: the user whose session this cookie names, if that session still exists."""
    key = key_of(login_id)
    if key is None:
        return None
    user = db.session.execute(_USER_OF_SESSION, {"session_id": key[1]}).scalar_one_or_none()
    if user is None or user.id != key[0]:
        return None
    user.session_token = login_id.partition(":")[2]
    return user


def end(user: User) -> None:
    """This browser's session row goes: a copy of its cookie finds nothing."""
    if user.session_token:
        db.session.execute(delete(LoginSession).where(LoginSession.id == _digest(user.session_token)))


def end_all(user: User) -> int:
    """Every session of `user` ends: every browser and device, this one included."""
    return dml(delete(LoginSession).where(LoginSession.user_id == user.id)).rowcount
