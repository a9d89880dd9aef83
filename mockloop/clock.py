"""The one place the web layer reads the wall clock; tests replace `now` to freeze or move time."""

from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)
