"""The work history of a round: every save of a piece of work kept as a revision with its time, so
the replay can show the scratchpad, notes, code and board as they were at any moment.

Stored compactly: a revision is either a full copy of the text or the one edit that turns the
previous revision into it (the changed span between the common prefix and suffix: an autosave
holds about a second of typing, a few characters). A full copy starts a new chain when the edits
since the last one outweigh it or number CHAIN_LIMIT, so rebuilding any revision reads one copy and
a bounded chain. Payloads of ZIP_FROM bytes or more are zlib-compressed (a full copy of code or a
drawing shrinks to a fifth; a typed word would grow by zlib's header).

Each round keeps at most ROUND_CAP bytes of history. Past it the oldest detail is thinned: every
second revision of the older half goes (its neighbours' edits merge), until the history fits in
THIN_TO; the latest revision of each piece, its final state, is never dropped.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

FULL, FULL_ZIPPED, EDIT, EDIT_ZIPPED = b"F", b"f", b"E", b"e"  # the first byte of a stored body
ZIP_FROM = 64
CHAIN_LIMIT = 200
ROUND_CAP = 4 * 1024 * 1024  # bytes of stored history per round (README, Limits)
THIN_TO = ROUND_CAP * 3 // 4  # thinning frees a quarter, so it does not run again at the next save


class Corrupt(ValueError):
    """A stored or imported body that does not rebuild a text (a forged file, a broken row)."""


@dataclass(frozen=True)
class Step:
    """One stored revision of one piece of work."""

    revision: int
    saved_at: datetime
    body: bytes

    @property
    def full(self) -> bool:
        return self.body[:1] in (FULL, FULL_ZIPPED)


def _pack(tag: bytes, zipped: bytes, payload: bytes) -> bytes:
    return zipped + zlib.compress(payload, 6) if len(payload) >= ZIP_FROM else tag + payload


def common_ends(old: str, new: str) -> tuple[int, int]:
    """(prefix, suffix): how many characters the two texts share at their start and their end, the
    suffix not overlapping the prefix. Compared in growing slices, so the work is C-speed."""
    most = min(len(old), len(new))
    prefix, span = 0, 1
    while prefix < most:  # gallop forward while slices match, then narrow the first mismatch
        span = min(span, most - prefix)
        if old[prefix : prefix + span] == new[prefix : prefix + span]:
            prefix += span
            span *= 2
        elif span == 1:
            break
        else:
            span //= 2
    most -= prefix
    suffix, span = 0, 1
    while suffix < most:
        span = min(span, most - suffix)
        if old[len(old) - suffix - span : len(old) - suffix] == new[len(new) - suffix - span : len(new) - suffix]:
            suffix += span
            span *= 2
        elif span == 1:
            break
        else:
            span //= 2
    return prefix, suffix


def encode(previous: str | None, text: str) -> bytes:
    """The body that stores `text`: a full copy (previous None) or the edit from `previous`."""
    if previous is None:
        return _pack(FULL, FULL_ZIPPED, text.encode())
    prefix, suffix = common_ends(previous, text)
    end = len(previous) - suffix
    inserted = text[prefix : len(text) - suffix]
    return _pack(EDIT, EDIT_ZIPPED, f"{prefix},{end},".encode() + inserted.encode())


def apply(previous: str | None, body: bytes) -> str:
    """The text `body` stores, given the revision before it (needed for an edit). Raises Corrupt."""
    tag, payload = body[:1], body[1:]
    try:
        if tag in (FULL_ZIPPED, EDIT_ZIPPED):
            payload = zlib.decompress(payload)
        if tag in (FULL, FULL_ZIPPED):
            return payload.decode()
        if tag not in (EDIT, EDIT_ZIPPED):
            raise Corrupt("unknown kind of revision")
        start, end, inserted = payload.split(b",", 2)
        a, b = int(start), int(end)
        text = inserted.decode()
    except (zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise Corrupt(f"a revision that cannot be read ({exc})") from None
    if previous is None or not 0 <= a <= b <= len(previous):
        raise Corrupt("an edit that does not fit the revision before it")
    return previous[:a] + text + previous[b:]


def texts(steps: Iterable[Step]) -> Iterator[tuple[Step, str]]:
    """Every step with the text it stores, in order; the first must be a full copy."""
    text: str | None = None
    for step in steps:
        text = apply(text, step.body)
        yield step, text


def needs_full(chain_count: int, chain_bytes: int, full_bytes: int) -> bool:
    """Whether the next revision starts a new chain: the edits since the last full copy (of
    full_bytes) are as many as CHAIN_LIMIT, or weigh as much as that copy."""
    return chain_count >= CHAIN_LIMIT or chain_bytes >= full_bytes


def text_at(steps: Sequence[Step], at: datetime) -> str:
    """The text as it was at `at`: that of the last revision saved by then ("" before the first).
    `steps` are one piece's revisions in order, from a full copy at or before that revision on."""
    upto = [s for s in steps if s.saved_at <= at]
    return rebuild(upto) if upto else ""


