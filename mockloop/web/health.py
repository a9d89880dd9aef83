"""GET /healthz: version and database status, for monitors and the README's first check."""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from mockloop import __version__
from mockloop.db import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError as exc:
        database = f"error: {exc.__class__.__name__}"
    status = 200 if database == "ok" else 503
    return jsonify(
        status="ok" if status == 200 else "degraded", version=__version__, database=database, ai=_ai()
    ), status


def _ai() -> dict:
    """Whether AI is configured, with which provider and model and whether a key was found (never the key)."""
    found = current_app.extensions.get("ai")
    if found is None:
        return {"configured": False}
    return {"configured": True, "provider": found.provider, "model": found.model, "key_found": bool(found.key)}
