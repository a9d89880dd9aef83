"""Who may see a round: its candidate, its interviewer and its owner; everyone else gets 404."""

from __future__ import annotations

from flask import abort
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from mockloop.content import content
from mockloop.core.loop import Stage
from mockloop.db import db
from mockloop.db.models import LoopPlan, Round, Scorecard, User
from mockloop.services.seats import role_of


def _round_statement(details: bool, work: bool):
    options = [joinedload(Round.candidate), joinedload(Round.interviewer), selectinload(Round.events)]
    options = options if details else []
    if work:
        options.append(joinedload(Round.work))
    return select(Round).options(*options).where(Round.id == bindparam("round_id"))


# Built once: building the statement and its loader options was a third of each call's time.
_ROUND = {(details, work): _round_statement(details, work) for details in (False, True) for work in (False, True)}
# The round beside the viewer's own scorecard of it, if any (one per reviewer and round).
_ROUND_AND_CARD = {
    details: _round_statement(details, False)
    .add_columns(Scorecard)
    .outerjoin(Scorecard, and_(Scorecard.round_id == Round.id, Scorecard.reviewer_id == bindparam("reviewer_id")))
    for details in (False, True)
}


def round_for(round_id: int, user: User, *, details: bool = True, work: bool = False) -> Round:
    """The round if `user` takes part in it; 404 otherwise, so strangers cannot learn it exists.

    details: load who sits where and what happened with it, which most pages of a round show; the
    requests a live round sends all the time (autosaves, the code's live view, runs), a rubric
    submit and the round page (whose timer comes from the poll's kept state, and whose viewer is
    already loaded) need neither, and skip them: they cost more than the rest of such a request
    (whatever is used after all is loaded when first touched).
    work: join the round's saved work into the same statement, for the round page, which shows it;
    a statement fewer is worth more there than the join costs.
    """
    rnd = db.session.execute(_ROUND[details, work], {"round_id": round_id}).unique().scalar_one_or_none()
    return _taken_part(rnd, user)


def round_and_card(round_id: int, user: User, *, details: bool = True) -> tuple[Round, Scorecard | None]:
    """round_for, with the user's own scorecard of the round (scorecards.card_for) read in the same
    statement: the scoring page and the rubric submit need both, and a statement fewer is a tenth of
    the submit's time."""
    row = db.session.execute(_ROUND_AND_CARD[details], {"round_id": round_id, "reviewer_id": user.id}).first()
    return _taken_part(row[0] if row else None, user), row[1] if row else None


def _taken_part(rnd: Round | None, user: User) -> Round:
    if rnd is None or role_of(rnd, user) is None:
        abort(404, description="There is no such round, or it is not yours.")
    return rnd


def require_role(rnd: Round, user: User, role: str, what: str) -> None:
    """403 for a participant without the role: they know the round exists, but this is not theirs."""
    if role_of(rnd, user) != role:
        abort(403, description=f"Only the {role} {what}.")


def stage_or_404(slug: str, description: str | None = None) -> Stage:
    """The loop's stage called `slug`; 404 if the loop has none (a typed URL, or a stage since removed)."""
    stage = content().loop.stage(slug)
    if stage is None:
        abort(404, description=description or f"There is no stage called {slug!r}.")
    return stage


def own_plan(plan_id: int, user: User) -> LoopPlan:
    """The loop plan if `user` made it; 404 otherwise."""
    plan = db.session.get(LoopPlan, plan_id)
    if plan is None or plan.owner_id != user.id:
        abort(404, description="There is no such loop, or it is not yours.")
    return plan
