"""The JSON API the round page uses, open to scripts too (session cookie + X-CSRFToken header)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request, url_for
from flask_login import current_user, login_required

from mockloop.content import content
from mockloop.core import stories as story_core
from mockloop.core import timer
from mockloop.core.catalog import Prompt
from mockloop.core.errors import Conflict, Invalid
from mockloop.core.markup import render_user
from mockloop.core.vocabulary import Mode, Seat, WorkKind
from mockloop.core.work import DEFAULT_LANGUAGE, RULES, WorkRule, kinds_for, parse_run_report
from mockloop.db import db
from mockloop.db.models import Notice, Round
from mockloop.services import board as board_service
from mockloop.services import lifecycle, loops, markers, peers, rounds, stories
from mockloop.services import work as work_service
from mockloop.services.notices import unread_notices
from mockloop.services.seats import role_of
from mockloop.web import poll
from mockloop.web.access import own_plan, require_role, round_for
from mockloop.web.errors import answer, error
from mockloop.web.now import request_now
from mockloop.web.payloads import iso, loop_payload, run_payload, state_payload
from mockloop.web.stories import story_tags
from mockloop.web.transaction import transaction

bp = Blueprint("api", __name__, url_prefix="/api")


ACTIONS = (timer.START, timer.PAUSE, timer.RESUME, timer.EXTEND, timer.END)


@bp.post("/rounds")
@login_required
@transaction()
def create():
    from mockloop.services.start import start_round

    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return error(400, "Send a JSON object with stage, prompt and minutes.")
    rnd = start_round(current_user, data, request_now())  # Invalid (with its field): a 400, in web/errors.py
    body = {
        "id": rnd.id,
        "url": url_for("practice.round_page", round_id=rnd.id),
        "state": state_payload(rnd, request_now()),
    }
    if rnd.mode == Mode.PEER:
        token = peers.create_invite(rnd, current_user, request_now())
        body["invite_url"] = url_for("invites.show", token=token, _external=True)
    return jsonify(body), 201, {"Location": url_for("api.state", round_id=rnd.id)}


@bp.get("/rounds/<int:round_id>/state")
def state(round_id: int):
    # The most frequent request: answered from one narrow read, the login checked there (web/poll.py).
    return poll.state(round_id)


@bp.post("/rounds/<int:round_id>/<action>")
@login_required
@transaction()
def act(round_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    rnd = round_for(round_id, current_user)
    if rnd.mode == Mode.PEER:
        require_role(rnd, current_user, Seat.INTERVIEWER, "controls the timer in a peer round")
    if action == timer.START:
        blocked = loops.can_start(rnd, request_now())
        if blocked:
            return error(409, blocked, state=state_payload(rnd, request_now()))
    try:
        lifecycle.act(rnd, action, current_user, request_now())
    except Conflict as exc:
        return answer(exc, state=state_payload(rnd, request_now()))
    return jsonify(state_payload(rnd, request_now()))


def _rule(rnd: Round, kind: str) -> WorkRule:
    """The rule of this kind of work, if the round's stage has it (a code route of a talk round: 404)."""
    stage = content().loop.stage(rnd.stage)
    if WorkKind(kind) not in kinds_for(stage.workspace if stage else ()):
        abort(404, description=f"This round has no {kind}.")
    return RULES[WorkKind(kind)]


@login_required
def work(round_id: int, kind: str):
    rnd = round_for(round_id, current_user, details=False)  # the hot path of a live round
    rule = _rule(rnd, kind)
    if role_of(rnd, current_user) not in rule.readers:
        abort(403, description=f"Only the {rule.writer} can read {rule.label}.")
    stored = work_service.piece(rnd, rule.kind)
    return jsonify(
        text=stored.body if stored else "",
        revision=stored.revision if stored else 0,
        saved_at=iso(stored.saved_at) if stored else None,
        **({"language": (stored and stored.language) or DEFAULT_LANGUAGE} if rule.kind == WorkKind.CODE else {}),
    )


