"""Invite links for peer rounds: opening, accepting, renewing and revoking them."""
from flask import Blueprint

bp = Blueprint("invites", __name__)

from . import routes  # noqa: E402,F401
