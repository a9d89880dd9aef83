"""Scorecards in the database: drafts, submits with a revision check, and the edit history."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from mockloop.content import content
from mockloop.core import rubric as rubric_core
from mockloop.core.errors import Conflict
from mockloop.core.vocabulary import REVIEWER_ROLE_OF_SEAT, CardStatus, ReviewerRole
from mockloop.db import db, dml
from mockloop.db.models import Round, Score, Scorecard, ScorecardEdit, User
from mockloop.services.rounds import bump
from mockloop.services.seats import role_of
from mockloop.services.work import level_figures


def reviewer_role(rnd: Round, user: User) -> ReviewerRole | None:
    role = role_of(rnd, user)
    return REVIEWER_ROLE_OF_SEAT[role] if role else None


# Built once: every rubric submit and scoring page runs it.
_CARD_OF = select(Scorecard).where(
    Scorecard.round_id == bindparam("round_id"), Scorecard.reviewer_id == bindparam("reviewer_id")
)


def card_for(rnd: Round, reviewer: User) -> Scorecard | None:
    return db.session.execute(_CARD_OF, {"round_id": rnd.id, "reviewer_id": reviewer.id}).scalar_one_or_none()


def level_columns(rnd: Round) -> dict[str, int | None]:
    """A new card's copy of its round's level figures: cards exist only once the round is locked, so
    the figures are final, and the history filters and charts read them without touching the runs."""
    figures = level_figures(rnd, content().catalog.get(rnd.stage, rnd.prompt_slug))
    return {
        "levels_cleared": figures.cleared if figures else None,
        "levels_submitted": figures.submitted if figures else None,
        "levels_first_passed": figures.first_passed if figures else None,
    }


def open_card(rnd: Round, reviewer: User, rubric: dict, now: datetime) -> Scorecard:
    """The reviewer's card for this round, created (with its rubric snapshot) on first use."""
    card = card_for(rnd, reviewer)
    if card is None:
        card = Scorecard(
            round_id=rnd.id,
            reviewer_id=reviewer.id,
            reviewer_name=reviewer.display_name,
            candidate_id=rnd.candidate_id,
            role=reviewer_role(rnd, reviewer),
            stage=rnd.stage,
            prompt_slug=rnd.prompt_slug,
            rubric=rubric,
            created_at=now,
            **level_columns(rnd),
        )
        db.session.add(card)
        db.session.flush()  # the form links to the card by its id
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
    card.draft = {k: str(v)[: rubric_core.EVIDENCE_LIMIT] for k, v in fields.items() if k in allowed}
    card.draft_saved_at = now


# Built once, from the tables rather than the mapped classes: building a statement costs more than
# running it, and the ORM's bulk-update path (which an ORM attribute in a WHERE selects) costs more still.
_CARDS, _SCORES = cast(Table, Scorecard.__table__), cast(Table, Score.__table__)
_INSERT_CARD = insert(_CARDS)
_INSERT_SCORES = insert(_SCORES)
_INSERT_EDIT = insert(cast(Table, ScorecardEdit.__table__))
_DELETE_SCORES = delete(_SCORES).where(_SCORES.c.scorecard_id == bindparam("card_id"))
_UPDATE_CARD = (
    update(_CARDS)  # only if nobody saved it since the editor loaded it
    .where(_CARDS.c.id == bindparam("card_id"), _CARDS.c.revision == bindparam("loaded_revision"))
    .values(revision=_CARDS.c.revision + 1)
)


