"""Invite links for peer rounds: opening, accepting, renewing and revoking them."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from mockloop.content import content
from mockloop.core.errors import Conflict, DomainError
from mockloop.core.vocabulary import Seat
from mockloop.services import peers
from mockloop.services.seats import guide_closed
from mockloop.web.access import round_for
from mockloop.web.now import request_now
from mockloop.web.transaction import transaction

bp = Blueprint("invites", __name__)

TOKEN_KEY = "invite_token"


@bp.get("/invites/<token>")
def show(token: str):
    try:
        invite = peers.check_invite(peers.find_invite(token), request_now())
    except DomainError as exc:  # not valid, withdrawn, used, expired, taken: the link cannot seat anyone
        return render_template("invites/unusable.html", message=exc.message), 410
    if not current_user.is_authenticated:
        flash("Log in or sign up to join the round you were invited to.", "info")
        return redirect(url_for("accounts.login", next=request.path))
    stage = content().loop.stage(invite.round.stage)
    closed = (
        guide_closed(current_user, invite.round.stage, invite.round.prompt_slug, request_now())
        if invite.role == Seat.INTERVIEWER
        else None
    )
    return render_template(
        "invites/show.html", invite=invite, rnd=invite.round, stage=stage, token=token, guide_closed=closed
    )


@bp.post("/invites/<token>")
@login_required
@transaction()
def accept(token: str):
    try:
        rnd = peers.accept_invite(token, current_user, request_now(), request.form.get("when"))
    except DomainError as exc:
        return render_template("invites/unusable.html", message=exc.message), 410
    flash(
        "You joined the round." + (" It is on your Upcoming list, with a calendar file." if rnd.scheduled_at else ""),
        "success",
    )
    return redirect(url_for("practice.round_page", round_id=rnd.id))


@bp.post("/rounds/<int:round_id>/invites")
@login_required
@transaction()
def renew(round_id: int):
    rnd = _owned(round_id)
    peers.revoke_invites(rnd, request_now())
    try:
        session[TOKEN_KEY] = {"round": rnd.id, "token": peers.create_invite(rnd, current_user, request_now())}
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        flash("A new invite link is ready; the old one no longer works.", "success")
    return redirect(url_for("practice.round_page", round_id=rnd.id))


@bp.post("/rounds/<int:round_id>/invites/revoke")
@login_required
@transaction()
def revoke(round_id: int):
    rnd = _owned(round_id)
    count = peers.revoke_invites(rnd, request_now())
    session.pop(TOKEN_KEY, None)
    flash("Invite withdrawn." if count else "There was no open invite.", "info")
    return redirect(url_for("practice.round_page", round_id=rnd.id))


def _owned(round_id: int):
    """Invites are the creator's to hand out: the other participant gets 403, strangers 404."""
    rnd = round_for(round_id, current_user)
    if rnd.owner_id != current_user.id:
        abort(403, description="Only the person who created this round manages its invites.")
    return rnd


def pending_link(rnd) -> str | None:
    """The creator's invite link, shown until the seat is taken (tokens are stored only hashed,
    so the readable link lives in the creator's session)."""
    held = session.get(TOKEN_KEY)
    if not held or held.get("round") != rnd.id or peers.live_invite(rnd, request_now()) is None:
        return None
    invite = peers.find_invite(held["token"])
    if invite is None or invite.accepted_at or invite.revoked_at:
        return None
    return url_for("invites.show", token=held["token"], _external=True)
