"""The export file format, and strict validation of a file offered for import.

Import trusts nothing: every field is checked for type, range and size before anything is written,
and the first problem is reported with its path (e.g. rounds[2].events[0].at).
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Collection
from datetime import datetime, timedelta, timezone
from typing import Any, Literal, NoReturn, overload

from mockloop.core import audio, revisions, stories
from mockloop.core.board import PEN_KINDS, check_scene
from mockloop.core.errors import Invalid
from mockloop.core.loop import KEY_RE, LEVELS, SLUG_RE
from mockloop.core.replay import MARKER_LIMIT, MARKERS_PER_ROUND
from mockloop.core.timer import KINDS
from mockloop.core.vocabulary import WorkKind
from mockloop.core.work import (
    LANGUAGE_IDS,
    RULES,
    RUN,
    RUN_KINDS,
    RUN_OUTCOMES,
    RUN_OUTPUT_LIMIT,
    RUNS_PER_ROUND,
)

# Version 2 adds each round's work history and the interviewer's markers; files of version 1 (without
# them) are still read.
FORMAT, VERSION = "mockloop-export", 2
VERSIONS = (1, 2)
RECORDINGS_PER_ROUND = 100
HISTORY_STEPS = 100_000  # revisions of one piece: a 4-hour take-home typed at one save a second is 14,400
MAX_ROUNDS = 20_000
MAX_STORIES, MAX_DRILLS, MAX_TAGS = 2_000, 5_000, 100
TEXT_LIMIT = 200_000
FILE_LIMIT = 20 * 1024 * 1024  # bytes; an export of years of practice is a few MB
MAX_DEPTH = 32  # an export nests about 10 levels (rounds, cards, rubric, dimensions, levels)
DAY_MINUTES = 24 * 60  # the longest round, phase or extension there can be
# Times a real export can hold: nothing before this product's data could exist, nothing far ahead.
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
AHEAD = timedelta(days=2 * 366)


def _fail(path: str, expected: str) -> NoReturn:
    raise Invalid(f"{path}: expected {expected}")


def decode(raw: bytes, limit: int | None = FILE_LIMIT) -> Any:
    """The parsed JSON of an import file (the web form and the CLI both read files through here).

    Raises Invalid for a file too big, not UTF-8 JSON, with NaN or Infinity, or nested deeper
    than MAX_DEPTH (checked before parsing: Python's parser raises RecursionError on deep input).
    """
    if limit is not None and len(raw) > limit:
        _fail("file", f"at most {limit // (1024 * 1024)} MB")
    if _deeper_than(raw, MAX_DEPTH):
        _too_deep()
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(f"file: expected JSON ({exc})") from None
    except RecursionError:  # brackets the pre-check could not pair up (not JSON anyway), nested deep
        _too_deep()


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # escapes included; unrolled, for speed
# Keeps only brackets, as [ and ]: bytes.translate and bytes.replace run at C speed, where walking
# a parsed 20 MB file of small lists in Python took seconds.
_SQUARE = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


def _deeper_than(raw: bytes, limit: int) -> bool:
    """Whether the JSON text nests lists and objects more than `limit` levels deep. Each pass
    removes every innermost pair, so a text `limit` deep is empty after `limit` passes."""
    brackets = _JSON_STRING.sub(b"", raw).translate(_SQUARE, _NOT_BRACKETS)
    for _ in range(limit):
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            return False  # empty, or unbalanced: then not JSON, which the parser reports
        brackets = shorter
    return bool(brackets)


def _no_constant(name: str) -> NoReturn:
    raise Invalid(f"file: expected JSON numbers, not {name}")


def _too_deep() -> NoReturn:
    raise Invalid(f"file: expected JSON nested at most {MAX_DEPTH} levels deep")


def _obj(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        _fail(path, "an object")
    return value


def _list(value: object, path: str, limit: int = MAX_ROUNDS) -> list[Any]:
    if not isinstance(value, list) or len(value) > limit:
        _fail(path, f"a list of at most {limit:,} items")
    return value


# optional=True is the only way to get None back, so required fields come back as str.
@overload
def _str(
    data: dict[str, Any],
    key: str,
    path: str,
    limit: int = 200,
    optional: Literal[False] = False,
    choices: Collection[str] | None = None,
) -> str: ...


@overload
def _str(
    data: dict[str, Any],
    key: str,
    path: str,
    limit: int = 200,
    *,
    optional: Literal[True],
    choices: Collection[str] | None = None,
) -> str | None: ...


def _str(
    data: dict[str, Any],
    key: str,
    path: str,
    limit: int = 200,
    optional: bool = False,
    choices: Collection[str] | None = None,
) -> str | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if (
        not isinstance(value, str)
        or len(value) > limit
        or (choices is not None and value not in choices)
        or not _storable(value)
    ):
        _fail(f"{path}.{key}", f"one of {', '.join(choices)}" if choices else f"text of at most {limit:,} characters")
    return value.replace("\x00", "")  # dropped, as from every form and JSON body (PostgreSQL refuses them)


def _storable(value: str) -> bool:
    """Text a database can hold: JSON may spell a lone surrogate (\\ud800), which UTF-8 cannot."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _int(data: dict[str, Any], key: str, path: str, low: int, high: int) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        _fail(f"{path}.{key}", f"a whole number from {low} to {high}")
    return value


def _num(data: dict[str, Any], key: str, path: str, low: float, high: float) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        _fail(f"{path}.{key}", f"a number from {low} to {high}")
    return float(value)


@overload
def _time(data: dict[str, Any], key: str, path: str, now: datetime, optional: Literal[False] = False) -> datetime: ...


@overload
def _time(data: dict[str, Any], key: str, path: str, now: datetime, optional: Literal[True]) -> datetime | None: ...


def _time(data: dict[str, Any], key: str, path: str, now: datetime, optional: bool = False) -> datetime | None:
    """An aware UTC time from 2000 to two years after `now`: year 1 or 9999 would overflow on the
    way to UTC or when a deadline is added to it."""
    value: Any = data.get(key)  # anything JSON holds; a non-string fails in the try below
    if value is None and optional:
        return None
    expected = f"an ISO 8601 time with a time zone, from {EARLIEST.year} to {(now + AHEAD).year}"
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00")) if len(value) <= 40 else None
        if parsed is None or parsed.tzinfo is None:
            _fail(f"{path}.{key}", expected)
        parsed = parsed.astimezone(timezone.utc)
    except (AttributeError, TypeError, ValueError, OverflowError):
        _fail(f"{path}.{key}", expected)
    if not EARLIEST <= parsed <= now + AHEAD:
        _fail(f"{path}.{key}", expected)
    return parsed


def _uid(data: dict[str, Any], path: str) -> str:
    value = _str(data, "uid", path, limit=36)
    if len(value) < 8:
        _fail(f"{path}.uid", "an identifier of 8-36 characters")
    return value


def validate(doc: object, now: datetime) -> dict[str, Any]:
    """Check a parsed export document; return it with times parsed. Raises Invalid.

    `now` bounds the times: none may lie more than two years after it.
    """
    doc = _obj(doc, "file")
    if doc.get("format") != FORMAT or doc.get("version") not in VERSIONS:
        _fail("file", f'a mockloop export ("format": "{FORMAT}", "version": {VERSION})')
    rounds, round_uids, card_uids = [], set(), set()
    for i, raw in enumerate(_list(doc.get("rounds"), "rounds")):
        path = f"rounds[{i}]"
        r = _obj(raw, path)
        plan = _plan(r, path)
        events = []
        for j, e in enumerate(_list(r.get("events"), f"{path}.events", limit=10_000)):
            epath = f"{path}.events[{j}]"
            e = _obj(e, epath)
            events.append(
                {
                    "kind": _str(e, "kind", epath, choices=KINDS + PEN_KINDS),  # the timer's, the pen's
                    "at": _time(e, "at", epath, now),
                    "recorded_at": _time(e, "recorded_at", epath, now),
                    "minutes": _num(e, "minutes", epath, 0, DAY_MINUTES),
                    "actor": _str(e, "actor", epath, optional=True, choices=("me", "peer")),
                }
            )
        my_role = _str(r, "my_role", path, choices=("candidate", "interviewer"))
        cards = [
            _card(c, f"{path}.scorecards[{j}]", now)
            for j, c in enumerate(_list(r.get("scorecards"), f"{path}.scorecards", limit=10))
        ]
        _check_reviewers(cards, my_role, path)
        uid = _uid(r, path)
        if uid in round_uids:
            _fail(f"{path}.uid", "a uid no other round of the file has")
        round_uids.add(uid)
        for j, c in enumerate(cards):
            if c["uid"] in card_uids:
                _fail(f"{path}.scorecards[{j}].uid", "a uid no other scorecard of the file has")
            card_uids.add(c["uid"])
        rounds.append(
            {
                "uid": uid,
                "stage": _str(r, "stage", path, 64),
                "prompt_slug": _str(r, "prompt_slug", path, 100),
                "prompt_title": _str(r, "prompt_title", path, 200),
                "minutes": _int(r, "minutes", path, 1, DAY_MINUTES),
                "plan": plan,
                "mode": _str(r, "mode", path, choices=("solo", "peer")),
                "my_role": my_role,
                "created_at": _time(r, "created_at", path, now),
                "scratchpad": _str(r, "scratchpad", path, TEXT_LIMIT),
                "scratchpad_saved_at": _time(r, "scratchpad_saved_at", path, now, optional=True),
                "interviewer_notes": _str(r, "interviewer_notes", path, TEXT_LIMIT, optional=True) or "",
                "code": _code(r.get("code"), f"{path}.code", now),
                "board": _board(r.get("board"), f"{path}.board", now),
                "ai_chat": _chat(r.get("ai_chat"), f"{path}.ai_chat", now) if my_role == "candidate" else None,
                "runs": [
                    _run(x, f"{path}.runs[{j}]", now)
                    for j, x in enumerate(_list(r.get("runs", []), f"{path}.runs", RUNS_PER_ROUND))
                ],
                "history": _history(r.get("history", {}), f"{path}.history", now),
                "audio": [
                    _recording(a, f"{path}.audio[{j}]", now)
                    for j, a in enumerate(_list(r.get("audio", []), f"{path}.audio", RECORDINGS_PER_ROUND))
                ],
                "markers": [
                    _marker(m, f"{path}.markers[{j}]", now)
                    for j, m in enumerate(_list(r.get("markers", []), f"{path}.markers", MARKERS_PER_ROUND))
                ],
                "events": events,
                "scorecards": cards,
            }
        )
    bank, story_uids = [], set()
    for i, raw in enumerate(_list(doc.get("stories", []), "stories", MAX_STORIES)):  # files before the bank: none
        story = _story(raw, f"stories[{i}]", now)
        if story["uid"] in story_uids:
            _fail(f"stories[{i}].uid", "a uid no other story of the file has")
        story_uids.add(story["uid"])
        bank.append(story)
    return {"rounds": rounds, "stories": bank}


def _names(value: object, path: str, shape: re.Pattern[str], limit: int) -> list[str]:
    """A story's tags: rubric keys or prompt slugs, each once (they may name what this loop lacks)."""
    items = _list(value, path, MAX_TAGS)
    if not all(isinstance(v, str) and len(v) <= limit and shape.fullmatch(v) for v in items) or len(set(items)) != len(
        items
    ):
        _fail(path, f"a list of distinct names (lowercase, at most {limit} characters)")
    return items


def _story(raw: object, path: str, now: datetime) -> dict[str, Any]:
    s = _obj(raw, path)
    title = _str(s, "title", path, stories.TITLE_LIMIT).strip()
    if not title:
        _fail(f"{path}.title", "a title that is not blank")
    drills = []
    for j, d in enumerate(_list(s.get("drills"), f"{path}.drills", MAX_DRILLS)):
        dpath = f"{path}.drills[{j}]"
        d = _obj(d, dpath)
        ratings = d.get("ratings")
        if ratings is not None and not (
            isinstance(ratings, dict)
            and len(ratings) <= MAX_TAGS
            and all(isinstance(k, str) and KEY_RE.fullmatch(k) for k in ratings)
            and all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= LEVELS for v in ratings.values())
        ):
            _fail(f"{dpath}.ratings", f"an object of rubric keys and levels 1-{LEVELS}, or null")
        drills.append(
            {
                "started_at": _time(d, "started_at", dpath, now),
                "limit_seconds": _int(d, "limit_seconds", dpath, stories.DRILL_MIN_SECONDS, stories.DRILL_MAX_SECONDS),
                "cue": _str(d, "cue", dpath, choices=tuple(stories.CUES)),
                "finished_at": _time(d, "finished_at", dpath, now, optional=True),
                "ratings": ratings,
                "rated_at": _time(d, "rated_at", dpath, now, optional=True),
            }
        )
    told_in = _list(s.get("told_in", []), f"{path}.told_in", MAX_DRILLS)
    if not all(isinstance(u, str) and 8 <= len(u) <= 36 for u in told_in):
        _fail(f"{path}.told_in", "a list of round uids")
    return {
        "uid": _uid(s, path),
        "title": title,
        **{key: _str(s, key, path, stories.PART_LIMIT) for key in stories.PART_KEYS},
        "dimensions": _names(s.get("dimensions"), f"{path}.dimensions", KEY_RE, 64),
        "prompts": _names(s.get("prompts"), f"{path}.prompts", SLUG_RE, 100),
        "created_at": _time(s, "created_at", path, now),
        "saved_at": _time(s, "saved_at", path, now),
        "drills": drills,
        "told_in": told_in,
    }


