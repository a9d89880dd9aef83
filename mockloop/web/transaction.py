"""The request's transaction: services only flush, the view that runs a use case commits it once.

`@transaction()` on a view (or `with transaction():` around one step that must be visible to other
requests before the view goes on) commits when it finishes normally, whatever the answer's status
(a 409 after a round locked keeps the lock), and rolls back when it raises (abort() included).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mockloop.db import db


@contextmanager
def transaction() -> Iterator[None]:
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
