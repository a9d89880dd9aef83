"""Peer rounds: invite links, seating the invitee, interviewer notes and role swaps."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update

from mockloop.core import timer
from mockloop.core.catalog import Catalog
from mockloop.core.errors import Conflict, Invalid, NotFound
from mockloop.core.loop import Stage
from mockloop.core.vocabulary import Mode, Seat, duration_text
from mockloop.db import db, dml
from mockloop.db.models import Invite, Round, User
from mockloop.services.lifecycle import enforce_deadline
from mockloop.services.rounds import (
    PromptFilter,
    create_round,
    pick_surprise,
)
from mockloop.services.seats import candidate_prompts

INVITE_LIFETIME = timedelta(hours=24)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_seat(rnd: Round) -> Seat | None:
    if rnd.mode != Mode.PEER:
        return None
    if rnd.candidate_id is None:
        return Seat.CANDIDATE
    if rnd.interviewer_id is None:
        return Seat.INTERVIEWER
    return None


def create_invite(
    rnd: Round, by: User, now: datetime, lifetime: timedelta = INVITE_LIFETIME, proposed: list[datetime] | None = None
) -> str:
    """A fresh link for the round's open seat; returns the token (192 random bits), stored only hashed.

    `proposed` times (a booking for later) are offered to the invitee, who accepts one of them.
    """
    seat = open_seat(rnd)
    if seat is None:
        raise Conflict("Both seats of this round are taken.", reason="seats_taken")
    token = secrets.token_urlsafe(24)
    if proposed:  # a booking stays open until its last proposed time
        lifetime = max(lifetime, max(proposed) - now)
    db.session.add(
        Invite(
            round_id=rnd.id,
            token_hash=_hash(token),
            role=seat,
            created_by_id=by.id,
            created_at=now,
            expires_at=now + lifetime,
            proposed_times=[t.isoformat() for t in sorted(proposed)] if proposed else None,
        )
    )
    return token


def find_invite(token: str) -> Invite | None:
    return db.session.execute(db.select(Invite).filter_by(token_hash=_hash(token))).scalar_one_or_none()


def check_invite(invite: Invite | None, now: datetime) -> Invite:
    if invite is None:
        raise NotFound("This invite link is not valid. Check that you copied all of it, or ask for a new one.")
    if invite.revoked_at is not None:
        raise Conflict(
            "This invite was withdrawn by the person who sent it. Ask them for a new link.", reason="revoked"
        )
    if invite.accepted_at is not None:
        raise Conflict("This invite has already been used. Each link seats one person once.", reason="used")
    if now >= invite.expires_at:
        # A booking's link lasts until its last proposed time, so the text says how long this one lasted.
        lasted = duration_text(invite.expires_at - invite.created_at)
        raise Conflict(f"This invite has expired (the link lasted {lasted}). Ask for a new one.", reason="expired")
    return invite


def accept_invite(token: str, user: User, now: datetime, chosen: str | None = None) -> Round:
    invite = check_invite(find_invite(token), now)
    rnd = invite.round
    when = None
    if invite.proposed_times:
        if chosen is None or chosen not in invite.proposed_times:
            raise Invalid("Pick one of the proposed times to accept this booking.", field="when")
        when = datetime.fromisoformat(chosen)
        if when <= now:
            raise Conflict("That proposed time has passed; ask for a new one.", reason="expired")
    if user.id in (rnd.candidate_id, rnd.interviewer_id):
        raise Conflict(
            "You are already in this round; send the link to your practice partner.", reason="already_seated"
        )
    seat_column = Round.candidate_id if invite.role == Seat.CANDIDATE else Round.interviewer_id
    # Both updates are conditional, so two people racing for one link cannot both get the seat.
    used = dml(
        update(Invite)
        .where(Invite.id == invite.id, Invite.accepted_at.is_(None), Invite.revoked_at.is_(None))
        .values(accepted_at=now, accepted_by_id=user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    seated = (
        used
        and dml(
            update(Round)
            .where(Round.id == rnd.id, seat_column.is_(None))
            .values({seat_column.key: user.id, "version": Round.version + 1})
            .execution_options(synchronize_session=False)
        ).rowcount
    )
    if not seated:
        db.session.rollback()
        raise Conflict("Someone else took this seat a moment ago.", reason="seats_taken")
    db.session.expire(invite)  # both UPDATEs bypassed the ORM
    db.session.refresh(rnd)
    if when is not None:
        from mockloop.services.bookings import (
            book,  # schedule builds on rounds, as peers does
        )

        book(rnd, when)
    return rnd


def revoke_invites(rnd: Round, now: datetime) -> int:
    count = dml(
        update(Invite)
        .where(Invite.round_id == rnd.id, Invite.accepted_at.is_(None), Invite.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    return count


def live_invite(rnd: Round, now: datetime) -> Invite | None:
    return (
        db.session.execute(
            db.select(Invite)
            .where(
                Invite.round_id == rnd.id,
                Invite.accepted_at.is_(None),
                Invite.revoked_at.is_(None),
                Invite.expires_at > now,
            )
            .order_by(Invite.id.desc())
        )
        .scalars()
        .first()
    )


def notes_scaffold(stage: Stage) -> str:
    """Interviewer notes start with a heading per rubric dimension: what goes under one becomes
    that dimension's evidence when scoring."""
    return "\n\n".join(f"## {d.name}\n" for d in stage.rubric)


def swap_roles(rnd: Round, by: User, stage: Stage, catalog: Catalog, now: datetime) -> Round:
    """The mirrored round: same pair and stage, roles swapped, a prompt the new candidate has not seen."""
    if rnd.swapped_round_id is not None:
        return db.session.get_one(Round, rnd.swapped_round_id)
    enforce_deadline(rnd, now)
    if rnd.status != timer.LOCKED:  # the page hides the button until then; the route must refuse too
        raise Conflict("Roles can be swapped once this round is over.", reason=rnd.status)
    if rnd.candidate_id is None or rnd.interviewer_id is None:
        raise Conflict("Both seats must be filled before you can swap roles.", reason="seat_open")
    new_candidate = db.session.get_one(User, rnd.interviewer_id)
    new_interviewer = db.session.get_one(User, rnd.candidate_id)
    # Not a prompt whose guide is closed to the new interviewer (a round of theirs as candidate on it).
    prompt = pick_surprise(
        new_candidate,
        stage,
        catalog,
        PromptFilter(),
        exclude={rnd.prompt_slug} | candidate_prompts(new_interviewer, stage.slug, now),
    )
    if prompt is None:
        raise Conflict("This stage has no other prompt to swap onto.", reason="no_prompt")
    swapped = create_round(
        by, stage, prompt, rnd.minutes, now, seats={Seat.CANDIDATE: new_candidate, Seat.INTERVIEWER: new_interviewer}
    )
    won = dml(
        update(Round)
        .where(Round.id == rnd.id, Round.swapped_round_id.is_(None))
        .values(swapped_round_id=swapped.id, version=Round.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:  # the other participant swapped at the same moment: keep theirs
        db.session.delete(swapped)
        db.session.refresh(rnd)
        return db.session.get_one(Round, rnd.swapped_round_id)
    db.session.refresh(rnd)  # the UPDATE bypassed the ORM
    return swapped