def submit(
    rnd: Round, card: Scorecard | None, rubric: dict, answers: dict, editor: User, revision: int, now: datetime
) -> int:
    """Store complete answers as `editor`'s card for the round if it is still at `revision` (0: no card
    yet), record what an edit changed, and return the card's id.

    Reads come first and the writes follow back to back: SQLite has one writer, and a short write
    transaction keeps concurrent submits from queueing behind it.
    """
    # Score rows repeat their card's candidate, role and stage (a new card takes them from the round).
    candidate_id, role, stage = (
        (card.candidate_id, card.role, card.stage)
        if card is not None
        else (rnd.candidate_id, reviewer_role(rnd, editor), rnd.stage)
    )
    submitted_at = (card.submitted_at if card is not None else None) or now
    before = answers_of(card) if card is not None and card.status == CardStatus.SUBMITTED else None
    figures = level_columns(rnd) if card is None else {}
    values = {
        "status": CardStatus.SUBMITTED,
        "overall": answers["overall"],
        "draft": None,
        "draft_saved_at": None,
        "submitted_at": submitted_at,
        **{f: answers[f] for f in rubric_core.SUMMARY_FIELDS},
    }
    card_id = None
    if card is not None:
        won = dml(_UPDATE_CARD, {"card_id": card.id, "loaded_revision": revision, **values})
        card_id = card.id if won.rowcount else None
    elif revision == 0:
        try:
            card_id = dml(
                _INSERT_CARD,
                {
                    "round_id": rnd.id,
                    "reviewer_id": editor.id,
                    "reviewer_name": editor.display_name,
                    "candidate_id": candidate_id,
                    "role": role,
                    "stage": stage,
                    "prompt_slug": rnd.prompt_slug,
                    "rubric": rubric,
                    "revision": 1,
                    "created_at": now,
                    **figures,
                    **values,
                },
            ).inserted_primary_key[0]  # type: ignore[index]  # one row: one key
        except IntegrityError:  # the reviewer's other tab created the card a moment ago
            pass
    if card_id is None:
        db.session.rollback()
        raise Conflict(
            "This scorecard was changed after you opened it (another tab or device). "
            "Your answers are below, unsaved; reload to see the newer version.",
            reason="stale",
        )
    if before is not None:
        db.session.execute(_DELETE_SCORES, {"card_id": card_id})
        diff = rubric_core.changes(rubric, before, answers)
        if diff:
            db.session.execute(
                _INSERT_EDIT, {"scorecard_id": card_id, "editor_id": editor.id, "at": now, "changes": diff}
            )
    db.session.execute(
        _INSERT_SCORES,
        [
            {
                "scorecard_id": card_id,
                "candidate_id": candidate_id,
                "role": role,
                "stage": stage,
                "dimension": d["key"],
                "position": position,
                "level": answers["levels"][d["key"]],
                "evidence": answers["evidence"][d["key"]],
                "scored_at": submitted_at,
            }
            for position, d in enumerate(rubric["dimensions"])
        ],
    )
    bump(rnd)  # the other participant's page learns of the new scorecard
    if card is not None:
        db.session.expire(card)  # written with table statements, behind the ORM
    return card_id


def visible_cards(rnd: Round, viewer: User) -> list[Scorecard]:
    """The viewer's own card (draft or not) and every submitted card of the round they may see."""
    cards = db.session.execute(db.select(Scorecard).filter_by(round_id=rnd.id).order_by(Scorecard.id)).scalars()
    return [c for c in cards if (c.reviewer_id == viewer.id or c.status == CardStatus.SUBMITTED) and may_see(c, viewer)]


def may_see(card: Scorecard, viewer: User) -> bool:
    """An AI draft is the candidate's alone: they asked for it, about their own work."""
    return card.role != ReviewerRole.AI or card.candidate_id == viewer.id


def submitted_cards(rnd: Round) -> list[Scorecard]:
    """The round's submitted cards that every participant sees (not the candidate's AI draft)."""
    return list(
        db.session.execute(
            db.select(Scorecard)
            .filter_by(round_id=rnd.id, status=CardStatus.SUBMITTED)
            .where(Scorecard.role != ReviewerRole.AI)
            .order_by(Scorecard.id)
        ).scalars()
    )


def ai_card(rnd: Round) -> Scorecard | None:
    return db.session.execute(
        db.select(Scorecard).filter_by(round_id=rnd.id, role=ReviewerRole.AI)
    ).scalar_one_or_none()


def store_ai_card(rnd: Round, rubric: dict, answers: dict, name: str, now: datetime) -> Scorecard:
    """Keep the AI reviewer's answers (checked by the rubric's rules already) as the round's AI card,
    replacing an earlier one: a card without a reviewer account, named after the model."""
    earlier = ai_card(rnd)
    if earlier is not None:
        db.session.delete(earlier)
        db.session.flush()
    card = Scorecard(
        round_id=rnd.id,
        reviewer_id=None,
        reviewer_name=name[:80],
        candidate_id=rnd.candidate_id,
        role=ReviewerRole.AI,
        stage=rnd.stage,
        prompt_slug=rnd.prompt_slug,
        status=CardStatus.SUBMITTED,
        overall=answers["overall"],
        rubric=rubric,
        revision=1,
        created_at=now,
        submitted_at=now,
        **{f: answers[f] for f in rubric_core.SUMMARY_FIELDS},
    )
    card.scores = [
        Score(
            candidate_id=rnd.candidate_id,
            role=ReviewerRole.AI,
            stage=rnd.stage,
            dimension=d["key"],
            position=position,
            level=answers["levels"][d["key"]],
            evidence=answers["evidence"][d["key"]],
            scored_at=now,
        )
        for position, d in enumerate(rubric["dimensions"])
    ]
    db.session.add(card)
    db.session.flush()
    bump(rnd)
    return card