def _code(raw: object, path: str, now: datetime) -> dict[str, Any] | None:
    """The round's code, when it had a code workspace (files from before the editor have none)."""
    if raw is None:
        return None
    code = _obj(raw, path)
    return {
        "text": _str(code, "text", path, RULES[WorkKind.CODE].limit),
        "language": _str(code, "language", path, choices=LANGUAGE_IDS),
        "saved_at": _time(code, "saved_at", path, now, optional=True),
    }


def _board(raw: object, path: str, now: datetime) -> dict[str, Any] | None:
    """The round's whiteboard drawing, when it had one: checked as a save is (core/board.py)."""
    if raw is None:
        return None
    board = _obj(raw, path)
    text = _str(board, "text", path, RULES[WorkKind.BOARD].limit)
    try:
        check_scene(text)
    except Invalid as exc:
        _fail(f"{path}.text", f"a drawing the board can keep ({exc.message})")
    return {"text": text, "saved_at": _time(board, "saved_at", path, now, optional=True)}


def _history(raw: object, path: str, now: datetime) -> dict[str, list[revisions.Step]]:
    """Each piece's kept revisions (core/revisions.py), rebuilt to check that every edit fits the
    text before it and no text outgrows its piece's limit; stored as they are rebuilt."""
    out = {}
    for kind, steps in _obj(raw, path).items():
        if kind not in RULES:
            _fail(f"{path}.{kind}", f"one of {', '.join(RULES)}")
        kpath, limit = f"{path}.{kind}", RULES[WorkKind(kind)].limit
        parsed: list[revisions.Step] = []
        for j, raw_step in enumerate(_list(steps, kpath, HISTORY_STEPS)):
            spath = f"{kpath}[{j}]"
            step = _obj(raw_step, spath)
            revision = _int(step, "revision", spath, 1, 2**31 - 1)
            if parsed and revision <= parsed[-1].revision:
                _fail(f"{spath}.revision", "a revision after the one before it")
            part: dict[str, Any]
            if "text" in step:
                part = {"text": _str(step, "text", spath, limit)}
            else:
                edit = step.get("edit")
                if not (
                    isinstance(edit, list)
                    and len(edit) == 3
                    and all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= limit for n in edit[:2])
                    and isinstance(edit[2], str)
                    and len(edit[2]) <= limit
                    and _storable(edit[2])
                ):
                    _fail(f"{spath}", 'a "text", or an "edit" of [start, end, inserted text]')
                part = {"edit": [edit[0], edit[1], edit[2].replace("\x00", "")]}
            parsed.append(revisions.Step(revision, _time(step, "saved_at", spath, now), revisions.from_portable(part)))
        try:
            for kept, text in revisions.texts(parsed):
                if len(text) > limit:
                    _fail(kpath, f"revisions of at most {limit:,} characters (revision {kept.revision})")
        except revisions.Corrupt as exc:
            _fail(kpath, f"revisions that rebuild their texts ({exc})")
        out[kind] = parsed
    return out


