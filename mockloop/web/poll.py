"""The state poll (GET /api/rounds/<id>/state), answered from one narrow read.

Every open round page polls: each second in a peer round, with the ETag of the state it has, so
nearly every answer is a 304. The poll therefore skips what every other view pays for: Flask-Login's
user loader and the ORM. services/poll.py checks the login session (the same row the user loader
checks, named by the same cookie), the viewer's seat, the deadline and the version in one statement.

A 200 adds the state. Its parts that change only with the round's version (payloads.round_fields)
are kept per worker, keyed by round and version, with the round's phase plan and events; the parts
that move with the clock (payloads.timer_fields) are computed from those for each answer, by
core.timer, so a kept state is as exact as a fresh one. Every change a viewer can see bumps the
version (the timer's events, the lock, saves of shared work, runs, seats, scorecards), which is
also what makes the ETag right; a name changed on an account shows with the round's next change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from flask import abort, current_app, jsonify, request, session
from flask_login import current_user

from mockloop.core import timer
from mockloop.db.models import Round
from mockloop.services import lifecycle, login_sessions, rounds
from mockloop.services import poll as poll_service
from mockloop.services.seats import seat_of
from mockloop.web.access import round_for
from mockloop.web.now import request_now
from mockloop.web.payloads import round_fields, timer_fields
from mockloop.web.transaction import transaction

NOT_YOURS = "There is no such round, or it is not yours."
KEPT_ROUNDS = 4096  # per worker; a kept state is a few kilobytes


@dataclass(frozen=True)
class Kept:
    version: int
    fields: dict  # payloads.round_fields
    plan: list[tuple[str, float]]
    events: list[timer.Event]


class StateCache:
    """The newest kept state of each recently polled round, least recently polled dropped first."""

    def __init__(self, size: int = KEPT_ROUNDS):
        self.size = size
        self._kept: OrderedDict[int, Kept] = OrderedDict()
        self._lock = threading.Lock()  # gunicorn's threads share the worker's cache

    def get(self, round_id: int, version: int) -> Kept | None:
        with self._lock:
            kept = self._kept.get(round_id)
            if kept is None or kept.version != version:
                return None
            self._kept.move_to_end(round_id)
            return kept

    def put(self, round_id: int, kept: Kept) -> None:
        with self._lock:
            old = self._kept.get(round_id)
            if old is not None and old.version > kept.version:
                return  # a slower request read an older version: keep the newer one
            self._kept[round_id] = kept
            self._kept.move_to_end(round_id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)


def _cache() -> StateCache:
    # On the app, not the module: every app (a test's, a worker's) has its own database and ids.
    return current_app.extensions.setdefault("mockloop.state_cache", StateCache())


def state(round_id: int):
    now = request_now()
    key = login_sessions.key_of(session.get("_user_id") or "")
    if key is None:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]  # set by LoginManager
    try:
        look = poll_service.look(round_id, *key)
    except poll_service.LoggedOut:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if look is None or seat_of(look, key[0]) is None:
        abort(404, description=NOT_YOURS)
    version = look.version
    kept = None
    if look.due(now):
        version, kept = _lock_and_keep(round_id, now)
    etag = f"{round_id}.{version}"
    if request.if_none_match.contains(etag):
        return "", 304, {"ETag": f'"{etag}"', "Cache-Control": "no-cache"}
    kept = kept or _cache().get(round_id, version) or _keep(round_id, now)
    state = timer.round_state(kept.plan, kept.events, now)
    response = jsonify({**kept.fields, **timer_fields(state, now)})
    response.set_etag(f"{round_id}.{kept.version}")
    response.headers["Cache-Control"] = "no-cache"
    return response


def _lock_and_keep(round_id: int, now: datetime) -> tuple[int, Kept]:
    """The deadline passed and nobody has locked the round: lock it (exactly once, whoever is first)
    and commit, so the next poll of either viewer finds it locked."""
    with transaction():
        rnd = round_for(round_id, current_user)
        lifecycle.enforce_deadline(rnd, now)
    kept = _keep(round_id, now)
    return kept.version, kept


def _keep(round_id: int, now: datetime) -> Kept:
    """Load the round through the ORM, as its pages do, and keep what the next polls can reuse."""
    return _kept_for(round_for(round_id, current_user), now)


def _kept_for(rnd: Round, now: datetime) -> Kept:
    kept = _cache().get(rnd.id, rnd.version)
    if kept is None:
        plan, events = rounds.timer_inputs(rnd)
        kept = Kept(rnd.version, round_fields(rnd, timer.round_state(plan, events, now)), plan, events)
        _cache().put(rnd.id, kept)
    return kept


def page_state(rnd: Round, now: datetime) -> dict:
    """The state a page embeds for a round it has loaded (and checked the deadline of): what the poll
    would answer now, from the kept state when the polls of this version have kept one."""
    kept = _kept_for(rnd, now)
    return {**kept.fields, **timer_fields(timer.round_state(kept.plan, kept.events, now), now)}
