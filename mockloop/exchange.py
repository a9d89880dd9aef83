"""Export a user's data (JSON, CSV) and import a JSON export, all or nothing, without duplicates."""
from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import or_

from . import rounds as rounds_service
from .access import CANDIDATE, role_of
from .core import exchange
from .extensions import db
from .models import Round, RoundEvent, Score, Scorecard, User


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _user_rounds(user: User) -> list[Round]:
    return list(db.session.execute(
        db.select(Round).where(or_(Round.candidate_id == user.id, Round.interviewer_id == user.id,
                                   Round.owner_id == user.id)).order_by(Round.created_at, Round.id)).scalars())


def export_user(user: User, now: datetime) -> dict:
    """Everything the user took part in: rounds, events, scratchpads, their notes, scorecards with rubrics."""
    rounds_service.lock_due(now)  # a round whose time is up is exported locked, with its expire event
    out = []
    for rnd in _user_rounds(user):
        mine = role_of(rnd, user)
        cards = []
        for card in db.session.execute(db.select(Scorecard).filter_by(round_id=rnd.id).order_by(Scorecard.id)).scalars():
            if card.reviewer_id != user.id and card.status != "submitted":
                continue  # someone else's draft is theirs alone
            cards.append({
                "uid": card.uid, "role": card.role, "reviewer": "me" if card.reviewer_id == user.id else "peer",
                "reviewer_name": card.reviewer_label, "status": card.status, "overall": card.overall,
                "keep": card.keep, "stop": card.stop, "start": card.start, "rubric": card.rubric,
                "created_at": _iso(card.created_at), "submitted_at": _iso(card.submitted_at),
                "scores": [{"dimension": s.dimension, "position": s.position, "level": s.level,
                            "evidence": s.evidence, "scored_at": _iso(s.scored_at)} for s in card.scores]})
        out.append({
            "uid": rnd.uid, "stage": rnd.stage, "prompt_slug": rnd.prompt_slug, "prompt_title": rnd.prompt_title,
            "minutes": rnd.minutes, "plan": rnd.plan, "mode": rnd.mode, "my_role": mine,
            "status": rnd.status, "created_at": _iso(rnd.created_at), "scratchpad": rnd.scratchpad,
            "scratchpad_saved_at": _iso(rnd.scratchpad_saved_at),
            "interviewer_notes": rnd.interviewer_notes if mine != CANDIDATE else None,
            "events": [{"kind": e.kind, "at": _iso(e.at), "recorded_at": _iso(e.recorded_at), "minutes": e.minutes,
                        "actor": None if e.actor_id is None else ("me" if e.actor_id == user.id else "peer")}
                       for e in rnd.events],
            "scorecards": cards})
    return {"format": exchange.FORMAT, "version": exchange.VERSION, "exported_at": now.isoformat(),
            "user": {"email": user.email, "display_name": user.display_name}, "rounds": out}


def import_user(user: User, doc, now: datetime) -> dict:
    """Add the rounds and scorecards the instance does not have yet (matched by uid) to `user`.

    The exporter becomes `user`; the other participant of a peer round has no account here, so their
    seat stays empty and their scorecards keep only their name. One transaction: all or nothing.
    """
    data = exchange.validate(doc)
    added = {"rounds": 0, "scorecards": 0, "skipped_rounds": 0, "skipped_scorecards": 0}
    try:
        for r in data["rounds"]:
            rnd = db.session.execute(db.select(Round).filter_by(uid=r["uid"])).scalar_one_or_none()
            if rnd is None:
                rnd = _add_round(user, r)
                added["rounds"] += 1
            else:
                added["skipped_rounds"] += 1
            for c in r["scorecards"]:
                if db.session.execute(db.select(Scorecard.id).filter_by(uid=c["uid"])).first():
                    added["skipped_scorecards"] += 1
                    continue
                _add_card(user, rnd, r, c)
                added["scorecards"] += 1
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    rounds_service.lock_due(now)  # a round exported while running may be long over by now
    return added


def _add_round(user: User, r: dict) -> Round:
    me_candidate = r["my_role"] == "candidate"
    rnd = Round(uid=r["uid"], owner_id=user.id, candidate_id=user.id if me_candidate else None,
                interviewer_id=None if me_candidate else user.id, stage=r["stage"], prompt_slug=r["prompt_slug"],
                prompt_title=r["prompt_title"], minutes=r["minutes"], plan=r["plan"], mode=r["mode"],
                scratchpad=r["scratchpad"], scratchpad_rev=1 if r["scratchpad"] else 0,
                scratchpad_saved_at=r["scratchpad_saved_at"], interviewer_notes=r["interviewer_notes"],
                created_at=r["created_at"])
    for e in r["events"]:
        rnd.events.append(RoundEvent(kind=e["kind"], at=e["at"], recorded_at=e["recorded_at"], minutes=e["minutes"],
                                     actor_id=user.id if e["actor"] == "me" else None))
    state = rounds_service.state_of(rnd, max((e["at"] for e in r["events"]), default=r["created_at"]))
    rnd.status, rnd.lock_reason, rnd.locked_at, rnd.deadline_at = (
        state.status, state.lock_reason, state.locked_at, state.deadline)
    db.session.add(rnd)
    db.session.flush()
    return rnd


def _add_card(user: User, rnd: Round, r: dict, c: dict) -> None:
    candidate_id = user.id if r["my_role"] == "candidate" else None
    card = Scorecard(uid=c["uid"], round_id=rnd.id, reviewer_id=user.id if c["reviewer"] == "me" else None,
                     reviewer_name=c["reviewer_name"], candidate_id=candidate_id, role=c["role"], stage=r["stage"],
                     prompt_slug=r["prompt_slug"], status=c["status"], overall=c["overall"], keep=c["keep"],
                     stop=c["stop"], start=c["start"], rubric=c["rubric"], created_at=c["created_at"],
                     submitted_at=c["submitted_at"], revision=1 if c["status"] == "submitted" else 0)
    for s in c["scores"]:
        card.scores.append(Score(candidate_id=candidate_id, role=c["role"], stage=r["stage"], **s))
    db.session.add(card)


def scorecards_csv(user: User) -> str:
    """One row per submitted scorecard the user gave or received."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["submitted_at", "stage", "prompt", "role", "reviewer", "overall", "levels", "keep", "stop",
                     "start"])
    cards = db.session.execute(
        db.select(Scorecard).where(or_(Scorecard.reviewer_id == user.id, Scorecard.candidate_id == user.id),
                                   Scorecard.status == "submitted").order_by(Scorecard.submitted_at)).scalars()
    for card in cards:
        levels = ";".join(f"{s.dimension}={s.level}" for s in card.scores)
        writer.writerow([_cell(v) for v in (_iso(card.submitted_at), card.stage, card.prompt_slug, card.role,
                                            card.reviewer_label, card.overall, levels, card.keep, card.stop,
                                            card.start)])
    return out.getvalue()


def _cell(value):
    # A spreadsheet runs a cell that starts with = + - @ as a formula; user text must stay text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