@login_required
@transaction()
def save_work(round_id: int, kind: str):
    rnd = round_for(round_id, current_user, details=False)  # the hot path of a live round
    rule = _rule(rnd, kind)
    if rule.lends_pen:  # the board: whoever holds its pen now
        require_role(rnd, current_user, board_service.pen_of(rnd), f"draws on {rule.label} now")
    else:
        require_role(rnd, current_user, rule.writer, f"writes {rule.label}")
    language = (request.get_json(silent=True) or {}).get("language") if rule.kind == WorkKind.CODE else None
    if language is not None and not isinstance(language, str):
        return error(400, "language: a string.", field="language")
    return _revisioned_save(
        lambda text, revision: work_service.save(rnd, rule.kind, text, revision, request_now(), language=language)
    )


@bp.post("/rounds/<int:round_id>/pen")
@login_required
@transaction()
def pen(round_id: int):
    """Hand the whiteboard's pen over: {"to": "interviewer"} lends it, {"to": "candidate"} returns it."""
    rnd = round_for(round_id, current_user)
    _rule(rnd, WorkKind.BOARD)
    data = request.get_json(silent=True)
    to = data.get("to") if isinstance(data, dict) else None
    if to not in (Seat.CANDIDATE, Seat.INTERVIEWER):
        return error(400, 'Send a JSON object with "to": "interviewer" or "candidate".', field="to")
    holder = board_service.hand_pen(rnd, current_user, Seat(to), request_now())
    return jsonify(pen=holder, state=state_payload(rnd, request_now()))


# /api/rounds/<id>/scratchpad, /notes, /code, /board: one view per method for every kind of work
# typed by a participant (the AI chat is written by its own routes, web/ai.py).
for _kind in (k for k in WorkKind if RULES[k].typed):
    bp.add_url_rule(f"/rounds/<int:round_id>/{_kind}", "work", work, methods=["GET"], defaults={"kind": _kind})
    bp.add_url_rule(
        f"/rounds/<int:round_id>/{_kind}", "save_work", save_work, methods=["PUT"], defaults={"kind": _kind}
    )


@bp.get("/rounds/<int:round_id>/runs")
@login_required
def runs(round_id: int):
    rnd = round_for(round_id, current_user, details=False)  # the hot path of a live round
    _rule(rnd, WorkKind.CODE)
    return jsonify(runs=[run_payload(r) for r in rnd.runs])


@bp.post("/rounds/<int:round_id>/runs")
@login_required
@transaction()
def record_run(round_id: int):
    rnd = round_for(round_id, current_user, details=False)  # the hot path of a live round
    _rule(rnd, WorkKind.CODE)
    require_role(rnd, current_user, Seat.CANDIDATE, "runs the code")
    run = work_service.record_run(rnd, parse_run_report(request.get_json(silent=True)), request_now())
    return jsonify(run_payload(run)), 201


def _marker_payload(marker, round_s: float) -> dict:
    # Whole seconds, cut as the pages' clock filter cuts them: the round page and the score form agree.
    return {"id": marker.id, "at": iso(marker.at), "round_s": int(round_s), "text": marker.text}


@bp.get("/rounds/<int:round_id>/markers")
@login_required
def markers_list(round_id: int):
    """The interviewer's markers: theirs to read, the candidate's once shared after the round."""
    rnd = round_for(round_id, current_user)
    if not markers.shared_with(rnd, role_of(rnd, current_user)):
        abort(403, description="Only the interviewer sees their markers, unless they share them after the round.")
    return jsonify(markers=[_marker_payload(m, at_s) for m, at_s in markers.timed(rnd)])


@bp.post("/rounds/<int:round_id>/markers")
@login_required
@transaction()
def drop_marker(round_id: int):
    """A marker at this moment of the round: {"text": "missed the retry storm"}."""
    rnd = round_for(round_id, current_user)
    require_role(rnd, current_user, Seat.INTERVIEWER, "drops markers")
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return error(400, "Send a JSON object with text (a string).", field="text")
    if not _is_unicode(data["text"]):
        return error(400, NOT_UNICODE + " Nothing was kept.", field="text")
    marker = markers.drop(rnd, current_user, data["text"], request_now())
    return jsonify(_marker_payload(marker, rounds.state_of(rnd, marker.at).elapsed_s)), 201


