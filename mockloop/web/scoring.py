"""Scoring a finished round against its stage's rubric, and reading scorecards."""

from flask import (
    Blueprint,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from mockloop.content import content
from mockloop.core import rubric as rubric_core
from mockloop.core import timer
from mockloop.core.catalog import SCORING_SECTIONS
from mockloop.core.errors import Conflict
from mockloop.core.markup import render_user
from mockloop.core.vocabulary import CardStatus, ReviewerRole, WorkKind
from mockloop.db import db
from mockloop.db.models import Scorecard
from mockloop.services import lifecycle, markers, rounds, stories
from mockloop.services.history import neighbours
from mockloop.services.scorecards import (
    answers_of,
    may_see,
    open_card,
    save_draft,
    submit,
    visible_cards,
)
from mockloop.services.seats import guide_closed, role_of
from mockloop.web import ai
from mockloop.web.access import round_and_card, stage_or_404
from mockloop.web.code_results import code_results
from mockloop.web.now import request_now
from mockloop.web.rubric_form import scorecard_form
from mockloop.web.stories import round_panel
from mockloop.web.transaction import transaction

bp = Blueprint("scoring", __name__)


@bp.route("/rounds/<int:round_id>/score", methods=["GET", "POST"])
@login_required
@transaction()
def score(round_id: int):
    # Enforcing the deadline changes only the round, so the card read beside it stays true.
    rnd, card = round_and_card(round_id, current_user, details=request.method == "GET")
    lifecycle.enforce_deadline(rnd, request_now())
    if rnd.status != timer.LOCKED:
        return render_template("scoring/not_yet.html", rnd=rnd), 409
    if request.method == "POST":
        return _rubric_form(rnd, card, card.rubric if card else _current_rubric(rnd))
    if card is None:
        card = open_card(rnd, current_user, _current_rubric(rnd), request_now())
        notes = rnd.text(WorkKind.NOTES)
        if card.role == ReviewerRole.INTERVIEWER and notes.strip():
            # The interviewer's notes, split by dimension heading, become the first draft's evidence.
            save_draft(card, rubric_core.evidence_from_notes(card.rubric, notes), request_now())
    if card.status == CardStatus.SUBMITTED:
        return redirect(url_for("scoring.scorecard", card_id=card.id))
    return _rubric_form(rnd, card, card.rubric)


def _current_rubric(rnd) -> dict:
    """The rubric a new card of this round is scored against: the stage's, as the loop has it now."""
    stage = stage_or_404(rnd.stage, f"The stage {rnd.stage!r} is no longer in the loop, so it has no rubric.")
    return rubric_core.snapshot(content().loop, stage)


def _own_card(card_id: int) -> Scorecard:
    card = db.session.get(Scorecard, card_id)
    if card is None or card.reviewer_id != current_user.id:
        abort(404, description="There is no such scorecard, or it is not yours to edit.")
    return card


@bp.route("/scorecards/<int:card_id>/edit", methods=["GET", "POST"])
@login_required
@transaction()
def edit(card_id: int):
    card = _own_card(card_id)
    return _rubric_form(card.round, card, card.rubric)


@bp.post("/scorecards/<int:card_id>/draft")
@login_required
@transaction()
def draft(card_id: int):
    card = _own_card(card_id)
    now = request_now()
    save_draft(card, request.form.to_dict(), now)
    return jsonify(saved_at=now.isoformat())


def _rubric_form(rnd, card: Scorecard | None, rubric: dict):
    """The rubric form of `card` and its submit. card=None: a first submit without a draft (the form
    was never opened, or its draft was lost), which creates the card as it stores the answers."""
    message, status = None, 200
    if request.method == "POST":
        bad = rubric_core.forged(rubric, request.form)
        if bad:
            abort(
                400,
                description="The form contained answers that are not part of this rubric "
                f"({', '.join(sorted(bad))}); nothing was saved.",
            )
        problems = rubric_core.problems(rubric, request.form)
        if not problems:
            answers = rubric_core.answers_from_fields(rubric, request.form)
            raw = request.form.get("revision", "")  # ASCII and short: "²" or 30 digits must be stale, not a 500
            revision = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else -1
            try:
                card_id = submit(rnd, card, rubric, answers, current_user, revision, request_now())
            except Conflict as exc:
                message, status = str(exc), 409
            else:
                # Told in the URL, not with flash(): a flash re-signs the session cookie on this post and
                # again on the page that shows it (about 0.1 ms of a 1.7 ms submit, in-process).
                return redirect(url_for("scoring.scorecard", card_id=card_id, saved=1))
        else:
            status = 400
        form = scorecard_form(rubric)()  # the form comes back with what was typed kept
        for name, text in problems.items():
            form[name].errors = [text]
        if card is None:  # around a new draft card
            card = open_card(rnd, current_user, rubric, request_now())
    else:
        assert card is not None  # only a POST comes without a card
        fields = card.draft or rubric_core.fields_from_answers(card.rubric, answers_of(card))
        form = scorecard_form(rubric)(formdata=None, data={**fields, "revision": str(card.revision)})
    return render_template(
        "scoring/form.html",
        card=card,
        rnd=rnd,
        form=form,
        message=message,
        facts=_facts(rnd),
        guide=_guide(rnd),
        scratchpad_html=render_user(rnd.text(WorkKind.SCRATCHPAD)),
        code=rnd.work.get(WorkKind.CODE),
        board=rnd.work.get(WorkKind.BOARD),
        story_panel=round_panel(rnd, content().loop.stage(rnd.stage)),
        # The interviewer's markers, each ready to pull into a dimension's evidence.
        markers=markers.timed(rnd) if card.role == ReviewerRole.INTERVIEWER else [],
    ), status


def _guide(rnd) -> dict | None:
    """What the reviewer scores against beside the rubric, once the round is locked: the prompt's own
    level descriptions per dimension and the guide's pitfalls, follow-ups and reference outline.

    None while the round is not locked, for a prompt no longer in the bank, and while the reviewer is
    the candidate of another round on this prompt that has not ended (the rule every guide obeys).
    The interviewer's private notes are never part of it."""
    if rnd.status != timer.LOCKED:
        return None
    prompt = content().catalog.get(rnd.stage, rnd.prompt_slug)
    if prompt is None or guide_closed(current_user, rnd.stage, rnd.prompt_slug, request_now()):
        return None
    return {
        "prompt": prompt,
        "sections": [(name, html) for name in SCORING_SECTIONS if (html := prompt.section_html(name))],
    }


def _facts(rnd):
    """What the round's events say: planned vs actual time per phase, pauses, extensions."""
    return rounds.state_of(rnd, request_now())


def _drawn(rnd) -> bool:
    """Whether the scorecard shows the round's whiteboard: its stage has one, or the round kept a drawing."""
    stage = content().loop.stage(rnd.stage)
    return WorkKind.BOARD in rnd.work or (stage is not None and "board" in stage.workspace)


@bp.get("/scorecards/<int:card_id>")
@login_required
def scorecard(card_id: int):
    card = db.session.get(Scorecard, card_id)
    visible = (
        card is not None
        and (
            card.reviewer_id == current_user.id
            or (card.status == CardStatus.SUBMITTED and role_of(card.round, current_user) is not None)
        )
        and may_see(card, current_user)
    )
    if card is None or not visible:
        abort(404, description="There is no such scorecard, or it is not yours.")
    rnd = card.round
    cards = [c for c in visible_cards(rnd, current_user) if c.status == CardStatus.SUBMITTED or c.id == card.id]
    answers = {c.id: answers_of(c) for c in cards}
    # Calibration: dimensions where the reviewers (self and interviewer) chose different levels.
    differing = {
        d["key"]
        for d in card.rubric["dimensions"]
        if len({answers[c.id]["levels"].get(d["key"]) for c in cards} - {None}) > 1
    }
    newer, older = neighbours(current_user, card)
    told = stories.used_in(rnd, current_user)  # only the teller's own stories
    return render_template(
        "scoring/scorecard.html",
        card=card,
        rnd=rnd,
        cards=cards,
        answers=answers,
        differing=differing,
        facts=_facts(rnd),
        newer=newer,
        older=older,
        scratchpad_html=render_user(rnd.text(WorkKind.SCRATCHPAD)),
        code=rnd.work.get(WorkKind.CODE),
        results=code_results(rnd) if WorkKind.CODE in rnd.work else None,
        drawing=_drawn(rnd),
        board=rnd.work.get(WorkKind.BOARD),
        runs=rnd.runs,
        render_user=render_user,
        told=[s for s in stories.stories_of(current_user) if s.id in told] if told else [],
        ai_chat=ai.chat_record(rnd, current_user),
        # The rubric form's submit lands here with ?saved=1 (its confirmation, in place of a flash).
        saved=request.args.get("saved") == "1" and card.reviewer_id == current_user.id,
    )
