"""Failed log-ins, counted per account and per address in the database (so every process sees them).

After ACCOUNT_LIMIT failures for one email within WINDOW, or ADDRESS_LIMIT from one address, further
attempts are refused until enough of those failures are older than WINDOW. A refused attempt is
not recorded, so hammering the form does not push the cooldown further out. A successful log-in
clears that account's failures. Deployments can tune the numbers with LOGIN_FAILURES_PER_ACCOUNT,
LOGIN_FAILURES_PER_ADDRESS and LOGIN_FAILURE_WINDOW_MINUTES.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Index, String, delete
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import UTCDateTime

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW_MINUTES = 15


class LoginFailure(db.Model):
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


@dataclass(frozen=True)
class Refusal:
    scope: str  # "account" or "address"
    retry_at: datetime

    def message(self, now: datetime) -> str:
        minutes = max(1, math.ceil((self.retry_at - now).total_seconds() / 60))
        what = "this account" if self.scope == "account" else "your network address"
        return (f"Too many failed log-in attempts for {what}. Log-in is paused for {minutes} "
                f"minute{'' if minutes == 1 else 's'}; try again after that.")

    def retry_after(self, now: datetime) -> int:
        return max(1, math.ceil((self.retry_at - now).total_seconds()))


def _settings() -> tuple[int, int, timedelta]:
    config = current_app.config
    return (int(config.get("LOGIN_FAILURES_PER_ACCOUNT", ACCOUNT_LIMIT)),
            int(config.get("LOGIN_FAILURES_PER_ADDRESS", ADDRESS_LIMIT)),
            timedelta(minutes=float(config.get("LOGIN_FAILURE_WINDOW_MINUTES", WINDOW_MINUTES))))


def _retry_at(column, value: str, limit: int, window: timedelta, now: datetime) -> datetime | None:
    """When the limit-th most recent failure leaves the window, or None if under the limit."""
    recent = db.session.execute(
        db.select(LoginFailure.at).where(column == value, LoginFailure.at > now - window)
        .order_by(LoginFailure.at.desc()).limit(limit)).scalars().all()
    return recent[-1] + window if len(recent) >= limit else None


def refusal(email: str, address: str, now: datetime) -> Refusal | None:
    per_account, per_address, window = _settings()
    retry = _retry_at(LoginFailure.email, email, per_account, window, now)
    if retry is not None:
        return Refusal("account", retry)
    retry = _retry_at(LoginFailure.address, address, per_address, window, now)
    return Refusal("address", retry) if retry is not None else None


def record_failure(email: str, address: str, now: datetime) -> None:
    _, _, window = _settings()
    # Failures older than the window no longer count: drop them while we are writing anyway.
    db.session.execute(delete(LoginFailure).where(LoginFailure.at <= now - window))
    db.session.add(LoginFailure(email=email, address=address[:64], at=now))
    db.session.commit()


def clear(email: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    db.session.commit()