def _recording(raw: object, path: str, now: datetime) -> dict[str, Any]:
    """One of the exporter's audio recordings (exported with the audio flag): its sound as base64."""
    a = _obj(raw, path)
    mime = _str(a, "mime", path, 32, choices=sorted(audio.MIME_TYPES))
    encoded = a.get("data")
    limit = audio.RECORDING_CAP * 4 // 3 + 4
    try:
        if not isinstance(encoded, str) or len(encoded) > limit:
            raise ValueError
        data = base64.b64decode(encoded, validate=True)
    except ValueError:
        _fail(f"{path}.data", f"the recording as base64, at most {audio.RECORDING_CAP // (1024 * 1024)} MB")
    return {"started_at": _time(a, "started_at", path, now), "mime": mime, "data": data}


def _marker(raw: object, path: str, now: datetime) -> dict[str, Any]:
    m = _obj(raw, path)
    text = _str(m, "text", path, MARKER_LIMIT).strip()
    if not text:
        _fail(f"{path}.text", "a few words")
    return {"at": _time(m, "at", path, now), "text": text}


def _chat(raw: object, path: str, now: datetime) -> dict[str, Any] | None:
    """The round's AI interviewer conversation (core/ai_interviewer.py), message by message."""
    if raw is None:
        return None
    chat = _obj(raw, path)
    messages = []
    for j, m in enumerate(_list(chat.get("messages"), f"{path}.messages", limit=2_000)):
        mpath = f"{path}.messages[{j}]"
        m = _obj(m, mpath)
        messages.append(
            {
                "role": _str(m, "role", mpath, choices=("user", "assistant")),
                "text": _str(m, "text", mpath, 20_000),
                "at": _time(m, "at", mpath, now).isoformat(),
                "hint": _int(m, "hint", mpath, 1, 99) if m.get("hint") is not None else None,
            }
        )
    return {"messages": messages, "saved_at": _time(chat, "saved_at", path, now, optional=True)}


