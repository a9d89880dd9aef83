"""Browsing the loop: stages, their phases and rubrics, and each stage's prompt bank."""
from flask import Blueprint

bp = Blueprint("catalog", __name__)

from . import routes  # noqa: E402,F401
