"""Looking back: scorecard history, progress charts, the practice plan, export and import."""
from flask import Blueprint

bp = Blueprint("review", __name__)

from . import routes  # noqa: E402,F401