def rebuild(steps: Sequence[Step]) -> str:
    """The text of the last step, rebuilt from the last full copy before it."""
    start = max((i for i, s in enumerate(steps) if s.full), default=0)
    text = ""
    for rebuilt in texts(steps[start:]):
        text = rebuilt[1]
    return text


def rewrite(steps: Sequence[Step], drop: set[int]) -> list[Step]:
    """The steps with the revisions in `drop` left out and the rest re-encoded (an edit now spans
    what the dropped ones changed), chains cut by needs_full as when they were saved. The last
    step is never dropped: it is the piece's final state."""
    kept: list[Step] = []
    previous: str | None = None
    chain_count = chain_bytes = full_bytes = 0
    last = steps[-1].revision if steps else None
    for step, text in texts(steps):
        if step.revision in drop and step.revision != last:
            continue
        full = previous is None or needs_full(chain_count, chain_bytes, full_bytes)
        body = encode(None if full else previous, text)
        if full:
            chain_count = chain_bytes = 0
            full_bytes = len(body)
        else:
            chain_count, chain_bytes = chain_count + 1, chain_bytes + len(body)
        kept.append(Step(step.revision, step.saved_at, body))
        previous = text
    return kept


@dataclass(frozen=True)
class Entry:
    """A stored revision as the thinning sees it: which piece, which revision, when."""

    kind: str
    revision: int
    saved_at: datetime


def thinning(entries: Sequence[Entry]) -> dict[str, set[int]]:
    """Which revisions to drop, per piece, to thin the oldest detail: the revisions saved in the
    older half of the round's history (by time), every second one of each piece, never a piece's
    latest. Empty when nothing more can go (each piece is down to a few revisions)."""
    ordered = sorted(entries, key=lambda e: (e.saved_at, e.kind, e.revision))
    latest: dict[str, int] = {}
    for e in ordered:
        latest[e.kind] = max(latest.get(e.kind, e.revision), e.revision)
    for share in (2, 1):  # the older half first; when it has nothing left to drop, the whole history
        cutoff = ordered[len(ordered) // share - 1].saved_at if len(ordered) >= share else None
        drop: dict[str, set[int]] = {}
        seen: dict[str, int] = {}
        for e in ordered:
            if cutoff is None or e.saved_at > cutoff or e.revision == latest[e.kind]:
                continue
            seen[e.kind] = seen.get(e.kind, 0) + 1
            if seen[e.kind] % 2 == 0:  # the second, fourth, ...: the first of each piece stays
                drop.setdefault(e.kind, set()).add(e.revision)
        if drop:
            return drop
    return {}


def portable(step: Step) -> dict[str, object]:
    """A step as an export file holds it: {"text": ...} for a full copy, {"edit": [start, end,
    inserted]} for an edit (positions in characters of the revision before)."""
    tag, payload = step.body[:1], step.body[1:]
    if tag in (FULL_ZIPPED, EDIT_ZIPPED):
        payload = zlib.decompress(payload)
    if tag in (FULL, FULL_ZIPPED):
        return {"revision": step.revision, "text": payload.decode()}
    start, end, inserted = payload.split(b",", 2)
    return {"revision": step.revision, "edit": [int(start), int(end), inserted.decode()]}


def from_portable(data: dict[str, Any]) -> bytes:
    """The stored body of a step read from an export file (checked by the caller's validation;
    whether the edits fit their texts is checked by rebuilding them)."""
    if "text" in data:
        return encode(None, data["text"])
    start, end, inserted = data["edit"]
    return _pack(EDIT, EDIT_ZIPPED, f"{start},{end},".encode() + inserted.encode())
