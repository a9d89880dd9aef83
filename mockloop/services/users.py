"""Creating and finding users, shared by the sign-up page and `mockloop user create`."""

from __future__ import annotations

from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

from mockloop.core.errors import Conflict
from mockloop.db import db, models
from mockloop.db.models import User


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.execute(db.select(User).filter_by(email=normalize_email(email))).scalar_one_or_none()


@cache
def _dummy_hash() -> str:
    return generate_password_hash("no account has this password", method=models.PASSWORD_METHOD)


def password_matches(user: User | None, password: str) -> bool:
    """Check the password, taking as long for an unknown email as for a known one: a quick "no"
    would tell a stranger which emails have accounts."""
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return user.check_password(password)


def create_user(email: str, display_name: str, password: str) -> User:
    if find_user(email) is not None:
        raise Conflict(f"An account with {normalize_email(email)} already exists.", reason="exists")
    user = User(email=normalize_email(email), display_name=display_name.strip())
    user.set_password(password)
    db.session.add(user)
    db.session.flush()  # the caller logs the new user in by id
    return user
