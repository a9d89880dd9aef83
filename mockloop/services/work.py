"""Saving the work of a round (core/work.py): every piece by the same rule (a save names the revision
it was written on; the deadline closes the candidate's work) and the runs of the candidate's code."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from mockloop.core import board, levels, timer
from mockloop.core.catalog import Prompt
from mockloop.core.code_tests import CodeTest, current_level, json_equal
from mockloop.core.errors import Conflict, Invalid, NotFound
from mockloop.core.vocabulary import WorkKind
from mockloop.core.work import (
    DEFAULT_LANGUAGE,
    LANGUAGE_IDS,
    MOVE_ON,
    RULES,
    RUN,
    RUNS_PER_ROUND,
    SUBMIT,
    RunReport,
)
from mockloop.db import db, dml
from mockloop.db.models import Round, RoundRun, RoundWork
from mockloop.services import revisions as work_history
from mockloop.services.lifecycle import enforce_deadline
from mockloop.services.rounds import bump

# The save path's statements, built once: every autosave of every round runs them, and building a
# statement (and its cache key) costs more than SQLite takes to run it. On the tables, not the ORM
# classes: nothing here loads objects, and the ORM's bulk-update layer is a cost of its own.
_ROUNDS, _WORK = cast(Table, Round.__table__), cast(Table, RoundWork.__table__)
# (Not named after a column: an UPDATE takes such parameters as values to set.)
_PIECE = (_WORK.c.round_id == bindparam("piece_round")) & (_WORK.c.kind == bindparam("piece_kind"))
_BODY_AT = select(_WORK.c.body).where(_PIECE, _WORK.c.revision == bindparam("revision"))
_BUMP_IF_OPEN = (
    update(_ROUNDS)
    .where(
        _ROUNDS.c.id == bindparam("round_id"),
        _ROUNDS.c.status.in_((timer.RUNNING, timer.PAUSED)),
        _ROUNDS.c.deadline_at.is_(None) | (_ROUNDS.c.deadline_at > bindparam("now")),
    )
    .values(version=_ROUNDS.c.version + 1)  # the state's ETag: a live viewer fetches the new copy
)
# body, saved_at (and language, when the save names one) come with the parameters.
_WRITE = (
    update(_WORK).where(_PIECE, _WORK.c.revision == bindparam("base_revision")).values(revision=_WORK.c.revision + 1)
)


def piece(rnd: Round, kind: WorkKind) -> RoundWork | None:
    """The stored piece as the database has it now (another request may have saved since it was loaded)."""
    return db.session.execute(
        db.select(RoundWork).filter_by(round_id=rnd.id, kind=kind).execution_options(populate_existing=True)
    ).scalar_one_or_none()


def save(
    rnd: Round, kind: WorkKind, text: str, base_revision: int, now: datetime, *, language: str | None = None
) -> int:
    """Store `text` if it was written on the latest revision (and, for the candidate's work, before
    the deadline); return the new revision. A refused save raises Conflict and changes nothing."""
    rule = RULES[kind]
    if len(text) > rule.limit:
        raise Invalid(f"{rule.label.capitalize()} can hold at most {rule.limit:,} characters.", field="text")
    if language is not None and language not in LANGUAGE_IDS:
        raise Invalid(f"Unknown language {language!r}.", field="language")
    if kind == WorkKind.BOARD:
        board.check_scene(text)  # links, embeds and pasted images a viewer must not get
    # Read before the savepoint: on SQLite the savepoint opens the transaction, and a read inside it
    # before its first write holds a snapshot that the write then cannot upgrade if another request
    # committed meanwhile ("database is locked" at once, with no busy wait). The text of a revision
    # never changes, so reading it early is reading it at the write; a write that loses drops it.
    previous = _body_at(rnd, kind, base_revision)
    point = db.session.begin_nested()  # a save that loses leaves no trace, not even the version bump
    # Locking the round's row first (PostgreSQL re-checks the condition on the newest row) decides a
    # save racing the lock or "End early" by one order, on either engine.
    still_open = not rule.closes_at_deadline or _bump_if_open(rnd, now)
    if still_open and _write(rnd, kind, text, base_revision, now, language):
        work_history.keep(rnd, kind, previous, text, base_revision + 1, now)  # kept for the replay
        point.commit()
        _expire(rnd, kind)
        return base_revision + 1
    point.rollback()
    _expire(rnd, kind)
    enforce_deadline(rnd, now)
    raise _refusal(rnd, kind, now)


def _body_at(rnd: Round, kind: WorkKind, revision: int) -> str | None:
    """The text of `revision` as stored now (None for a first save, or if it is no longer the
    latest: then the write below loses and nothing is kept)."""
    if revision == 0:
        return None
    return db.session.execute(
        _BODY_AT, {"piece_round": rnd.id, "piece_kind": kind, "revision": revision}
    ).scalar_one_or_none()


def _expire(rnd: Round, kind: WorkKind) -> None:
    """The UPDATEs bypassed the ORM: what this session loaded re-reads the database when next used."""
    db.session.expire(rnd, ["version", "work"])
    loaded = db.session.identity_map.get(db.session.identity_key(RoundWork, (rnd.id, kind)))  # type: ignore[arg-type]
    if loaded is not None:
        db.session.expire(loaded)


def _bump_if_open(rnd: Round, now: datetime) -> bool:
    return bool(dml(_BUMP_IF_OPEN, {"round_id": rnd.id, "now": now}).rowcount)


def _write(rnd: Round, kind: WorkKind, text: str, base_revision: int, now: datetime, language: str | None) -> bool:
    values: dict[str, object] = {
        "piece_round": rnd.id,
        "piece_kind": kind,
        "base_revision": base_revision,
        "body": text,
        "saved_at": now,
    }
    if language is not None:
        values["language"] = language
    won = dml(_WRITE, values).rowcount
    if won or base_revision != 0:
        return bool(won)
    # The first save of this piece: no row yet. Two first saves at once: the second one's INSERT fails.
    try:
        with db.session.begin_nested():
            db.session.add(
                RoundWork(round_id=rnd.id, kind=kind, body=text, revision=1, saved_at=now, language=language)
            )
    except IntegrityError:
        return False
    return True


def _refusal(rnd: Round, kind: WorkKind, now: datetime) -> Conflict:
    rule, current = RULES[kind], piece(rnd, kind)
    revision = current.revision if current else 0
    if rule.closes_at_deadline and rnd.status == timer.LOCKED:
        why = {"ended": "it was ended early", "cancelled": "it was cancelled"}.get(
            rnd.lock_reason or "", "this save came after the deadline"
        )
        return Conflict(
            f"The round is locked: {why}. Your earlier saves are kept.",
            revision=revision,
            reason="locked",
            lock_reason=rnd.lock_reason,
        )
    if rule.closes_at_deadline and rnd.status == timer.PLANNED:
        return Conflict("The round has not started yet.", revision=revision, reason="planned")
    return Conflict(
        f"A newer copy of {rule.label} was saved elsewhere (another tab or device). Reload to see it; "
        "copy anything you need first.",
        revision=revision,
        reason="stale",
    )


def record_run(rnd: Round, report: RunReport, now: datetime, *, kind: str = RUN, level: int | None = None) -> RoundRun:
    """Keep a run the candidate's browser reported, while the round is open (a run is part of the
    work: after the lock nothing more is added)."""
    enforce_deadline(rnd, now)
    if rnd.status == timer.LOCKED:
        raise Conflict("The round is locked; runs are no longer recorded.", reason="locked")
    if rnd.status == timer.PLANNED:
        raise Conflict("The round has not started yet.", reason="planned")
    if run_count(rnd) >= RUNS_PER_ROUND:
        raise Conflict(f"This round already holds {RUNS_PER_ROUND:,} runs; more are not recorded.", reason="full")
    run = RoundRun(
        round_id=rnd.id,
        at=now,
        language=report.language,
        outcome=report.outcome,
        duration_ms=report.duration_ms,
        stdout=report.stdout,
        stderr=report.stderr,
        truncated=report.truncated,
        code_revision=report.code_revision,
        kind=kind,
        level=level,
        tests_passed=report.tests_passed,
        tests_total=report.tests_total,
    )
    db.session.add(run)
    db.session.flush()
    bump(rnd)  # the interviewer's live view learns of the run from the state's ETag
    return run


def closed_levels(rnd: Round) -> list[int]:
    """Levels the candidate is done with: their hidden tests all passed, or they moved on."""
    rows = db.session.execute(
        db.select(RoundRun.level, RoundRun.kind, RoundRun.tests_passed, RoundRun.tests_total).where(
            RoundRun.round_id == rnd.id, RoundRun.kind.in_((SUBMIT, MOVE_ON)), RoundRun.level.is_not(None)
        )
    ).all()
    return [level for level, kind, passed, total in rows if kind == MOVE_ON or levels.all_passed(passed, total)]


def level_of(rnd: Round, prompt: Prompt) -> int:
    """The level the candidate works on (1 for a prompt without levels)."""
    return current_level(closed_levels(rnd), len(prompt.levels)) if prompt.levels else 1


def submit(rnd: Round, prompt: Prompt, language: str, level: int, results: object, report: RunReport, now: datetime):
    """Compare what the candidate's browser computed for the hidden tests of `level` with their
    expected values (which it never received); record the submit. Returns (run, the level now)."""
    tests = _hidden(rnd, prompt, language, level)
    if not isinstance(results, list) or len(results) != len(tests):
        raise Invalid(f"results: one per hidden test ({len(tests)}).", field="results")
    passed = sum(
        1
        for test, got in zip(tests, results, strict=True)
        if isinstance(got, dict) and not got.get("error") and json_equal(got.get("actual"), test.expected)
    )
    checked = replace(report, tests_passed=passed, tests_total=len(tests))
    run = record_run(rnd, checked, now, kind=SUBMIT, level=level if prompt.levels else None)
    return run, level_of(rnd, prompt)


def hidden_calls(rnd: Round, prompt: Prompt, language: str, level: int) -> list[str]:
    """What the candidate's browser needs to run the hidden tests: their calls, nothing more."""
    return [t.call for t in _hidden(rnd, prompt, language, level)]


