"""AI on the user's own model: the page that says what is sent, and (when AI_PROVIDER is set) the
reviewer and interviewer routes. Every route answers 404 while AI is off, and no template shows
anything about AI then."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required

from mockloop import clock
from mockloop.config import AiSettings
from mockloop.content import content
from mockloop.core import ai_interviewer as chat_core
from mockloop.core import rubric as rubric_core
from mockloop.core.ai_disclosure import FEATURES
from mockloop.core.errors import Conflict, Invalid, Unavailable
from mockloop.core.vocabulary import Mode, ReviewerRole, Seat, WorkKind
from mockloop.db import db
from mockloop.db.models import Round, Scorecard
from mockloop.services import lifecycle
from mockloop.services.ai import budget, calibration, interviewer
from mockloop.services.ai import review as review_service
from mockloop.services.ai.provider import Usage, provider_for
from mockloop.services.scorecards import ai_card, open_card
from mockloop.services.seats import role_of
from mockloop.web.access import round_for, stage_or_404
from mockloop.web.errors import answer
from mockloop.web.now import request_now
from mockloop.web.transaction import transaction

bp = Blueprint("ai", __name__)


def settings() -> AiSettings | None:
    return current_app.extensions.get("ai")


def required() -> AiSettings:
    found = settings()
    if found is None:
        abort(404)
    return found


@bp.get("/ai")
@login_required
def about():
    found = required()
    return render_template("ai/about.html", features=FEATURES, settings=found)


def init_app(app: Flask) -> None:
    @app.context_processor
    def ai_globals():
        on = app.extensions.get("ai") is not None
        return {
            "ai_on": on,
            "ai_features_used": features_used if on else None,
            "ai_calibration": calibration_text if on else None,
            "ai_model": (lambda: app.extensions["ai"].model) if on else None,
            "ai_card_of": ai_card if on else None,
        }


# ---------- the AI reviewer ----------


@bp.post("/rounds/<int:round_id>/ai-review")
@login_required
@transaction()
def review(round_id: int):
    """Draft the round's AI card. A refusal (budget, provider, invalid answer) is a message on the
    page the request came from; the tokens spent on the way are still counted (the view commits)."""
    found = required()
    rnd = round_for(round_id, current_user)
    lifecycle.enforce_deadline(rnd, request_now())
    prompt = content().catalog.get(rnd.stage, rnd.prompt_slug)
    try:
        card = review_service.review(rnd, prompt, _rubric_of(rnd), current_user, found, request_now())
    except (Conflict, Unavailable) as exc:  # NotAllowed (not the candidate) is a 403 page
        flash(f"No AI review: {exc.message}", "error")
        return redirect(_back(rnd))
    flash(
        "The AI reviewer's draft is ready. It is a separate card: copy it into your self-assessment to use it.",
        "success",
    )
    return redirect(url_for("scoring.scorecard", card_id=card.id))


def _rubric_of(rnd) -> dict:
    """The round's rubric snapshot: the one its cards were scored against, else the stage's now."""
    first = db.session.execute(db.select(Scorecard).filter_by(round_id=rnd.id).order_by(Scorecard.id)).scalars().first()
    if first is not None:
        return first.rubric
    stage = stage_or_404(rnd.stage, f"The stage {rnd.stage!r} is no longer in the loop, so it has no rubric.")
    return rubric_core.snapshot(content().loop, stage)


def _back(rnd) -> str:
    """Where a refused request returns: the page it came from, if it is one of the app's."""
    referrer = request.referrer or ""
    host = request.host_url
    return referrer if referrer.startswith(host) else url_for("practice.round_page", round_id=rnd.id)


@bp.post("/scorecards/<int:card_id>/copy-to-self")
@login_required
@transaction()
def copy_to_self(card_id: int):
    """The AI card's answers become the draft of the candidate's own self-assessment."""
    required()
    card = db.session.get(Scorecard, card_id)
    if card is None or card.role != ReviewerRole.AI or card.candidate_id != current_user.id:
        abort(404, description="There is no such AI scorecard of yours.")
    own = open_card(card.round, current_user, card.rubric, request_now())
    review_service.copy_to_self(card, own, request_now())
    flash("The AI draft is in your self-assessment: edit anything, then submit it as yours.", "success")
    return redirect(url_for("scoring.edit", card_id=own.id))


def features_used(rnd) -> list[str]:
    """The AI features that took part in a round: any that spent tokens on it, and the interviewer
    if it has a conversation (hints cost none)."""
    used = budget.features_used(rnd.id)
    if WorkKind.CHAT in rnd.work and interviewer.FEATURE not in used:
        used.append(interviewer.FEATURE)
    return used


def calibration_text() -> str:
    found = settings()
    return calibration.status(found) if found else ""


# ---------- the AI interviewer (solo rounds, opt-in) ----------


