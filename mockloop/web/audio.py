"""The round's optional audio (services/audio.py): start a recording, send its chunks, play it back.
Files live in the instance folder's audio/; a round's go with it (after the commit that deletes it)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, has_app_context, jsonify, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import event
from sqlalchemy.orm import Session

from mockloop.core import audio as audio_core
from mockloop.core.errors import Conflict
from mockloop.db import db
from mockloop.db.models import Round, RoundAudio
from mockloop.services import audio
from mockloop.services.seats import role_of
from mockloop.web.access import round_for
from mockloop.web.errors import answer, error
from mockloop.web.now import request_now
from mockloop.web.transaction import transaction

bp = Blueprint("audio", __name__)


def folder() -> Path:
    return Path(current_app.instance_path) / "audio"


def _recording(rnd: Round, recording_id: int) -> RoundAudio:
    recording = db.session.get(RoundAudio, recording_id)
    if recording is None or recording.round_id != rnd.id:
        abort(404, description="There is no such recording of this round.")
    return recording


@bp.post("/api/rounds/<int:round_id>/recordings")
@login_required
@transaction()
def start(round_id: int):
    """Start a recording: {"mime": "audio/webm;codecs=opus"}; its chunks go to chunk_url?seq=0, 1, ..."""
    rnd = round_for(round_id, current_user)
    data = request.get_json(silent=True)
    mime = data.get("mime") if isinstance(data, dict) else None
    if not isinstance(mime, str):
        return error(400, "Send a JSON object with mime (the recorder's type).", field="mime")
    recording = audio.start(rnd, current_user, mime, request_now())
    url = url_for("audio.chunk", round_id=rnd.id, recording_id=recording.id)
    return jsonify(id=recording.id, chunk_url=url, chunk_bytes=audio_core.CHUNK_LIMIT), 201


@bp.post("/api/rounds/<int:round_id>/recordings/<int:recording_id>/chunks")
@login_required
@transaction()
def chunk(round_id: int, recording_id: int):
    """One chunk, as the request's body (at most CHUNK_LIMIT bytes), at its place ?seq=N."""
    rnd = round_for(round_id, current_user, details=False)
    recording = _recording(rnd, recording_id)
    if recording.user_id != current_user.id:
        abort(403, description="Only who made a recording adds to it.")
    seq = request.args.get("seq", "")
    if not seq.isascii() or not seq.isdigit() or len(seq) > 9:
        return error(400, "seq: the chunk's place, a whole number from 0.", field="seq")
    data = request.get_data(cache=False)
    if not data or len(data) > audio_core.CHUNK_LIMIT:
        return error(400, f"A chunk holds 1 to {audio_core.CHUNK_LIMIT:,} bytes.", field="body")
    try:
        audio.append(rnd, recording, int(seq), data, folder(), request_now())
    except Conflict as exc:  # answered, not raised: the cap reached is kept
        return answer(exc)
    return jsonify(chunks=recording.chunks, size=recording.size)


@bp.get("/rounds/<int:round_id>/recordings/<int:recording_id>")
@login_required
def play(round_id: int, recording_id: int):
    rnd = round_for(round_id, current_user)
    recording = _recording(rnd, recording_id)
    if recording not in audio.visible(rnd, role_of(rnd, current_user), current_user):
        abort(403, description="The other participant's recording opens when the round is over.")
    path = audio.path_of(folder(), recording)
    if not path.exists():
        abort(404, description="This recording holds no sound yet.")
    # Range requests answered (conditional): the replay seeks in it.
    return send_file(path, mimetype=recording.mime, conditional=True, max_age=0)


GONE = "mockloop.audio_gone"  # session.info: ids of rounds this transaction deleted


def _note(session: Session, _context) -> None:
    ids = {obj.id for obj in session.deleted if isinstance(obj, Round)}
    if ids:
        session.info.setdefault(GONE, set()).update(ids)


def _delete(session: Session) -> None:
    ids = session.info.pop(GONE, None)
    if ids and has_app_context():
        audio.forget(folder(), ids)


def _keep(session: Session) -> None:
    session.info.pop(GONE, None)


def init_app(app: Flask) -> None:
    """A round's recordings are deleted once a commit has deleted the round (a delete rolled back
    keeps them). Listeners on every session, added once whatever the number of apps."""
    for name, listener in (("after_flush", _note), ("after_commit", _delete), ("after_rollback", _keep)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