def _hidden(rnd: Round, prompt: Prompt, language: str, level: int) -> tuple[CodeTest, ...]:
    if not prompt.testable:
        raise NotFound("This prompt has no hidden tests.")
    if level != level_of(rnd, prompt):
        raise Conflict("That level is not the one open now; reload the page.", reason="level")
    tests = prompt.hidden_at(level).get(language)
    if not tests:
        langs = ", ".join(sorted(prompt.hidden_at(level)))
        raise Invalid(f"This prompt's hidden tests are written for {langs}; switch to run them.", field="language")
    return tests


def move_on(rnd: Round, prompt: Prompt, level: int, now: datetime) -> int:
    """Open the next level without passing this one (recorded); returns the level now open."""
    if not prompt.levels or level >= len(prompt.levels):
        raise Conflict("There is no further level to move on to.", reason="last_level")
    if level != level_of(rnd, prompt):
        raise Conflict("That level is not the one open now; reload the page.", reason="level")
    empty = RunReport(DEFAULT_LANGUAGE, "ok", 0, "", "", False, 0)
    record_run(rnd, empty, now, kind=MOVE_ON, level=level)
    return level_of(rnd, prompt)


def level_figures(rnd: Round, prompt: Prompt | None) -> levels.Figures | None:
    """What the round's submits came to (core/levels.py), for its scorecards, read once the round is
    locked. None for a prompt without hidden tests (nothing can be submitted on it), and for a round
    whose prompt has left the bank and that recorded no submit."""
    if prompt is not None and not prompt.testable:
        return None
    steps = [
        levels.Step(kind, level or 1, passed, total)
        for kind, level, passed, total in db.session.execute(
            db.select(RoundRun.kind, RoundRun.level, RoundRun.tests_passed, RoundRun.tests_total)
            .where(RoundRun.round_id == rnd.id, RoundRun.kind.in_((SUBMIT, MOVE_ON)))
            .order_by(RoundRun.id)
        )
    ]
    if prompt is None and not steps:
        return None
    return levels.figures(levels.results(steps))


def run_count(rnd: Round) -> int:
    return db.session.execute(db.select(func.count(RoundRun.id)).where(RoundRun.round_id == rnd.id)).scalar_one()


def revisions(rnd: Round) -> dict[str, int]:
    """Every stored piece's revision, in one narrow query (the state poll needs no bodies)."""
    return dict(
        db.session.execute(db.select(RoundWork.kind, RoundWork.revision).where(RoundWork.round_id == rnd.id)).all()
    )