def _runs(raw: object, path: str, now: datetime) -> list[dict[str, Any]]:
    return [_run(x, f"{path}[{j}]", now) for j, x in enumerate(_list(raw, path, RUNS_PER_ROUND))]


def _run(raw: object, path: str, now: datetime) -> dict[str, Any]:
    run = _obj(raw, path)
    return {
        "at": _time(run, "at", path, now),
        "language": _str(run, "language", path, choices=LANGUAGE_IDS),
        "outcome": _str(run, "outcome", path, choices=RUN_OUTCOMES),
        "duration_ms": _int(run, "duration_ms", path, 0, 3_600_000),
        "stdout": _str(run, "stdout", path, RUN_OUTPUT_LIMIT),
        "stderr": _str(run, "stderr", path, RUN_OUTPUT_LIMIT),
        "truncated": run.get("truncated") is True,
        "kind": _str(run, "kind", path, choices=RUN_KINDS, optional=True) or RUN,
        "level": _int(run, "level", path, 1, 99) if run.get("level") is not None else None,
        **_counts(run, path),
    }


def _counts(run: dict[str, Any], path: str) -> dict[str, int | None]:
    if run.get("tests_total") is None:
        return {"tests_passed": None, "tests_total": None}
    total = _int(run, "tests_total", path, 0, 10_000)
    return {"tests_passed": _int(run, "tests_passed", path, 0, total), "tests_total": total}


