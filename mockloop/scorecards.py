"""Scorecards in the database: drafts, submits with a revision check, and the edit history."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from .access import CANDIDATE, INTERVIEWER, role_of
from .core import rubric as rubric_core
from .extensions import db
from .models import Round, Score, Scorecard, ScorecardEdit, User
from .rounds import bump

SELF = "self"


class StaleScorecard(Exception):
    """Someone saved this scorecard after the reviewer loaded it (HTTP 409)."""


def reviewer_role(rnd: Round, user: User) -> str | None:
    role = role_of(rnd, user)
    return {CANDIDATE: SELF, INTERVIEWER: INTERVIEWER}.get(role)


def card_for(rnd: Round, reviewer: User) -> Scorecard | None:
    return db.session.execute(db.select(Scorecard).filter_by(round_id=rnd.id, reviewer_id=reviewer.id)
                              ).scalar_one_or_none()


def open_card(rnd: Round, reviewer: User, rubric: dict, now: datetime) -> Scorecard:
    """The reviewer's card for this round, created (with its rubric snapshot) on first use."""
    card = card_for(rnd, reviewer)
    if card is None:
        card = Scorecard(round_id=rnd.id, reviewer_id=reviewer.id, reviewer_name=reviewer.display_name,
                         candidate_id=rnd.candidate_id,
                         role=reviewer_role(rnd, reviewer), stage=rnd.stage, prompt_slug=rnd.prompt_slug,
                         rubric=rubric, created_at=now)
        db.session.add(card)
        db.session.commit()
    return card


def answers_of(card: Scorecard) -> dict:
    """The submitted answers of a card (empty for a card never submitted)."""
    answers = rubric_core.empty_answers(card.rubric)
    for s in card.scores:
        answers["levels"][s.dimension] = s.level
        answers["evidence"][s.dimension] = s.evidence
    answers["overall"] = card.overall
    answers.update({f: getattr(card, f) for f in rubric_core.SUMMARY_FIELDS})
    return answers


def save_draft(card: Scorecard, fields: dict, now: datetime) -> None:
    allowed = rubric_core.answer_fields(card.rubric)
    card.draft = {k: str(v)[:rubric_core.EVIDENCE_LIMIT] for k, v in fields.items() if k in allowed}
    card.draft_saved_at = now
    db.session.commit()


def submit(card: Scorecard, answers: dict, editor: User, revision: int, now: datetime) -> None:
    """Store complete answers if the card is still at `revision`; record what an edit changed."""
    before = answers_of(card)
    won = db.session.execute(
        update(Scorecard).where(Scorecard.id == card.id, Scorecard.revision == revision)
        .values(revision=Scorecard.revision + 1).execution_options(synchronize_session=False)).rowcount
    if not won:
        db.session.rollback()
        raise StaleScorecard("This scorecard was changed after you opened it (another tab or device). "
                             "Your answers are below, unsaved; reload to see the newer version.")
    if card.status == "submitted":
        diff = rubric_core.changes(card.rubric, before, answers)
        if diff:
            db.session.add(ScorecardEdit(scorecard_id=card.id, editor_id=editor.id, at=now, changes=diff))
    card.status = "submitted"
    card.submitted_at = card.submitted_at or now
    card.overall = answers["overall"]
    for f in rubric_core.SUMMARY_FIELDS:
        setattr(card, f, answers[f])
    card.scores.clear()
    db.session.flush()
    for position, d in enumerate(card.rubric["dimensions"]):
        card.scores.append(Score(candidate_id=card.candidate_id, role=card.role, stage=card.stage,
                                 dimension=d["key"], position=position, level=answers["levels"][d["key"]],
                                 evidence=answers["evidence"][d["key"]], scored_at=card.submitted_at))
    card.draft = None
    card.draft_saved_at = None
    bump(card.round)  # the other participant's page learns of the new scorecard
    db.session.commit()


def visible_cards(rnd: Round, viewer: User) -> list[Scorecard]:
    """The viewer's own card (draft or not) and every submitted card of the round."""
    cards = db.session.execute(db.select(Scorecard).filter_by(round_id=rnd.id).order_by(Scorecard.id)).scalars()
    return [c for c in cards if c.reviewer_id == viewer.id or c.status == "submitted"]


def submitted_cards(rnd: Round) -> list[Scorecard]:
    return list(db.session.execute(db.select(Scorecard).filter_by(round_id=rnd.id, status="submitted")
                                   .order_by(Scorecard.id)).scalars())
