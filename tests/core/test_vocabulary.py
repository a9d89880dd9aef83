"""The stored words and the texts derived from durations."""

from datetime import timedelta

import pytest

from mockloop.core.vocabulary import (
    REVIEWER_ROLE_OF_SEAT,
    CardStatus,
    Mode,
    NoticeKind,
    ReviewerRole,
    Seat,
    duration_text,
)


def test_members_are_the_stored_strings():
    # The database columns hold these strings; a value read back must compare equal to the member.
    assert [str(m) for m in Mode] == ["solo", "peer"] and Mode("peer") is Mode.PEER
    assert list(Seat) == ["candidate", "interviewer"]
    assert list(ReviewerRole) == ["self", "interviewer", "ai"]
    assert list(CardStatus) == ["draft", "submitted"]
    assert list(NoticeKind) == ["open", "reminder", "no_show", "no_show_peer"]
    assert f"{Seat.CANDIDATE}" == "candidate" and {"self": 1}[ReviewerRole.SELF] == 1
    assert REVIEWER_ROLE_OF_SEAT == {"candidate": "self", "interviewer": "interviewer"}


@pytest.mark.parametrize(
    "span, text",
    [
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=10), "10 minutes"),
        (timedelta(minutes=10, seconds=59), "10 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(minutes=90), "1 hour 30 minutes"),
        (timedelta(hours=24), "24 hours"),
        (timedelta(hours=45, minutes=30), "45 hours 30 minutes"),
        (timedelta(days=2), "2 days"),
        (timedelta(days=3, hours=1, minutes=59), "3 days 1 hour"),
        (timedelta(seconds=-5), "0 minutes"),
    ],
)
def test_duration_text(span, text):
    assert duration_text(span) == text
