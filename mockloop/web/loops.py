"""Scheduling: plan a full loop, book peer rounds for later, upcoming rounds, calendar files, notices."""

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from mockloop.content import content
from mockloop.core import timeline, timer
from mockloop.core.errors import Conflict
from mockloop.core.zones import check_future, parse_local, to_local_input
from mockloop.db import db
from mockloop.db.models import LoopPlan
from mockloop.services import bookings, loops
from mockloop.services.rounds import PromptFilter, pick_surprise
from mockloop.web.access import own_plan, round_for
from mockloop.web.now import request_now
from mockloop.web.payloads import loop_payload
from mockloop.web.transaction import transaction
from mockloop.web.zones import user_zone

bp = Blueprint("loops", __name__)

SURPRISE = "surprise"


def _form_values(loop) -> dict:
    form = request.form
    chosen = form.getlist("stages") if request.method == "POST" else [s.slug for s in loop.stages]
    return {
        "start": form.get("start", ""),
        "break": form.get("break", "15"),
        "stages": chosen,
        **{
            f"{k}_{s.slug}": form.get(f"{k}_{s.slug}", "") for s in loop.stages for k in ("minutes", "prompt", "pinned")
        },
    }


@bp.route("/loops/new", methods=["GET", "POST"])
@login_required
@transaction()
def new_loop():
    loop, catalog = content().loop, content().catalog
    values = _form_values(loop)
    errors: list[str] = []
    if request.method == "GET":
        start = request_now().replace(second=0, microsecond=0) + timedelta(hours=1)
        values["start"] = to_local_input(start, user_zone())
        for s in loop.stages:
            values[f"minutes_{s.slug}"] = str(s.duration.default)
        return render_template("loops/new.html", loop=loop, catalog=catalog, values=values, errors=errors)
    zone, now = user_zone(), request_now()
    start = parse_local(values["start"], zone)
    if start is None:
        errors.append("Enter the start as a date and time.")
    try:
        break_minutes = int(values["break"])
    except ValueError:
        break_minutes = -1
    items = []
    for stage in loop.stages:
        if stage.slug not in values["stages"]:
            continue
        try:
            minutes = int(values[f"minutes_{stage.slug}"] or stage.duration.default)
        except ValueError:
            minutes = -1
        if not stage.duration.allows(minutes):
            errors.append(f"{stage.title}: the duration must be {stage.duration.min}-{stage.duration.max} minutes.")
            continue
        choice = values[f"prompt_{stage.slug}"] or SURPRISE
        prompt = (
            pick_surprise(current_user, stage, catalog, PromptFilter())
            if choice == SURPRISE
            else catalog.get(stage.slug, choice)
        )
        if prompt is None:
            errors.append(f"{stage.title}: choose a prompt from the list.")
            continue
        pinned = None
        if values[f"pinned_{stage.slug}"]:
            pinned = parse_local(values[f"pinned_{stage.slug}"], zone)
            if pinned is None:
                errors.append(f"{stage.title}: enter its own start as a date and time, or leave it empty.")
                continue
        items.append(loops.LoopItem(stage.slug, prompt, minutes, pinned))
    if not values["stages"]:
        errors.append("Choose at least one stage.")
    if start is not None and not errors:
        errors = timeline.check_plan(start, break_minutes, [timeline.Slot(i.minutes, i.pinned_at) for i in items], now)
    if errors:
        return render_template("loops/new.html", loop=loop, catalog=catalog, values=values, errors=errors), 400
    plan = loops.plan_loop(current_user, loop, items, start, break_minutes, now)
    flash("Loop planned. Each round opens at its time; this page keeps itself up to date.", "success")
    return redirect(url_for("loops.loop_page", plan_id=plan.id))


@bp.get("/loops/<int:plan_id>")
@login_required
def loop_page(plan_id: int):
    return _loop_page(own_plan(plan_id, current_user))


def _loop_page(plan: LoopPlan, move: dict | None = None):
    """The loop's page; `move` carries a refused move's typed time and problems back into its form."""
    payload = loop_payload(plan)
    stages = {s.slug: s for s in content().loop.stages}
    summary = None
    if payload["done"] == payload["total"] or plan.status == "cancelled":
        summary = _summary(plan)
    return render_template(
        "loops/loop.html",
        plan=plan,
        payload=payload,
        stages=stages,
        summary=summary,
        rounds={r.id: r for r in plan.rounds},
        zone=user_zone(),
        move=move,
    ), 400 if move else 200


