"""Solo practice: start a timed round on a stage, work it against the clock."""

import json
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from mockloop.content import content
from mockloop.core import audio
from mockloop.core.errors import Conflict, Invalid
from mockloop.core.replay import MARKER_LIMIT
from mockloop.core.vocabulary import Mode, Seat, WorkKind, duration_text
from mockloop.core.work import RUN_SECONDS_DEFAULT
from mockloop.core.zones import check_future, parse_local
from mockloop.db import db
from mockloop.db.models import Round
from mockloop.services import bookings, lifecycle, markers, peers, rounds, work
from mockloop.services.seats import guide_closed, role_of, rounds_of
from mockloop.services.start import SURPRISE, start_round
from mockloop.web import ai, poll
from mockloop.web.access import round_for, stage_or_404
from mockloop.web.assets import pyodide_bytes
from mockloop.web.invites import TOKEN_KEY, pending_link
from mockloop.web.now import request_now
from mockloop.web.stories import round_panel
from mockloop.web.transaction import transaction
from mockloop.web.zones import user_zone

bp = Blueprint("practice", __name__)


def _start_page(stage, values: dict, error: Invalid | None = None, status: int = 200):
    catalog = content().catalog
    return render_template(
        "practice/start.html",
        stage=stage,
        prompts=catalog.for_stage(stage.slug),
        tags=catalog.tags(stage.slug),
        values=values,
        error=error,
        surprise=SURPRISE,
        trial_minutes=rounds.TRIAL_MINUTES,
    ), status


@bp.route("/stages/<slug>/start", methods=["GET", "POST"])
@login_required
@transaction()
def start(slug: str):
    stage = stage_or_404(slug)
    if request.method == "GET":
        values: dict[str, Any] = {
            "prompt": request.args.get("prompt", SURPRISE),
            "minutes": "",
            "role": Mode.SOLO,
            "tag": request.args.get("tag", ""),
            "difficulty": request.args.get("difficulty", ""),
        }
        prompt = content().catalog.get(stage.slug, values["prompt"])
        if prompt is not None:
            values["minutes"] = prompt.default_minutes(stage)
        return _start_page(stage, values)
    values = {k: request.form.get(k, "") for k in ("prompt", "minutes", "tag", "difficulty", "role", "trial")}
    typed_times = {f"when_{i}": request.form.get(f"when_{i}", "") for i in range(3)}
    try:
        proposed = _proposed_times(typed_times) if values["role"] != Mode.SOLO else []
        rnd = start_round(current_user, {**values, "stage": stage.slug}, request_now())
    except Invalid as exc:
        return _start_page(stage, {**values, **typed_times}, exc, 400)
    if rnd.mode == Mode.PEER:
        token = peers.create_invite(rnd, current_user, request_now(), proposed=proposed)
        session[TOKEN_KEY] = {"round": rnd.id, "token": token}
    return redirect(url_for("practice.round_page", round_id=rnd.id))


def _proposed_times(typed: dict[str, str]) -> list:
    """The booking times typed for a peer round, checked before the round exists."""
    now, zone, out = request_now(), user_zone(), []
    for i in range(3):
        raw = typed[f"when_{i}"].strip()
        if not raw:
            continue
        at = parse_local(raw, zone)
        problem = (
            f"Time {i + 1}: enter a date and time, or leave it empty."
            if at is None
            else check_future(at, now, f"Time {i + 1}")
        )
        if problem:
            raise Invalid(problem, field="when")
        out.append(at)
    return out


@bp.get("/rounds/<int:round_id>")
@login_required
@transaction()
def round_page(round_id: int):
    rnd = round_for(round_id, current_user, details=False, work=True)
    now = request_now()
    lifecycle.enforce_deadline(rnd, now)
    bookings.mark_joined(rnd, current_user, now)
    stage = content().loop.stage(rnd.stage)
    prompt = content().catalog.get(rnd.stage, rnd.prompt_slug)
    state = poll.page_state(rnd, now)  # the poll's kept state of this version, if it has one
    role = role_of(rnd, current_user)
    seat = peers.open_seat(rnd)
    live = peers.live_invite(rnd, now) if seat else None
    workspace = stage.workspace if stage else ()  # the work area beside the brief, if the stage has one
    coding, drawing = "code" in workspace, "board" in workspace
    return render_template(
        "practice/round.html",
        rnd=rnd,
        workspace=workspace,
        coding=coding,
        drawing=drawing,
        board=rnd.work.get(WorkKind.BOARD) if drawing else None,
        code=rnd.work.get(WorkKind.CODE) if coding else None,
        run_seconds=prompt.run_seconds if prompt else RUN_SECONDS_DEFAULT,
        level=work.level_of(rnd, prompt) if prompt and prompt.levels else 1,
        pyodide_bytes=pyodide_bytes() if coding else 0,
        stage=stage,
        prompt=prompt,
        state=state,
        state_json=json.dumps(state),
        role=role,
        controls=rnd.mode == Mode.SOLO or role == Seat.INTERVIEWER,
        open_seat=seat,
        invite_link=pending_link(rnd) if seat else None,
        has_invite=live is not None,
        # A booking's link lasts until its last proposed time, not INVITE_LIFETIME.
        invite_expires_in=duration_text(live.expires_at - now) if live else None,
        notes_scaffold=peers.notes_scaffold(stage) if stage and role == Seat.INTERVIEWER else "",
        # Interviewing on a prompt you are also the candidate of (another round, not ended) shows no guide.
        guide_closed=(
            guide_closed(current_user, rnd.stage, rnd.prompt_slug, now) if role == Seat.INTERVIEWER else None
        ),
        story_panel=round_panel(rnd, stage),
        # The interviewer's markers of a peer round, with the round time each was dropped at.
        markers=markers.timed(rnd) if role == Seat.INTERVIEWER and rnd.mode == Mode.PEER else None,
        marker_limit=MARKER_LIMIT,
        audio_bits=audio.BITS_PER_SECOND,
        audio_chunk_ms=audio.CHUNK_SECONDS * 1000,
        ai_chat=ai.chat_panel(rnd, current_user, prompt),
    )


@bp.post("/rounds/<int:round_id>/swap")
@login_required
@transaction()
def swap(round_id: int):
    rnd = round_for(round_id, current_user)
    if rnd.mode != Mode.PEER:
        abort(404)
    stage = stage_or_404(rnd.stage)
    try:
        swapped = peers.swap_roles(rnd, current_user, stage, content().catalog, request_now())
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("practice.round_page", round_id=rnd.id))
    flash("Roles swapped: here is the mirrored round on a new prompt.", "success")
    return redirect(url_for("practice.round_page", round_id=swapped.id))


@bp.get("/rounds")
@login_required
@transaction()
def my_rounds():
    mine = db.session.execute(rounds_of(current_user).order_by(Round.created_at.desc()).limit(100)).scalars().all()
    now = request_now()
    for rnd in mine:
        lifecycle.enforce_deadline(rnd, now)
    stages = {s.slug: s for s in content().loop.stages}
    return render_template("practice/rounds.html", rounds=mine, stages=stages)
