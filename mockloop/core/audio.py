"""A round's optional audio: each participant's own recording, made by the browser's MediaRecorder
and sent in chunks while it runs, so a crash or a closed tab loses at most the last chunk."""

from __future__ import annotations

from datetime import timedelta

CHUNK_SECONDS = 2  # the page sends a chunk this often
BITS_PER_SECOND = 32_000  # Opus speech at 32 kbit/s: about 14 MB an hour
RECORDING_CAP = 64 * 1024 * 1024  # bytes per recording: about 4.5 hours at that rate
CHUNK_LIMIT = 512 * 1024  # bytes per chunk, far above 2 s of speech
MIME_TYPES = frozenset({"audio/webm", "audio/ogg", "audio/mp4"})  # what browsers record (codecs apart)
LATE_CHUNKS = timedelta(seconds=30)  # after the lock, the chunks still on their way are kept


def base_type(mime: str) -> str | None:
    """The container of a MediaRecorder type ("audio/webm;codecs=opus" -> "audio/webm"), if allowed."""
    base = mime.split(";", 1)[0].strip().lower()
    return base if base in MIME_TYPES else None
