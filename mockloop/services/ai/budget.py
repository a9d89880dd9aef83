"""The per-user daily token budget (AI_DAILY_TOKENS, per UTC day) and the record of what each call
used. A call is refused once the day's tokens are spent; the one that crosses the line finishes."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import func

from mockloop.config import AiSettings
from mockloop.core.errors import Conflict
from mockloop.core.vocabulary import duration_text
from mockloop.db import db
from mockloop.db.models import AiUsage
from mockloop.services.ai.provider import Usage


def _day_start(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(timezone.utc).date(), time(), tzinfo=timezone.utc)


def used_today(user_id: int, now: datetime) -> int:
    return db.session.execute(
        db.select(func.coalesce(func.sum(AiUsage.input_tokens + AiUsage.output_tokens), 0)).where(
            AiUsage.user_id == user_id, AiUsage.at >= _day_start(now)
        )
    ).scalar_one()


def remaining(user_id: int, settings: AiSettings, now: datetime) -> int:
    """Tokens left today; Conflict (reason "budget") when none are."""
    used = used_today(user_id, now)
    if used >= settings.daily_tokens:
        renews = _day_start(now) + timedelta(days=1)
        raise Conflict(
            f"You have used today's AI budget ({used:,} of {settings.daily_tokens:,} tokens). "
            f"It renews at midnight UTC, in {duration_text(renews - now)}; everything else works as before.",
            reason="budget",
        )
    return settings.daily_tokens - used


def record(user_id: int | None, round_id: int | None, feature: str, usage: Usage, now: datetime) -> None:
    db.session.add(
        AiUsage(
            user_id=user_id,
            round_id=round_id,
            feature=feature,
            at=now,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
        )
    )
    db.session.flush()


def features_used(round_id: int) -> list[str]:
    """Which AI features took part in a round, in the order first used."""
    rows = db.session.execute(
        db.select(AiUsage.feature, func.min(AiUsage.id))
        .where(AiUsage.round_id == round_id)
        .group_by(AiUsage.feature)
        .order_by(func.min(AiUsage.id))
    ).all()
    return [feature for feature, _ in rows]
