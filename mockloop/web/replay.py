"""The replay of a locked round: its timeline (core/replay.py) and, fetched as the playhead reaches
them, its work's revisions. Who sees what follows the round's rules: the candidate gets the
interviewer's notes and markers only once the interviewer has shared them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from mockloop.content import content
from mockloop.core import replay, timer
from mockloop.core.vocabulary import Seat, WorkKind
from mockloop.core.work import DEFAULT_LANGUAGE, RULES, kinds_for
from mockloop.db.models import Round
from mockloop.services import audio, lifecycle, markers, revisions, rounds
from mockloop.services.scorecards import visible_cards
from mockloop.services.seats import role_of
from mockloop.web.access import require_role, round_for
from mockloop.web.errors import error
from mockloop.web.now import request_now
from mockloop.web.payloads import iso
from mockloop.web.transaction import transaction

bp = Blueprint("replay", __name__)


def visible_kinds(rnd: Round, seat: Seat | None) -> list[WorkKind]:
    """The pieces of work the round's stage has that `seat` may watch."""
    stage = content().loop.stage(rnd.stage)
    have = kinds_for(stage.workspace if stage else ())
    # A board turned on for one round, and the AI interviewer's conversation, are not in the stage's list.
    extra = [k for k in (WorkKind.BOARD, WorkKind.CHAT) if k in rnd.work and k not in have]
    return [
        k
        for k in (*have, *extra)
        if seat in RULES[k].readers or (k == WorkKind.NOTES and markers.shared_with(rnd, seat))
    ]


def _locked(round_id: int) -> Round:
    rnd = round_for(round_id, current_user)
    lifecycle.enforce_deadline(rnd, request_now())
    return rnd


def timeline_of(rnd: Round, seat: Seat | None) -> dict:
    kinds = set(visible_kinds(rnd, seat))
    prompt = content().catalog.get(rnd.stage, rnd.prompt_slug)
    runs = [replay.Run(r.at, r.kind, r.outcome, r.level, r.tests_passed, r.tests_total) for r in rnd.runs]
    shown = markers.markers_of(rnd) if markers.shared_with(rnd, seat) else []
    plan, events = rounds.timer_inputs(rnd)
    return replay.timeline(
        plan,
        events,
        rnd.locked_at or request_now(),
        runs=runs,
        markers=[replay.Marker(m.at, m.text) for m in shown],
        saves=[e for e in revisions.index(rnd.id) if e.kind in kinds],
        levels=len(prompt.levels) if prompt else 0,
        recordings=[(r.id, r.started_at) for r in audio.visible(rnd, seat, current_user)],
    )


@bp.get("/rounds/<int:round_id>/replay")
@login_required
@transaction()
def replay_page(round_id: int):
    rnd = _locked(round_id)
    if rnd.status != timer.LOCKED:
        return render_template("replay/not_yet.html", rnd=rnd), 409
    seat = role_of(rnd, current_user)
    data = timeline_of(rnd, seat)
    code = rnd.work.get(WorkKind.CODE)
    names = {r.id: _voice(r.user_id) for r in audio.visible(rnd, seat, current_user)}
    return render_template(
        "replay/replay.html",
        rnd=rnd,
        seat=seat,
        data=data,
        kinds=visible_kinds(rnd, seat),
        language=(code and code.language) or DEFAULT_LANGUAGE,
        cards=visible_cards(rnd, current_user),
        speeds=(1, 2, 4, 8),
        voices=names,
    )


def _voice(user_id: int | None) -> str:
    """Whose recording it is, as its label says."""
    return "Your audio" if user_id == current_user.id else "The other participant's audio"


@bp.get("/api/rounds/<int:round_id>/history/<kind>/<int:revision>")
@login_required
@transaction()
def revision(round_id: int, kind: str, revision: int):
    """One kept revision of a piece of the round's work, for the replay (after the lock only)."""
    rnd = _locked(round_id)
    if kind not in set(WorkKind):
        abort(404, description=f"A round has no {kind}.")
    if rnd.status != timer.LOCKED:
        return error(409, "The replay opens when the round is over.", reason=rnd.status)
    seat, rule = role_of(rnd, current_user), RULES[WorkKind(kind)]
    if rule.kind not in visible_kinds(rnd, seat):
        if seat in rule.readers:  # a piece this round's stage does not have
            abort(404, description=f"This round has no {kind}.")
        abort(403, description=f"{rule.label.capitalize()} is not yours to watch.")
    step, text = revisions.text_of(rnd.id, kind, revision)
    answer = jsonify(revision=step.revision, saved_at=iso(step.saved_at), text=text)
    if kind != WorkKind.NOTES:  # a locked round's revision never changes; sharing notes can be undone
        answer.headers["Cache-Control"] = "private, max-age=86400"
    return answer


@bp.post("/rounds/<int:round_id>/share")
@login_required
@transaction()
def share(round_id: int):
    """The interviewer shares their notes and markers with the candidate (shared=1), or stops."""
    rnd = round_for(round_id, current_user)
    require_role(rnd, current_user, Seat.INTERVIEWER, "shares their notes")
    on = request.form.get("shared") == "1"
    markers.share(rnd, on, request_now())  # Conflict before the lock: a 409 page
    flash(
        "Your notes and markers are shared with the candidate."
        if on
        else "Your notes and markers are yours alone again.",
        "success",
    )
    back = request.form.get("next")
    return redirect(back if back in _own_pages(rnd) else url_for("replay.replay_page", round_id=rnd.id))


def _own_pages(rnd: Round) -> set[str]:
    return {url_for("replay.replay_page", round_id=rnd.id), url_for("practice.round_page", round_id=rnd.id)}
