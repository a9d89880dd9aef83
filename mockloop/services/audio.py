"""Audio recordings of a round (core/audio.py): opt-in, each participant their own, appended chunk
by chunk to a file in `folder` (the instance folder's audio/, passed in by the caller). A chunk
names its place (seq): a retried chunk is kept once, a missing one is refused rather than glued over."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

from sqlalchemy import update

from mockloop.core import audio, timer
from mockloop.core.errors import Conflict, Invalid
from mockloop.core.vocabulary import Seat
from mockloop.db import db, dml
from mockloop.db.models import Round, RoundAudio, User
from mockloop.services.lifecycle import enforce_deadline
from mockloop.services.seats import role_of


def start(rnd: Round, user: User, mime: str, now: datetime) -> RoundAudio:
    """A new recording by `user` of the round, while it runs (or is paused)."""
    kind = audio.base_type(mime)
    if kind is None:
        raise Invalid(f"Recordings are kept as {', '.join(sorted(audio.MIME_TYPES))}.", field="mime")
    enforce_deadline(rnd, now)
    if rnd.status not in (timer.RUNNING, timer.PAUSED):
        raise Conflict("Audio is recorded while the round runs.", reason=rnd.status)
    seat = role_of(rnd, user)
    assert seat is not None  # the caller found the round through the user's seat
    recording = RoundAudio(round_id=rnd.id, user_id=user.id, seat=seat, started_at=now, mime=kind)
    db.session.add(recording)
    db.session.flush()
    return recording


def path_of(folder: Path, recording: RoundAudio) -> Path:
    return folder / str(recording.round_id) / str(recording.id)


def append(rnd: Round, recording: RoundAudio, seq: int, data: bytes, folder: Path, now: datetime) -> None:
    """Add chunk `seq` (0, 1, ...) to the recording's file. A chunk already kept is a retry: nothing
    changes. Refused: a chunk out of order (reason "gap"), past the cap ("full"), or after the lock."""
    if seq < recording.chunks:
        return
    if seq > recording.chunks:
        raise Conflict(
            f"Chunk {recording.chunks} of the recording has not arrived; send it first.",
            reason="gap",
            expected=recording.chunks,
        )
    enforce_deadline(rnd, now)
    if rnd.status == timer.LOCKED and rnd.locked_at is not None and now > rnd.locked_at + audio.LATE_CHUNKS:
        raise Conflict("The round is over; the recording ended with it.", reason="locked")
    if recording.full or recording.size + len(data) > audio.RECORDING_CAP:
        recording.full = True
        raise Conflict(
            f"The recording reached its limit of {audio.RECORDING_CAP // (1024 * 1024)} MB and stopped; "
            "everything recorded until then is kept.",
            reason="full",
        )
    kept = recording.size  # what the database says the file holds
    won = dml(  # two tabs sending the same chunk: one of them writes it
        update(RoundAudio)
        .where(RoundAudio.id == recording.id, RoundAudio.chunks == seq)
        .values(chunks=RoundAudio.chunks + 1, size=RoundAudio.size + len(data))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(recording)
    if not won:
        return
    path = path_of(folder, recording)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as file:
        # Bytes past `kept` are a chunk whose request died before its commit (a crash between the
        # write and the commit): this retry of it replaces them instead of doubling them.
        file.truncate(kept)
        file.write(data)
        file.flush()
        os.fsync(file.fileno())  # kept even if the server dies right after answering


def restore(rnd: Round, user: User, seat: str, started_at: datetime, mime: str, data: bytes, folder: Path) -> None:
    """A recording read from an export file, for a round new to this instance."""
    recording = RoundAudio(
        round_id=rnd.id, user_id=user.id, seat=seat, started_at=started_at, mime=mime, chunks=1, size=len(data)
    )
    db.session.add(recording)
    db.session.flush()
    path = path_of(folder, recording)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def visible(rnd: Round, seat: Seat | None, user: User) -> list[RoundAudio]:
    """The recordings `user` may hear: their own, and the other participant's once the round is
    locked (as a scorecard, each participant's recording is theirs until the round is over)."""
    found = db.session.execute(
        db.select(RoundAudio).where(RoundAudio.round_id == rnd.id).order_by(RoundAudio.started_at, RoundAudio.id)
    ).scalars()
    return [r for r in found if r.user_id == user.id or (seat is not None and rnd.status == timer.LOCKED)]


def forget(folder: Path, round_ids: set[int]) -> None:
    """Delete the recordings' files of rounds that are gone."""
    for round_id in round_ids:
        shutil.rmtree(folder / str(round_id), ignore_errors=True)