def _plan(r: dict[str, Any], path: str) -> list[Any]:
    """[[phase name, minutes], ...]: finite, positive minutes (1e999 parses as infinity), one day in all."""
    plan = _list(r.get("plan"), f"{path}.plan", limit=50)
    for j, phase in enumerate(plan):
        if not (
            isinstance(phase, list)
            and len(phase) == 2
            and isinstance(phase[0], str)
            and len(phase[0]) <= 200
            and _storable(phase[0])
            and "\x00" not in phase[0]
            and isinstance(phase[1], (int, float))
            and not isinstance(phase[1], bool)
            and math.isfinite(phase[1])
            and 0 < phase[1] <= DAY_MINUTES
        ):
            _fail(f"{path}.plan[{j}]", f"[phase name, minutes from 0 to {DAY_MINUTES}]")
    if sum(minutes for _, minutes in plan) > DAY_MINUTES:
        _fail(f"{path}.plan", f"phases of at most {DAY_MINUTES} minutes in all")
    return plan


def _check_reviewers(cards: list[dict[str, Any]], my_role: str, path: str) -> None:
    """A round has at most one card per reviewer, and each reviewer's card is for their own seat:
    the candidate's is "self", the interviewer's "interviewer" (two self cards would be a 500), the
    AI reviewer's "ai" (in the candidate's file only: it is theirs alone)."""
    mine = "self" if my_role == "candidate" else "interviewer"
    seen = set()
    for j, c in enumerate(cards):
        if c["reviewer"] == "ai" and my_role != "candidate":
            _fail(f"{path}.scorecards[{j}].reviewer", '"me" or "peer" (an AI card belongs to the candidate\'s file)')
        expected = (
            "ai"
            if c["reviewer"] == "ai"
            else mine
            if c["reviewer"] == "me"
            else ({"self", "interviewer"} - {mine}).pop()
        )
        if c["role"] != expected:
            _fail(f"{path}.scorecards[{j}].role", f'"{expected}" (the {c["reviewer"]} reviewer\'s seat in the round)')
        if c["reviewer"] in seen:
            _fail(f"{path}.scorecards[{j}]", "at most one scorecard per reviewer in a round")
        seen.add(c["reviewer"])


