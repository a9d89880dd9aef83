from datetime import timedelta

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import clock, schedule
from ..access import round_for
from ..api import iso
from ..content import content
from ..core import planning, timer
from ..extensions import db
from ..models import LoopPlan, Notice
from ..rounds import RoundConflict, pick_surprise, PromptFilter
from . import bp
from .times import check_future, parse_local, to_local_input, user_zone

SURPRISE = "surprise"


def _own_plan(plan_id: int) -> LoopPlan:
    plan = db.session.get(LoopPlan, plan_id)
    if plan is None or plan.owner_id != current_user.id:
        abort(404, description="There is no such loop, or it is not yours.")
    return plan


def _form_values(loop) -> dict:
    form = request.form
    chosen = form.getlist("stages") if request.method == "POST" else [s.slug for s in loop.stages]
    return {"start": form.get("start", ""), "break": form.get("break", "15"), "stages": chosen,
            **{f"{k}_{s.slug}": form.get(f"{k}_{s.slug}", "") for s in loop.stages for k in ("minutes", "prompt", "pinned")}}


@bp.route("/loops/new", methods=["GET", "POST"])
@login_required
def new_loop():
    loop, catalog = content().loop, content().catalog
    values = _form_values(loop)
    errors: list[str] = []
    if request.method == "GET":
        start = clock.now().replace(second=0, microsecond=0) + timedelta(hours=1)
        values["start"] = to_local_input(start, user_zone())
        for s in loop.stages:
            values[f"minutes_{s.slug}"] = str(s.duration.default)
        return render_template("planner/new.html", loop=loop, catalog=catalog, values=values, errors=errors)
    zone, now = user_zone(), clock.now()
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
        prompt = (pick_surprise(current_user, stage, catalog, PromptFilter()) if choice == SURPRISE
                  else catalog.get(stage.slug, choice))
        if prompt is None:
            errors.append(f"{stage.title}: choose a prompt from the list.")
            continue
        pinned = None
        if values[f"pinned_{stage.slug}"]:
            pinned = parse_local(values[f"pinned_{stage.slug}"], zone)
            if pinned is None:
                errors.append(f"{stage.title}: enter its own start as a date and time, or leave it empty.")
                continue
        items.append(schedule.LoopItem(stage.slug, prompt, minutes, pinned))
    if not values["stages"]:
        errors.append("Choose at least one stage.")
    if start is not None and not errors:
        errors = planning.check_plan(start, break_minutes, [planning.Slot(i.minutes, i.pinned_at) for i in items], now)
    if errors:
        return render_template("planner/new.html", loop=loop, catalog=catalog, values=values, errors=errors), 400
    plan = schedule.plan_loop(current_user, loop, items, start, break_minutes, now)
    flash("Loop planned. Each round opens at its time; this page keeps itself up to date.", "success")
    return redirect(url_for("planner.loop_page", plan_id=plan.id))


def _timeline_payload(plan: LoopPlan) -> dict:
    now = clock.now()
    items = []
    for rnd, planned in schedule.loop_timeline(plan, now):
        blocked = schedule.can_start(rnd, now) if rnd.status == timer.PLANNED else None
        items.append({"position": rnd.loop_position, "round": rnd.id, "status": rnd.status,
                      "lock_reason": rnd.lock_reason, "opens_at": iso(planned.opens_at), "ends_at": iso(planned.ends_at),
                      "pushed_minutes": round(planned.pushed.total_seconds() / 60),
                      "startable": rnd.status == timer.PLANNED and blocked is None and plan.status == "planned",
                      "url": url_for("practice.round_page", round_id=rnd.id)})
    done = sum(1 for i in items if i["status"] == timer.LOCKED)
    return {"id": plan.id, "status": plan.status, "items": items, "done": done, "total": len(items),
            "server_now": iso(now)}


@bp.get("/loops/<int:plan_id>")
@login_required
def loop_page(plan_id: int):
    return _loop_page(_own_plan(plan_id))


def _loop_page(plan: LoopPlan, move: dict | None = None):
    """The loop's page; `move` carries a refused move's typed time and problems back into its form."""
    payload = _timeline_payload(plan)
    stages = {s.slug: s for s in content().loop.stages}
    summary = None
    if payload["done"] == payload["total"] or plan.status == "cancelled":
        summary = _summary(plan)
    return render_template("planner/loop.html", plan=plan, payload=payload, stages=stages, summary=summary,
                           rounds={r.id: r for r in plan.rounds}, zone=user_zone(), move=move), 400 if move else 200


def _summary(plan: LoopPlan):
    """Every round's scorecards and time spent against plan."""
    from ..rounds import state_of
    from ..scorecards import submitted_cards
    labels = {r.key: r.label for r in content().loop.recommendation}
    rows = []
    for rnd in plan.rounds:
        state = state_of(rnd, clock.now())
        rows.append({"round": rnd, "used_min": state.elapsed_s / 60, "planned_min": rnd.minutes,
                     "cards": [(c, labels.get(c.overall, "not given")) for c in submitted_cards(rnd)]})
    return rows


