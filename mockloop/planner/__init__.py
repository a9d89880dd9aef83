"""Scheduling: plan a full loop, book peer rounds for later, upcoming rounds, calendar files, notices."""
from flask import Blueprint

bp = Blueprint("planner", __name__)

from . import routes  # noqa: E402,F401