def chat_record(rnd, viewer) -> dict | None:
    """The round's conversation with the AI interviewer for its candidate (None when it had none)."""
    if WorkKind.CHAT not in rnd.work or role_of(rnd, viewer) != Seat.CANDIDATE:
        return None
    messages = chat_core.parse(rnd.text(WorkKind.CHAT))
    prompt = content().catalog.get(rnd.stage, rnd.prompt_slug)
    return {
        "messages": messages,
        "hints_used": chat_core.hints_used(messages),
        "hints_total": len(interviewer.hints_of(prompt)),
    }


def chat_panel(rnd, viewer, prompt) -> dict | None:
    """What the round page's interviewer panel shows: only with AI on, in a solo round, to its candidate."""
    if settings() is None or prompt is None or rnd.mode != Mode.SOLO or role_of(rnd, viewer) != Seat.CANDIDATE:
        return None
    return chat_record(rnd, viewer) or {
        "messages": [],
        "hints_used": 0,
        "hints_total": len(interviewer.hints_of(prompt)),
    }


def _message(m: chat_core.Message) -> dict:
    return {"role": m.role, "text": m.text, "at": m.at, "hint": m.hint}


def _open_round(round_id: int):
    """The round and prompt of an AI interviewer request, or a DomainError."""
    rnd = round_for(round_id, current_user)
    interviewer.check_open_to(rnd, current_user)
    prompt = content().catalog.get(rnd.stage, rnd.prompt_slug)
    if prompt is None:
        raise Conflict(
            "This round's prompt is no longer in the bank, so the interviewer has no guide.", reason="no_prompt"
        )
    return rnd, prompt


@bp.post("/api/rounds/<int:round_id>/ai/hint")
@login_required
@transaction()
def hint(round_id: int):
    """The guide's next hint, from the guide itself (no call to the provider), counted."""
    required()
    now = request_now()
    try:
        rnd, prompt = _open_round(round_id)
        given = chat_core.next_hint(interviewer.messages_of(rnd), interviewer.hints_of(prompt), now)
        messages, revision = interviewer.append(rnd, given, now)
    except (Conflict, Invalid) as exc:  # answered, not raised: a lock made on the way is kept
        return answer(exc)
    return jsonify(
        messages=[_message(m) for m in given],
        hints_used=chat_core.hints_used(messages),
        hints_total=len(interviewer.hints_of(prompt)),
        revision=revision,
    )


@bp.post("/api/rounds/<int:round_id>/ai/chat")
@login_required
def chat(round_id: int):
    """A question to the AI interviewer: saved at once, then the reply streamed back as it comes
    (JSON lines: {"text"} pieces, then {"done", "revision"} or {"error"}) and saved when complete."""
    found = required()
    now = request_now()
    refused, provider = None, None
    with transaction():
        try:
            rnd, prompt = _open_round(round_id)
            data = request.get_json(silent=True)
            question = chat_core.check_question(data.get("text") if isinstance(data, dict) else None)
            budget.remaining(current_user.id, found, now)
            provider = provider_for(found)  # a missing key refuses before the question is kept
            asked = chat_core.Message("user", question, now.isoformat())
            messages, _ = interviewer.append(rnd, [asked], now)
            system, conversation = interviewer.request(rnd, prompt, content().loop.stage(rnd.stage), messages, now)
        except (Conflict, Invalid, Unavailable) as exc:  # the transaction still commits a lock made on the way
            refused = exc
    if refused is not None:
        if provider is not None:
            provider.close()
        return answer(refused)
    assert provider is not None
    user_id, rid = current_user.id, rnd.id

    def replies():
        pieces, usage = [], None
        try:
            for piece in provider.stream(system, conversation, interviewer.MAX_TOKENS):
                if isinstance(piece, Usage):
                    usage = piece
                else:
                    pieces.append(piece)
                    yield json.dumps({"text": piece}) + "\n"
        except Unavailable as exc:
            yield json.dumps({"error": exc.message, "reason": exc.reason}) + "\n"
            return
        finally:
            provider.close()
        with transaction():
            later = clock.now()  # when the reply is complete, not when the question came: the deadline may have passed
            kept = db.session.get(Round, rid)
            if usage is not None:
                budget.record(user_id, rid, interviewer.FEATURE, usage, later)
            reply = chat_core.Message("assistant", "".join(pieces).strip(), later.isoformat())
            try:
                _, revision = interviewer.append(kept, [reply], later)
            except (Conflict, Invalid) as exc:  # the deadline passed meanwhile, or the conversation is full
                yield json.dumps({"error": f"The reply was not kept: {exc.message}"}) + "\n"
                return
        yield json.dumps({"done": True, "revision": revision, "at": reply.at}) + "\n"

    return Response(
        stream_with_context(replies()),
        mimetype="application/x-ndjson",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},  # no proxy may hold the pieces back
    )
