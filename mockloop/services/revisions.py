"""Keeping the work history of a round (core/revisions.py): one revision per save, thinned past the
round's cap, and read back for the replay."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, true

from mockloop.core import revisions
from mockloop.core.errors import NotFound
from mockloop.core.revisions import Entry, Step
from mockloop.db import db
from mockloop.db.models import Round, RoundRevision


def keep(rnd: Round, kind: str, previous: str | None, text: str, revision: int, now: datetime) -> None:
    """Store `revision` of the piece (its text `text`; `previous`: the text of revision - 1, None for
    a first save). An edit when the stored history ends at revision - 1, a full copy otherwise.
    One read and one INSERT: this runs on every autosave of every round."""
    last_full, last_full_size, total, count, size, newest = db.session.execute(
        _HISTORY_OF_PIECE, {"round_id": rnd.id, "kind": kind}
    ).one()
    full = True
    if last_full is not None and previous is not None:
        # A history that does not end at the revision this save was written on (an imported round's
        # first save, a row lost to thinning's race) cannot carry an edit: a full copy starts over.
        follows = (newest if count else last_full) == revision - 1
        full = not follows or revisions.needs_full(count, size, last_full_size)
    body = revisions.encode(None if full else previous, text)
    db.session.execute(
        _INSERT_REVISION,
        {"round_id": rnd.id, "kind": kind, "revision": revision, "saved_at": now, "full": full, "body": body},
    )
    if total + len(body) > revisions.ROUND_CAP:
        thin(rnd.id)


_REVISIONS = cast(Table, RoundRevision.__table__)
_INSERT_REVISION = insert(_REVISIONS)

# What keep() needs to know, in one statement built once (it runs on every autosave): the piece's
# last full copy (revision and size), the round's stored bytes (for the cap), and the piece's chain
# of edits since that full copy (how many, their bytes, the newest revision).
_last_full = (
    select(_REVISIONS.c.revision, func.length(_REVISIONS.c.body).label("size"))
    .where(
        _REVISIONS.c.round_id == bindparam("round_id"),
        _REVISIONS.c.kind == bindparam("kind"),
        _REVISIONS.c.full.is_(True),
    )
    .order_by(_REVISIONS.c.revision.desc())
    .limit(1)
    .subquery()
)
_in_chain = (_REVISIONS.c.kind == bindparam("kind")) & (
    _REVISIONS.c.revision > func.coalesce(_last_full.c.revision, -1)
)
_HISTORY_OF_PIECE = (
    select(
        func.max(_last_full.c.revision),  # one row or none, beside every revision of the round
        func.max(_last_full.c.size),
        func.coalesce(func.sum(func.length(_REVISIONS.c.body)), 0),
        func.count().filter(_in_chain),
        func.coalesce(func.sum(func.length(_REVISIONS.c.body)).filter(_in_chain), 0),
        func.max(_REVISIONS.c.revision).filter(_in_chain),
    )
    .select_from(_REVISIONS.outerjoin(_last_full, true()))
    .where(_REVISIONS.c.round_id == bindparam("round_id"))
)


def stored_bytes(round_id: int) -> int:
    return db.session.execute(
        db.select(func.coalesce(func.sum(func.length(RoundRevision.body)), 0)).where(RoundRevision.round_id == round_id)
    ).scalar_one()


def _steps(round_id: int, kind: str, since: int = 0, upto: int | None = None) -> list[Step]:
    query = db.select(RoundRevision.revision, RoundRevision.saved_at, RoundRevision.body).where(
        RoundRevision.round_id == round_id, RoundRevision.kind == kind, RoundRevision.revision >= since
    )
    if upto is not None:
        query = query.where(RoundRevision.revision <= upto)
    return [Step(r, at, bytes(body)) for r, at, body in db.session.execute(query.order_by(RoundRevision.revision))]


def history_of(round_id: int, kinds: set[str]) -> dict[str, list[Step]]:
    """The stored revisions of the round's pieces of these kinds, in order (for the export)."""
    found = {e.kind for e in index(round_id)} & kinds
    return {kind: _steps(round_id, kind) for kind in sorted(found)}


def restore(round_id: int, history: dict[str, list[Step]]) -> None:
    """Store revisions read from an export file (checked there) for a round new to this instance."""
    for kind, steps in history.items():
        _replace(round_id, kind, list(steps))


def index(round_id: int) -> list[Entry]:
    """Every stored revision of the round (which piece, which revision, when), without the texts."""
    return [
        Entry(kind, revision, at)
        for kind, revision, at in db.session.execute(
            db.select(RoundRevision.kind, RoundRevision.revision, RoundRevision.saved_at)
            .where(RoundRevision.round_id == round_id)
            .order_by(RoundRevision.saved_at, RoundRevision.id)
        )
    ]


def thin(round_id: int) -> None:
    """Thin the oldest detail until the history fits in THIN_TO; at worst each piece keeps only
    its final state."""
    while stored_bytes(round_id) > revisions.THIN_TO:
        plan = revisions.thinning(index(round_id))
        if not plan:
            plan = {kind: {e.revision for e in entries} for kind, entries in _by_kind(index(round_id)).items()}
        for kind, drop in plan.items():
            _replace(round_id, kind, revisions.rewrite(_steps(round_id, kind), drop))
        if not revisions.thinning(index(round_id)) and stored_bytes(round_id) > revisions.THIN_TO:
            break  # only final states are left: nothing more can go


def _by_kind(entries: list[Entry]) -> dict[str, list[Entry]]:
    out: dict[str, list[Entry]] = {}
    for e in entries:
        out.setdefault(e.kind, []).append(e)
    return out


def _replace(round_id: int, kind: str, steps: list[Step]) -> None:
    db.session.execute(delete(RoundRevision).where(RoundRevision.round_id == round_id, RoundRevision.kind == kind))
    db.session.add_all(
        RoundRevision(round_id=round_id, kind=kind, revision=s.revision, saved_at=s.saved_at, full=s.full, body=s.body)
        for s in steps
    )
    db.session.flush()


def text_of(round_id: int, kind: str, revision: int) -> tuple[Step, str]:
    """A stored revision and its text, rebuilt from the full copy its chain starts with; NotFound if
    it is not kept."""
    start = db.session.execute(
        db.select(func.max(RoundRevision.revision)).where(
            RoundRevision.round_id == round_id,
            RoundRevision.kind == kind,
            RoundRevision.full.is_(True),
            RoundRevision.revision <= revision,
        )
    ).scalar()
    steps = _steps(round_id, kind, since=start or 0, upto=revision) if start is not None else []
    if not steps or steps[-1].revision != revision:
        raise NotFound("That revision is not kept (the history was thinned, or it never existed).")
    return steps[-1], revisions.rebuild(steps)