def _card(raw: object, path: str, now: datetime) -> dict[str, Any]:
    c = _obj(raw, path)
    rubric = _rubric(_obj(c.get("rubric"), f"{path}.rubric"), f"{path}.rubric")
    keys = {d["key"] for d in rubric["dimensions"]}
    recommendation = rubric["recommendation"]
    scores, scored = [], set()
    for k, s in enumerate(_list(c.get("scores"), f"{path}.scores", limit=30)):
        spath = f"{path}.scores[{k}]"
        s = _obj(s, spath)
        dim = _str(s, "dimension", spath, 64, choices=sorted(keys))
        if dim in scored:
            _fail(f"{spath}.dimension", "each dimension scored once")
        scored.add(dim)
        scores.append(
            {
                "dimension": dim,
                "position": _int(s, "position", spath, 0, 30),
                "level": _int(s, "level", spath, 1, LEVELS),
                "evidence": _str(s, "evidence", spath, 5_000),
                "scored_at": _time(s, "scored_at", spath, now),
            }
        )
    status = _str(c, "status", path, choices=("draft", "submitted"))
    submitted_at = _time(c, "submitted_at", path, now, optional=True)
    if status == "submitted" and (submitted_at is None or len(scores) != len(keys)):
        _fail(path, "a submitted scorecard with a time and a score for every dimension")
    overall = _str(c, "overall", path, 32, optional=True)
    if overall is not None and overall not in {r["key"] for r in recommendation}:
        _fail(f"{path}.overall", "a key of the rubric's recommendation scale")
    return {
        "uid": _uid(c, path),
        "role": _str(c, "role", path, choices=("self", "interviewer", "ai")),
        "reviewer": _str(c, "reviewer", path, choices=("me", "peer", "ai")),
        "reviewer_name": _str(c, "reviewer_name", path, 80),
        "status": status,
        "overall": overall,
        "keep": _str(c, "keep", path, 2_000),
        "stop": _str(c, "stop", path, 2_000),
        "start": _str(c, "start", path, 2_000),
        "rubric": rubric,
        "created_at": _time(c, "created_at", path, now),
        "submitted_at": submitted_at,
        "scores": scores,
    }


def _rubric(rubric: dict[str, Any], path: str) -> dict[str, Any]:
    """The rubric snapshot rebuilt from its checked fields only: nothing else in the file is stored."""
    dims, keys = [], set()
    for k, d in enumerate(_list(rubric.get("dimensions"), f"{path}.dimensions", limit=30)):
        dpath = f"{path}.dimensions[{k}]"
        d = _obj(d, dpath)
        key = _str(d, "key", dpath, 64)
        if key in keys:
            _fail(f"{dpath}.key", "a key no other dimension has")
        keys.add(key)
        levels = _list(d.get("levels"), f"{dpath}.levels", limit=LEVELS)
        if len(levels) != LEVELS or not all(
            isinstance(t, str) and len(t) < 2000 and _storable(t) and "\x00" not in t for t in levels
        ):
            _fail(f"{dpath}.levels", f"{LEVELS} level descriptions")
        dims.append({"key": key, "name": _str(d, "name", dpath, 200), "levels": list(levels)})
    recommendation = []
    for k, rec in enumerate(_list(rubric.get("recommendation"), f"{path}.recommendation", limit=10)):
        rpath = f"{path}.recommendation[{k}]"
        recommendation.append({"key": _str(_obj(rec, rpath), "key", rpath, 32), "label": _str(rec, "label", rpath, 64)})
    return {
        "stage": _str(rubric, "stage", path, 64),
        "stage_title": _str(rubric, "stage_title", path, 200),
        "dimensions": dims,
        "recommendation": recommendation,
    }
