"""The JSON API the round page uses, open to scripts too (session cookie + X-CSRFToken header)."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, jsonify, request, url_for
from flask_login import current_user, login_required

from . import clock, peers, rounds, schedule
from .access import CANDIDATE, INTERVIEWER, require_role, round_for
from .core import timer
from .core.markup import render_user
from .models import Round
from .scorecards import submitted_cards

bp = Blueprint("api", __name__, url_prefix="/api")
ACTIONS = (timer.START, timer.PAUSE, timer.RESUME, timer.EXTEND, timer.END)


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def state_payload(rnd: Round, now: datetime) -> dict:
    state = rounds.state_of(rnd, now)
    phase = state.phase
    last_pause = next((e for e in reversed(rnd.events) if e.kind == timer.PAUSE), None)
    return {
        "id": rnd.id,
        "status": state.status,
        "lock_reason": state.lock_reason,
        "stage": rnd.stage,
        "prompt": {"slug": rnd.prompt_slug, "title": rnd.prompt_title},
        "phase": None if phase is None else {"name": phase.name, "index": state.phase_index,
                                             "ends_at": iso(phase.ends_at)},
        "phases": [{"name": p.name, "planned_ms": ms(p.planned_s), "extended_ms": ms(p.extended_s),
                    "start_ms": ms(p.start_s), "end_ms": ms(p.end_s)} for p in state.phases],
        "remaining_ms": ms(state.remaining_s),
        "elapsed_ms": ms(state.elapsed_s),
        "total_ms": ms(state.total_s),
        "deadline": iso(state.deadline),
        "locked_at": iso(state.locked_at),
        "server_now": iso(now),
        "paused": state.status == timer.PAUSED,
        "paused_by": last_pause.actor.display_name if state.status == timer.PAUSED and last_pause
        and last_pause.actor else None,
        "pauses": state.pauses,
        "extensions": state.extensions,
        "version": rnd.version,
        "scratchpad_revision": rnd.scratchpad_rev,
        "mode": rnd.mode,
        "candidate": rnd.candidate.display_name if rnd.candidate else None,
        "interviewer": rnd.interviewer.display_name if rnd.interviewer else None,
        "next_round": url_for("practice.round_page", round_id=rnd.swapped_round_id) if rnd.swapped_round_id else None,
        # Only a locked round can have scorecards: a running one skips the query on every poll.
        "scorecards": [{"role": c.role, "url": url_for("scoring.scorecard", card_id=c.id)}
                       for c in (submitted_cards(rnd) if state.status == timer.LOCKED else [])],
    }


def error(status: int, message: str, **details):
    return jsonify(error=message, message=message, **details), status


@bp.post("/rounds")
@login_required
def create():
    from .practice.start import StartError, start_round
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return error(400, "Send a JSON object with stage, prompt and minutes.")
    try:
        rnd = start_round(current_user, data, clock.now())
    except StartError as exc:
        return error(400, str(exc), field=exc.field)
    body = {"id": rnd.id, "url": url_for("practice.round_page", round_id=rnd.id),
            "state": state_payload(rnd, clock.now())}
    if rnd.mode == "peer":
        token = peers.create_invite(rnd, current_user, clock.now())
        body["invite_url"] = url_for("invites.show", token=token, _external=True)
    return jsonify(body), 201, {"Location": url_for("api.state", round_id=rnd.id)}


@bp.get("/rounds/<int:round_id>/state")
@login_required
def state(round_id: int):
    rnd = round_for(round_id, current_user)
    now = clock.now()
    rounds.enforce_deadline(rnd, now)
    etag = f"{rnd.id}.{rnd.version}.{rnd.scratchpad_rev}"
    if request.if_none_match.contains(etag):
        return "", 304, {"ETag": f'"{etag}"', "Cache-Control": "no-cache"}
    response = jsonify(state_payload(rnd, now))
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.post("/rounds/<int:round_id>/<action>")
@login_required
def act(round_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    rnd = round_for(round_id, current_user)
    if rnd.mode == "peer":
        require_role(rnd, current_user, INTERVIEWER, "controls the timer in a peer round")
    if action == timer.START:
        blocked = schedule.can_start(rnd, clock.now())
        if blocked:
            return error(409, blocked, state=state_payload(rnd, clock.now()))
    try:
        rounds.act(rnd, action, current_user, clock.now())
    except rounds.RoundConflict as exc:
        return error(409, exc.message, state=state_payload(rnd, clock.now()))
    return jsonify(state_payload(rnd, clock.now()))


@bp.get("/rounds/<int:round_id>/scratchpad")
@login_required
def scratchpad(round_id: int):
    rnd = round_for(round_id, current_user)
    return jsonify(text=rnd.scratchpad, revision=rnd.scratchpad_rev, saved_at=iso(rnd.scratchpad_saved_at))


@bp.put("/rounds/<int:round_id>/scratchpad")
@login_required
def save_scratchpad(round_id: int):
    rnd = round_for(round_id, current_user)
    require_role(rnd, current_user, CANDIDATE, "writes in the scratchpad")
    return _revisioned_save(lambda text, revision: rounds.save_scratchpad(rnd, text, revision, clock.now()))


@bp.get("/rounds/<int:round_id>/notes")
@login_required
def notes(round_id: int):
    rnd = round_for(round_id, current_user)
    require_role(rnd, current_user, INTERVIEWER, "can read the interviewer's notes")
    return jsonify(text=rnd.interviewer_notes, revision=rnd.notes_rev)


@bp.put("/rounds/<int:round_id>/notes")
@login_required
def save_notes(round_id: int):
    rnd = round_for(round_id, current_user)
    require_role(rnd, current_user, INTERVIEWER, "can write the interviewer's notes")
    return _revisioned_save(lambda text, revision: peers.save_notes(rnd, text, revision))


def _revisioned_save(save):
    """A text save that carries the revision it was written on: 400 bad body, 409 stale or locked."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str) \
            or not isinstance(data.get("revision"), int) or isinstance(data.get("revision"), bool) \
            or not 0 <= data["revision"] < 2**31:  # beyond a 32-bit database integer it would be a 500
        return error(400, "Send a JSON object with text (a string) and revision (a whole number).")
    try:
        revision = save(data["text"], data["revision"])
    except ValueError as exc:
        return error(400, str(exc))
    except rounds.RoundConflict as exc:
        return error(409, exc.message, **exc.details)
    return jsonify(revision=revision, saved_at=iso(clock.now()))


@bp.post("/markdown")
@login_required
def markdown_preview():
    """Sanitized HTML for the scratchpad's preview tab."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return error(400, "Send a JSON object with text.")
    return jsonify(html=render_user(data["text"][:rounds.SCRATCHPAD_LIMIT]))

