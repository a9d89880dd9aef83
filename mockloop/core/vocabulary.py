"""The words the app stores and compares: round modes, seats, reviewer roles, card statuses, notice
kinds. StrEnums, so each member equals (and is stored as) its plain string: the columns keep their
values, and a value read back from the database compares equal to the member.

Also the texts derived from durations, so a message cannot drift from the constant it describes.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class Mode(StrEnum):
    """Round.mode: a solo round (the owner is the candidate) or a peer round (two seats)."""

    SOLO = "solo"
    PEER = "peer"


class Seat(StrEnum):
    """Where a participant sits in a round; Invite.role is the seat it offers."""

    CANDIDATE = "candidate"
    INTERVIEWER = "interviewer"


class ReviewerRole(StrEnum):
    """Scorecard.role (and Score.role): the candidate's self-assessment, the interviewer's card, or
    the AI reviewer's draft (no reviewer account; shown to the round's candidate alone)."""

    SELF = "self"
    INTERVIEWER = "interviewer"
    AI = "ai"


class CardStatus(StrEnum):
    """Scorecard.status."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class NoticeKind(StrEnum):
    """Notice.kind: a loop round opening, a booked round's reminder, the no-show check (to the owner)
    and its copy to the other participant."""

    OPEN = "open"
    REMINDER = "reminder"
    NO_SHOW = "no_show"
    NO_SHOW_PEER = "no_show_peer"


class WorkKind(StrEnum):
    """RoundWork.kind: a piece of round work with one life (see core/work.py)."""

    SCRATCHPAD = "scratchpad"
    NOTES = "notes"
    CODE = "code"
    BOARD = "board"  # the whiteboard's drawing (core/board.py)
    CHAT = "chat"  # the AI interviewer conversation (core/ai_interviewer.py), written by the server


# The card a seat writes: the candidate assesses themselves, the interviewer scores the candidate.
REVIEWER_ROLE_OF_SEAT = {Seat.CANDIDATE: ReviewerRole.SELF, Seat.INTERVIEWER: ReviewerRole.INTERVIEWER}


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def duration_text(span: timedelta) -> str:
    """A duration in words, as a message states it: "10 minutes", "24 hours", "1 hour 30 minutes",
    "3 days 5 hours" (beyond two days, minutes are left out; seconds always are)."""
    minutes = max(0, int(span.total_seconds()) // 60)
    hours, minute = divmod(minutes, 60)
    if hours == 0:
        return _count(minute, "minute")
    if hours < 48:
        return _count(hours, "hour") + (f" {_count(minute, 'minute')}" if minute else "")
    days, hour = divmod(hours, 24)
    return _count(days, "day") + (f" {_count(hour, 'hour')}" if hour else "")