def _prompt(rnd: Round) -> Prompt:
    prompt = content().catalog.get(rnd.stage, rnd.prompt_slug)
    if prompt is None or not prompt.testable:
        abort(404, description="This round's prompt has no tests.")
    return prompt


@bp.get("/rounds/<int:round_id>/tests")
@login_required
def tests(round_id: int):
    """The tests a participant may see now: the open levels' briefs and example tests, and for the
    interviewer the hidden tests too (the candidate gets those only with the scorecard, after the lock)."""
    rnd = round_for(round_id, current_user)
    _rule(rnd, WorkKind.CODE)
    prompt = _prompt(rnd)
    level = work_service.level_of(rnd, prompt)
    body = {
        "level": level,
        "levels": len(prompt.levels),
        "level_html": list(prompt.level_html[:level]),
        "examples": {lang: [t.public() for t in ts] for lang, ts in prompt.examples_at(level).items()},
    }
    if role_of(rnd, current_user) == Seat.INTERVIEWER:
        body["hidden"] = {lang: [t.public() for t in ts] for lang, ts in prompt.hidden_at(level).items()}
    return jsonify(body)


@bp.get("/rounds/<int:round_id>/hidden")
@login_required
@transaction()
def hidden(round_id: int):
    """The calls of the open level's hidden tests, for the candidate's browser to run at a submit:
    no names, no expected values (the server compares)."""
    rnd = round_for(round_id, current_user)
    require_role(rnd, current_user, Seat.CANDIDATE, "submits the code")
    _rule(rnd, WorkKind.CODE)
    lifecycle.enforce_deadline(rnd, request_now())
    if rnd.status not in (timer.RUNNING, timer.PAUSED):
        return error(409, "The round is not open; nothing can be submitted.", reason=rnd.status)
    prompt = _prompt(rnd)
    level = _whole(request.args.get("level", "1"), "level")
    calls = work_service.hidden_calls(rnd, prompt, request.args.get("language", ""), level)
    return jsonify(level=level, calls=calls)


@bp.post("/rounds/<int:round_id>/submit")
@login_required
@transaction()
def submit(round_id: int):
    rnd = round_for(round_id, current_user)
    require_role(rnd, current_user, Seat.CANDIDATE, "submits the code")
    _rule(rnd, WorkKind.CODE)
    prompt = _prompt(rnd)
    data = request.get_json(silent=True)
    report = parse_run_report(data)  # Invalid unless data is an object describing a run
    assert isinstance(data, dict)
    level = _whole(data.get("level", 1), "level")
    run, now_open = work_service.submit(rnd, prompt, report.language, level, data.get("results"), report, request_now())
    return jsonify(run=run_payload(run), level=now_open, level_html=list(prompt.level_html[:now_open])), 201


@bp.post("/rounds/<int:round_id>/move-on")
@login_required
@transaction()
def move_on(round_id: int):
    rnd = round_for(round_id, current_user)
    require_role(rnd, current_user, Seat.CANDIDATE, "moves to the next level")
    _rule(rnd, WorkKind.CODE)
    prompt = _prompt(rnd)
    data = request.get_json(silent=True) or {}
    now_open = work_service.move_on(rnd, prompt, _whole(data.get("level"), "level"), request_now())
    return jsonify(level=now_open, level_html=list(prompt.level_html[:now_open]))


def _whole(value: object, field: str) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]  # a string from a query or a number from JSON
    except (TypeError, ValueError):
        raise Invalid(f"{field}: a whole number.", field=field) from None
    if isinstance(value, bool) or not 1 <= number <= 99:
        raise Invalid(f"{field}: a whole number from 1 to 99.", field=field)
    return number


