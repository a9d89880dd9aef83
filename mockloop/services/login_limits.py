"""Failed log-ins, counted per account and per address in the database (so every process sees them).

After ACCOUNT_LIMIT failures for one email within WINDOW, or ADDRESS_LIMIT from one address, further
attempts are refused until enough of those failures are older than WINDOW. A refused attempt is
not recorded, so hammering the form does not push the cooldown further out. A successful log-in
clears that account's failures. Deployments can tune the numbers with LOGIN_FAILURES_PER_ACCOUNT,
LOGIN_FAILURES_PER_ADDRESS and LOGIN_FAILURE_WINDOW_MINUTES.

Checking and recording are one step, so concurrent guesses cannot all slip past the check: each
attempt first commits its row (as if it had failed: record(), then the caller commits), then counts
the others (refusal()). The n-th attempt to
commit sees at least the n-1 before it, so at most LIMIT attempts get to check a password; a refused
one deletes its row again, a successful one clears the account's rows, a failed one leaves it.

Sign-up answers "that account exists", which tells a stranger an email is registered: such answers
count against the address too (rows with email SIGNUP_PROBE, so they never pause anyone's account).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Index, String, delete
from sqlalchemy.orm import Mapped, mapped_column

from mockloop.db import Model, db
from mockloop.db.models import UTCDateTime

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW_MINUTES = 15


class LoginFailure(Model):
    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_at", "email", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
        Index("ix_login_failures_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))  # normalized; also for emails with no account
    address: Mapped[str] = mapped_column(String(64))  # the client's IP address
    at: Mapped[datetime] = mapped_column(UTCDateTime)


SIGNUP_PROBE = ""  # the email of a sign-up's row: no account has it, so only the address counts it


@dataclass(frozen=True)
class Refusal:
    scope: str  # "account" or "address"
    retry_at: datetime

    def message(self, now: datetime, action: str = "Log-in") -> str:
        minutes = max(1, math.ceil((self.retry_at - now).total_seconds() / 60))
        what = "this account" if self.scope == "account" else "your network address"
        tried = "log-in" if action == "Log-in" else "log-in or sign-up"
        return (
            f"Too many failed {tried} attempts for {what}. {action} is paused for {minutes} "
            f"minute{'' if minutes == 1 else 's'}; try again after that."
        )

    def retry_after(self, now: datetime) -> int:
        return max(1, math.ceil((self.retry_at - now).total_seconds()))


def _settings() -> tuple[int, int, timedelta]:
    config = current_app.config
    return (
        int(config.get("LOGIN_FAILURES_PER_ACCOUNT", ACCOUNT_LIMIT)),
        int(config.get("LOGIN_FAILURES_PER_ADDRESS", ADDRESS_LIMIT)),
        timedelta(minutes=float(config.get("LOGIN_FAILURE_WINDOW_MINUTES", WINDOW_MINUTES))),
    )


def _retry_at(column, value: str, limit: int, window: timedelta, now: datetime, own: int) -> datetime | None:
    """When the limit-th most recent other failure leaves the window, or None if under the limit."""
    recent = (
        db.session.execute(
            db.select(LoginFailure.at)
            .where(column == value, LoginFailure.at > now - window, LoginFailure.id != own)
            .order_by(LoginFailure.at.desc())
            .limit(limit)
        )
        .scalars()
        .all()
    )
    return recent[-1] + window if len(recent) >= limit else None


def record(email: str, address: str, now: datetime) -> int:
    """Record an attempt as a failure, before anything is checked; return the row's id (for forget()).

    The caller commits at once, so the row is visible to every other attempt before this one counts
    them (refusal()) or checks a password.
    """
    _, _, window = _settings()
    # Failures older than the window no longer count: drop them while we are writing anyway.
    db.session.execute(delete(LoginFailure).where(LoginFailure.at <= now - window))
    row = LoginFailure(email=email, address=address[:64], at=now)
    db.session.add(row)
    db.session.flush()
    return row.id


def refusal(own: int, email: str, address: str, now: datetime) -> Refusal | None:
    """Whether the attempt recorded (and committed) as row `own` is refused: None lets it go on to
    check the password; a refused attempt's row is taken back."""
    per_account, per_address, window = _settings()
    refused = None
    if email != SIGNUP_PROBE:
        retry = _retry_at(LoginFailure.email, email, per_account, window, now, own)
        refused = Refusal("account", retry) if retry is not None else None
    if refused is None:
        retry = _retry_at(LoginFailure.address, address[:64], per_address, window, now, own)
        refused = Refusal("address", retry) if retry is not None else None
    if refused is not None:
        forget(own)
    return refused


def forget(row_id: int) -> None:
    """Take back an attempt's row: it was refused, or it turned out not to be a failure."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.id == row_id))


def clear(email: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
