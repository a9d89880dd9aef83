"""The export file format, and strict validation of a file offered for import.

Import trusts nothing: every field is checked for type, range and size before anything is written,
and the first problem is reported with its path (e.g. rounds[2].events[0].at).
"""
from __future__ import annotations

from datetime import datetime

from .loop import LEVELS
from .timer import KINDS

FORMAT, VERSION = "mockloop-export", 1
MAX_ROUNDS = 20_000
TEXT_LIMIT = 200_000


class ImportError_(ValueError):
    """The file cannot be imported; nothing was changed."""


def _fail(path: str, expected: str):
    raise ImportError_(f"{path}: expected {expected}")


def _obj(value, path: str) -> dict:
    if not isinstance(value, dict):
        _fail(path, "an object")
    return value


def _list(value, path: str, limit: int = MAX_ROUNDS) -> list:
    if not isinstance(value, list) or len(value) > limit:
        _fail(path, f"a list of at most {limit:,} items")
    return value


def _str(data: dict, key: str, path: str, limit: int = 200, optional: bool = False, choices=None) -> str | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > limit or (choices is not None and value not in choices):
        _fail(f"{path}.{key}", f"one of {', '.join(choices)}" if choices else f"text of at most {limit:,} characters")
    return value


def _int(data: dict, key: str, path: str, low: int, high: int) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        _fail(f"{path}.{key}", f"a whole number from {low} to {high}")
    return value


def _num(data: dict, key: str, path: str, low: float, high: float) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        _fail(f"{path}.{key}", f"a number from {low} to {high}")
    return float(value)


def _time(data: dict, key: str, path: str, optional: bool = False) -> datetime | None:
    value = data.get(key)
    if value is None and optional:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        _fail(f"{path}.{key}", "an ISO 8601 time with a time zone")
    if parsed.tzinfo is None:
        _fail(f"{path}.{key}", "an ISO 8601 time with a time zone")
    return parsed


def _uid(data: dict, path: str) -> str:
    value = _str(data, "uid", path, limit=36)
    if len(value) < 8:
        _fail(f"{path}.uid", "an identifier of 8-36 characters")
    return value


def validate(doc) -> dict:
    """Check a parsed export document; return it with times parsed. Raises ImportError_."""
    doc = _obj(doc, "file")
    if doc.get("format") != FORMAT or doc.get("version") != VERSION:
        _fail("file", f'a mockloop export ("format": "{FORMAT}", "version": {VERSION})')
    rounds = []
    for i, raw in enumerate(_list(doc.get("rounds"), "rounds")):
        path = f"rounds[{i}]"
        r = _obj(raw, path)
        plan = _list(r.get("plan"), f"{path}.plan", limit=50)
        for j, phase in enumerate(plan):
            if not (isinstance(phase, list) and len(phase) == 2 and isinstance(phase[0], str)
                    and isinstance(phase[1], (int, float)) and not isinstance(phase[1], bool) and phase[1] > 0):
                _fail(f"{path}.plan[{j}]", "[phase name, minutes]")
        events = []
        for j, e in enumerate(_list(r.get("events"), f"{path}.events", limit=10_000)):
            epath = f"{path}.events[{j}]"
            e = _obj(e, epath)
            events.append({"kind": _str(e, "kind", epath, choices=KINDS), "at": _time(e, "at", epath),
                           "recorded_at": _time(e, "recorded_at", epath),
                           "minutes": _num(e, "minutes", epath, 0, 24 * 60),
                           "actor": _str(e, "actor", epath, optional=True, choices=("me", "peer"))})
        cards = [_card(c, f"{path}.scorecards[{j}]")
                 for j, c in enumerate(_list(r.get("scorecards"), f"{path}.scorecards", limit=10))]
        rounds.append({
            "uid": _uid(r, path), "stage": _str(r, "stage", path, 64), "prompt_slug": _str(r, "prompt_slug", path, 100),
            "prompt_title": _str(r, "prompt_title", path, 200), "minutes": _int(r, "minutes", path, 1, 24 * 60),
            "plan": plan, "mode": _str(r, "mode", path, choices=("solo", "peer")),
            "my_role": _str(r, "my_role", path, choices=("candidate", "interviewer")),
            "created_at": _time(r, "created_at", path),
            "scratchpad": _str(r, "scratchpad", path, TEXT_LIMIT),
            "scratchpad_saved_at": _time(r, "scratchpad_saved_at", path, optional=True),
            "interviewer_notes": _str(r, "interviewer_notes", path, TEXT_LIMIT, optional=True) or "",
            "events": events, "scorecards": cards})
    return {"rounds": rounds}


def _card(raw, path: str) -> dict:
    c = _obj(raw, path)
    rubric = _obj(c.get("rubric"), f"{path}.rubric")
    dims = _list(rubric.get("dimensions"), f"{path}.rubric.dimensions", limit=30)
    keys = set()
    for k, d in enumerate(dims):
        dpath = f"{path}.rubric.dimensions[{k}]"
        d = _obj(d, dpath)
        keys.add(_str(d, "key", dpath, 64))
        _str(d, "name", dpath, 200)
        levels = _list(d.get("levels"), f"{dpath}.levels", limit=LEVELS)
        if len(levels) != LEVELS or not all(isinstance(t, str) and len(t) < 2000 for t in levels):
            _fail(f"{dpath}.levels", f"{LEVELS} level descriptions")
    recommendation = _list(rubric.get("recommendation"), f"{path}.rubric.recommendation", limit=10)
    for k, rec in enumerate(recommendation):
        rpath = f"{path}.rubric.recommendation[{k}]"
        _str(_obj(rec, rpath), "key", rpath, 32)
        _str(rec, "label", rpath, 64)
    _str(rubric, "stage", f"{path}.rubric", 64)
    _str(rubric, "stage_title", f"{path}.rubric", 200)
    scores = []
    for k, s in enumerate(_list(c.get("scores"), f"{path}.scores", limit=30)):
        spath = f"{path}.scores[{k}]"
        s = _obj(s, spath)
        dim = _str(s, "dimension", spath, 64, choices=sorted(keys))
        scores.append({"dimension": dim, "position": _int(s, "position", spath, 0, 30),
                       "level": _int(s, "level", spath, 1, LEVELS), "evidence": _str(s, "evidence", spath, 5_000),
                       "scored_at": _time(s, "scored_at", spath)})
    status = _str(c, "status", path, choices=("draft", "submitted"))
    submitted_at = _time(c, "submitted_at", path, optional=True)
    if status == "submitted" and (submitted_at is None or len(scores) != len(keys)):
        _fail(path, "a submitted scorecard with a time and a score for every dimension")
    overall = _str(c, "overall", path, 32, optional=True)
    if overall is not None and overall not in {r["key"] for r in recommendation}:
        _fail(f"{path}.overall", "a key of the rubric's recommendation scale")
    return {"uid": _uid(c, path), "role": _str(c, "role", path, choices=("self", "interviewer")),
            "reviewer": _str(c, "reviewer", path, choices=("me", "peer")),
            "reviewer_name": _str(c, "reviewer_name", path, 80), "status": status, "overall": overall,
            "keep": _str(c, "keep", path, 2_000), "stop": _str(c, "stop", path, 2_000),
            "start": _str(c, "start", path, 2_000), "rubric": rubric, "created_at": _time(c, "created_at", path),
            "submitted_at": submitted_at, "scores": scores}