# JSON may carry "\ud800", half of a UTF-16 pair: Python accepts it, UTF-8 (the database, nh3) cannot.
NOT_UNICODE = (
    "The text holds a broken character (half of a UTF-16 surrogate pair, U+D800 to U+DFFF), "
    "which cannot be stored or shown. Delete the character or paste the text again."
)


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _revisioned_save(save):
    """A text save that carries the revision it was written on: 400 bad body, 409 stale or locked."""
    data = request.get_json(silent=True)
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("text"), str)
        or not isinstance(data.get("revision"), int)
        or isinstance(data.get("revision"), bool)
        or not 0 <= data["revision"] < 2**31
    ):  # beyond a 32-bit database integer it would be a 500
        return error(400, "Send a JSON object with text (a string) and revision (a whole number).")
    if not _is_unicode(data["text"]):
        return error(400, NOT_UNICODE + " Nothing was saved.")
    try:
        revision = save(data["text"], data["revision"])
    except Conflict as exc:  # answered here, not raised on: a lock made on the way is kept
        return answer(exc)
    return jsonify(revision=revision, saved_at=iso(request_now()))


@bp.post("/markdown")
@login_required
def markdown_preview():
    """Sanitized HTML for the scratchpad's preview tab."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return error(400, "Send a JSON object with text.")
    if not _is_unicode(data["text"]):
        return error(400, NOT_UNICODE)
    html = render_user(data["text"][: RULES[WorkKind.SCRATCHPAD].limit])
    if 'class="language-mermaid"' not in html:
        return jsonify(html=html)
    # Mermaid blocks: the page loads the module that draws them (only pages that have one do).
    built = current_app.extensions["assets"]["diagrams.js"]
    return jsonify(html=html, diagrams=url_for("static", filename=f"dist/{built}"))


@bp.get("/loops/<int:plan_id>")
@login_required
def loop_state(plan_id: int):
    return jsonify(loop_payload(own_plan(plan_id, current_user)))


@bp.get("/notices")
@login_required
def notices():
    return jsonify(
        notices=[
            {
                "id": n.id,
                "text": n.text,
                "url": url_for("practice.round_page", round_id=n.round_id),
                "fired_at": iso(n.fired_at),
            }
            for n in unread_notices(current_user)
        ]
    )


@bp.post("/notices/<int:notice_id>/seen")
@login_required
@transaction()
def notice_seen(notice_id: int):
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.user_id != current_user.id:
        abort(404)
    notice.seen_at = request_now()
    return jsonify(ok=True)


# ---------- the story bank ----------


@bp.get("/stories/<int:story_id>")
@login_required
def story(story_id: int):
    """The saved copy of a story, which the edit page compares with its own after a 409."""
    return jsonify(stories.story_payload(stories.own_story(current_user, story_id)))


def _revision_ok(value) -> bool:
    """A revision as a save may name it: beyond a 32-bit database integer it would be a 500."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31


@bp.put("/stories/<int:story_id>")
@login_required
@transaction()
def save_story(story_id: int):
    """An autosave of the whole story, written on `revision`: 400 bad body, 409 stale (with the
    revision that won), as every revisioned text is saved."""
    story = stories.own_story(current_user, story_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not _revision_ok(data.get("revision")):
        return error(400, "Send a JSON object with the story's fields and revision (a whole number).")
    if not all(_is_unicode(data[k]) for k in ("title", *story_core.PART_KEYS) if isinstance(data.get(k), str)):
        return error(400, NOT_UNICODE + " Nothing was saved.")
    try:
        text = story_core.parse_story(data, story_tags(), keep=[*story.dimensions, *story.prompts])
        new_revision = stories.save(story, text, data["revision"], request_now())
    except (Invalid, Conflict) as exc:
        return answer(exc)
    return jsonify(revision=new_revision, saved_at=iso(request_now()))


@bp.put("/rounds/<int:round_id>/stories/<int:story_id>")
@login_required
@transaction()
def story_told(round_id: int, story_id: int):
    """Mark (used: true) or unmark one of the candidate's stories as told in the round."""
    rnd = round_for(round_id, current_user)
    require_role(rnd, current_user, Seat.CANDIDATE, "records the stories they told")
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("used"), bool):
        return error(400, "Send a JSON object with used (true or false).")
    stories.mark_used(rnd, stories.own_story(current_user, story_id), data["used"], current_user, request_now())
    return jsonify(used=data["used"])