@bp.get("/api/loops/<int:plan_id>")
@login_required
def loop_state(plan_id: int):
    return jsonify(_timeline_payload(_own_plan(plan_id)))


@bp.post("/loops/<int:plan_id>/cancel")
@login_required
def cancel_loop(plan_id: int):
    plan = _own_plan(plan_id)
    count = schedule.cancel_loop(plan, current_user, clock.now())
    flash(f"Loop cancelled: {count} round{'s' if count != 1 else ''} that had not started will not open.", "info")
    return redirect(url_for("planner.loop_page", plan_id=plan.id))


@bp.post("/loops/<int:plan_id>/reschedule")
@login_required
def reschedule_loop(plan_id: int):
    plan = _own_plan(plan_id)
    typed = request.form.get("start", "")
    start = parse_local(typed, user_zone())
    problems = ["Enter the new start as a date and time."] if start is None else planning.check_plan(
        start, plan.break_minutes, [planning.Slot(r.minutes, r.scheduled_at if r.pinned else None) for r in plan.rounds],
        clock.now())
    if not problems:
        try:
            schedule.reschedule_loop(plan, start, clock.now())
        except RoundConflict as exc:
            problems = [exc.message]
    if problems:
        return _loop_page(plan, {"value": typed, "problems": problems})
    flash("Loop moved; its rounds and notices follow.", "success")
    return redirect(url_for("planner.loop_page", plan_id=plan.id))


@bp.get("/upcoming")
@login_required
def upcoming():
    return _upcoming_page()


def _upcoming_page(move: dict | None = None):
    """The Upcoming page; `move` carries a refused move (round, typed time, problem) back into its form."""
    plans = db.session.execute(db.select(LoopPlan).where(LoopPlan.owner_id == current_user.id)
                               .order_by(LoopPlan.start_at.desc()).limit(20)).scalars().all()
    return render_template("planner/upcoming.html", rounds=schedule.upcoming(current_user, clock.now()), plans=plans,
                           zone=user_zone(), move=move), 400 if move else 200


@bp.get("/rounds/<int:round_id>/calendar.ics")
@login_required
def calendar(round_id: int):
    rnd = round_for(round_id, current_user)
    if rnd.scheduled_at is None:
        abort(404, description="This round has no scheduled time.")
    body = schedule.ics(rnd, url_for("practice.round_page", round_id=rnd.id, _external=True), clock.now())
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f"attachment; filename=mockloop-round-{rnd.id}.ics"})


@bp.post("/rounds/<int:round_id>/cancel")
@login_required
def cancel_round(round_id: int):
    rnd = round_for(round_id, current_user)
    try:
        schedule.cancel_round(rnd, current_user, clock.now())
    except RoundConflict as exc:
        flash(exc.message, "error")
    else:
        flash("Round cancelled.", "info")
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url)
                    else url_for("planner.upcoming"))


@bp.post("/rounds/<int:round_id>/reschedule")
@login_required
def reschedule_round(round_id: int):
    rnd = round_for(round_id, current_user)
    typed = request.form.get("at", "")
    at = parse_local(typed, user_zone())
    if rnd.status != timer.PLANNED or rnd.loop_id is not None:
        flash("Only a booked round that has not started can be moved.", "error")
        return redirect(url_for("planner.upcoming"))
    problem = "Enter the new time as a date and time." if at is None else check_future(at, clock.now(), "The new time")
    if problem:
        return _upcoming_page({"round": rnd.id, "value": typed, "problems": [problem]})
    schedule.book(rnd, at)
    flash("Round moved; reminders follow the new time.", "success")
    return redirect(url_for("planner.upcoming"))


@bp.get("/api/notices")
@login_required
def notices():
    return jsonify(notices=[{"id": n.id, "text": n.text, "url": url_for("practice.round_page", round_id=n.round_id),
                             "fired_at": iso(n.fired_at)} for n in schedule.unread_notices(current_user)])


@bp.post("/api/notices/<int:notice_id>/seen")
@login_required
def notice_seen(notice_id: int):
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.user_id != current_user.id:
        abort(404)
    notice.seen_at = clock.now()
    db.session.commit()
    return jsonify(ok=True)


@bp.route("/settings/timezone", methods=["GET", "POST"])
@login_required
def timezone_setting():
    from zoneinfo import available_timezones

    from .times import valid_zone
    error = None
    if request.method == "POST":
        zone = request.form.get("timezone", "")
        if zone and not valid_zone(zone):
            error = f"{zone!r} is not a time zone name; pick one from the list."
        else:
            current_user.timezone = zone or None
            db.session.commit()
            flash(f"Times now show in {zone}." if zone else "Times now show in your browser's zone.", "success")
            return redirect(url_for("planner.upcoming"))
    return render_template("planner/timezone.html", zones=sorted(available_timezones()), error=error,
                           chosen=request.form.get("timezone", current_user.timezone or "")), 400 if error else 200