def _summary(plan: LoopPlan):
    """Every round's scorecards and time spent against plan."""
    from mockloop.services.rounds import state_of
    from mockloop.services.scorecards import submitted_cards

    labels: dict[str | None, str] = {r.key: r.label for r in content().loop.recommendation}
    rows = []
    for rnd in plan.rounds:
        state = state_of(rnd, request_now())
        rows.append(
            {
                "round": rnd,
                "used_min": state.elapsed_s / 60,
                "planned_min": rnd.minutes,
                "cards": [(c, labels.get(c.overall, "not given")) for c in submitted_cards(rnd)],
            }
        )
    return rows


@bp.post("/loops/<int:plan_id>/cancel")
@login_required
@transaction()
def cancel_loop(plan_id: int):
    plan = own_plan(plan_id, current_user)
    count = loops.cancel_loop(plan, current_user, request_now())
    flash(f"Loop cancelled: {count} round{'s' if count != 1 else ''} that had not started will not open.", "info")
    return redirect(url_for("loops.loop_page", plan_id=plan.id))


@bp.post("/loops/<int:plan_id>/reschedule")
@login_required
@transaction()
def reschedule_loop(plan_id: int):
    plan = own_plan(plan_id, current_user)
    typed = request.form.get("start", "")
    start = parse_local(typed, user_zone())
    problems = (
        ["Enter the new start as a date and time."]
        if start is None
        else timeline.check_plan(
            start,
            plan.break_minutes,
            [timeline.Slot(r.minutes, r.scheduled_at if r.pinned else None) for r in plan.rounds],
            request_now(),
        )
    )
    if not problems and start is not None:
        try:
            loops.reschedule_loop(plan, start, request_now())
        except Conflict as exc:
            problems = [exc.message]
    if problems:
        return _loop_page(plan, {"value": typed, "problems": problems})
    flash("Loop moved; its rounds and notices follow.", "success")
    return redirect(url_for("loops.loop_page", plan_id=plan.id))


@bp.get("/upcoming")
@login_required
def upcoming():
    return _upcoming_page()


def _upcoming_page(move: dict | None = None):
    """The Upcoming page; `move` carries a refused move (round, typed time, problem) back into its form."""
    plans = (
        db.session.execute(
            db.select(LoopPlan).where(LoopPlan.owner_id == current_user.id).order_by(LoopPlan.start_at.desc()).limit(20)
        )
        .scalars()
        .all()
    )
    return render_template(
        "loops/upcoming.html",
        rounds=bookings.upcoming(current_user, request_now()),
        plans=plans,
        zone=user_zone(),
        move=move,
    ), 400 if move else 200


@bp.get("/rounds/<int:round_id>/calendar.ics")
@login_required
def calendar(round_id: int):
    rnd = round_for(round_id, current_user)
    if rnd.scheduled_at is None:
        abort(404, description="This round has no scheduled time.")
    body = bookings.ics(rnd, url_for("practice.round_page", round_id=rnd.id, _external=True), request_now())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f"attachment; filename=mockloop-round-{rnd.id}.ics"},
    )


@bp.post("/rounds/<int:round_id>/cancel")
@login_required
@transaction()
def cancel_round(round_id: int):
    rnd = round_for(round_id, current_user)
    try:
        loops.cancel_round(rnd, current_user, request_now())
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        flash("Round cancelled.", "info")
    return redirect(
        request.referrer if (request.referrer or "").startswith(request.host_url) else url_for("loops.upcoming")
    )


@bp.post("/rounds/<int:round_id>/reschedule")
@login_required
@transaction()
def reschedule_round(round_id: int):
    rnd = round_for(round_id, current_user)
    typed = request.form.get("at", "")
    at = parse_local(typed, user_zone())
    if rnd.status != timer.PLANNED or rnd.loop_id is not None:
        flash("Only a booked round that has not started can be moved.", "error")
        return redirect(url_for("loops.upcoming"))
    problem = (
        "Enter the new time as a date and time." if at is None else check_future(at, request_now(), "The new time")
    )
    if problem or at is None:
        return _upcoming_page({"round": rnd.id, "value": typed, "problems": [problem]})
    bookings.book(rnd, at)
    flash("Round moved; reminders follow the new time.", "success")
    return redirect(url_for("loops.upcoming"))
