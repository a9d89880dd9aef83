"""Export a user's data (JSON, CSV) and import a JSON export, all or nothing, without duplicates."""

from __future__ import annotations

import base64
import csv
import io
import json
import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_

from mockloop.core import ai_interviewer as ai_chat
from mockloop.core import export_format
from mockloop.core import stories as story_core
from mockloop.core.errors import Invalid
from mockloop.core.revisions import portable
from mockloop.core.vocabulary import CardStatus, ReviewerRole, Seat, WorkKind
from mockloop.core.work import DEFAULT_LANGUAGE, RULES
from mockloop.db import db
from mockloop.db.models import (
    Invite,
    Round,
    RoundAudio,
    RoundEvent,
    RoundMarker,
    RoundRun,
    RoundWork,
    Score,
    Scorecard,
    Story,
    StoryDrill,
    StoryUse,
    User,
)
from mockloop.services import audio, lifecycle, revisions, rounds
from mockloop.services.markers import markers_of
from mockloop.services.scorecards import level_columns, may_see
from mockloop.services.seats import role_of, rounds_of
from mockloop.services.stories import stories_of


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _user_rounds(user: User) -> list[Round]:
    return list(db.session.execute(rounds_of(user).order_by(Round.created_at, Round.id)).scalars())


def export_user(user: User, now: datetime, audio_folder: Path | None = None) -> dict:
    """Everything the user took part in: rounds, events, scratchpads, their notes, scorecards with
    rubrics; with audio_folder (where recordings are kept), their own audio recordings too."""
    lifecycle.lock_due(now)  # a round whose time is up is exported locked, with its expire event
    out = []
    for rnd in _user_rounds(user):
        mine = role_of(rnd, user)
        cards = []
        for card in db.session.execute(
            db.select(Scorecard).filter_by(round_id=rnd.id).order_by(Scorecard.id)
        ).scalars():
            if (card.reviewer_id != user.id and card.status != CardStatus.SUBMITTED) or not may_see(card, user):
                continue  # someone else's draft is theirs alone, the candidate's AI card too
            cards.append(
                {
                    "uid": card.uid,
                    "role": card.role,
                    "reviewer": "ai"
                    if card.role == ReviewerRole.AI
                    else "me"
                    if card.reviewer_id == user.id
                    else "peer",
                    "reviewer_name": card.reviewer_label,
                    "status": card.status,
                    "overall": card.overall,
                    "keep": card.keep,
                    "stop": card.stop,
                    "start": card.start,
                    "rubric": card.rubric,
                    "created_at": _iso(card.created_at),
                    "submitted_at": _iso(card.submitted_at),
                    "scores": [
                        {
                            "dimension": s.dimension,
                            "position": s.position,
                            "level": s.level,
                            "evidence": s.evidence,
                            "scored_at": _iso(s.scored_at),
                        }
                        for s in card.scores
                    ],
                }
            )
        out.append(
            {
                "uid": rnd.uid,
                "stage": rnd.stage,
                "prompt_slug": rnd.prompt_slug,
                "prompt_title": rnd.prompt_title,
                "minutes": rnd.minutes,
                "plan": rnd.plan,
                "mode": rnd.mode,
                "my_role": mine,
                "status": rnd.status,
                "created_at": _iso(rnd.created_at),
                "scratchpad": rnd.text(WorkKind.SCRATCHPAD),
                "scratchpad_saved_at": _iso(pad.saved_at) if (pad := rnd.work.get(WorkKind.SCRATCHPAD)) else None,
                "interviewer_notes": rnd.text(WorkKind.NOTES) if mine != Seat.CANDIDATE else None,
                "code": {
                    "text": code.body,
                    "language": code.language or DEFAULT_LANGUAGE,
                    "saved_at": _iso(code.saved_at),
                }
                if (code := rnd.work.get(WorkKind.CODE))
                else None,
                "board": {"text": board.body, "saved_at": _iso(board.saved_at)}
                if (board := rnd.work.get(WorkKind.BOARD))
                else None,
                # The AI interviewer conversation is the candidate's (its rule's only reader).
                "ai_chat": {**json.loads(chat.body), "saved_at": _iso(chat.saved_at)}
                if mine == Seat.CANDIDATE and (chat := rnd.work.get(WorkKind.CHAT))
                else None,
                "runs": [
                    {
                        "at": _iso(run.at),
                        "language": run.language,
                        "outcome": run.outcome,
                        "duration_ms": run.duration_ms,
                        "stdout": run.stdout,
                        "stderr": run.stderr,
                        "truncated": run.truncated,
                        "kind": run.kind,
                        "level": run.level,
                        "tests_passed": run.tests_passed,
                        "tests_total": run.tests_total,
                    }
                    for run in rnd.runs
                ],
                "history": {
                    kind: [{**portable(step), "saved_at": _iso(step.saved_at)} for step in steps]
                    for kind, steps in revisions.history_of(rnd.id, _history_kinds(mine)).items()
                },
                "markers": [{"at": _iso(m.at), "text": m.text} for m in markers_of(rnd)]
                if mine == Seat.INTERVIEWER
                else [],
                **({"audio": _export_audio(rnd, user, audio_folder)} if audio_folder is not None else {}),
                "events": [
                    {
                        "kind": e.kind,
                        "at": _iso(e.at),
                        "recorded_at": _iso(e.recorded_at),
                        "minutes": e.minutes,
                        "actor": None if e.actor_id is None else ("me" if e.actor_id == user.id else "peer"),
                    }
                    for e in rnd.events
                ],
                "scorecards": cards,
            }
        )
    return {
        "format": export_format.FORMAT,
        "version": export_format.VERSION,
        "exported_at": now.isoformat(),
        "user": {"email": user.email, "display_name": user.display_name},
        "rounds": out,
        "stories": _export_stories(user),
    }


def _export_audio(rnd: Round, user: User, folder: Path) -> list[dict]:
    """The user's own recordings of the round, their sound as base64."""
    out = []
    for recording in db.session.execute(
        db.select(RoundAudio).filter_by(round_id=rnd.id, user_id=user.id).order_by(RoundAudio.id)
    ).scalars():
        path = audio.path_of(folder, recording)
        if path.exists():
            data = base64.b64encode(path.read_bytes()).decode()
            out.append({"started_at": _iso(recording.started_at), "mime": recording.mime, "data": data})
    return out


def _history_kinds(seat: Seat | None) -> set[str]:
    """The work whose history an export holds: what the seat can read (the notes: the interviewer's)."""
    return {kind for kind, rule in RULES.items() if seat in rule.readers}


def _export_stories(user: User) -> list[dict]:
    """The user's story bank: each story with its drills and the rounds (by uid) it was told in."""
    told: dict[int, list[str]] = {}
    for story_id, round_uid in db.session.execute(
        db.select(StoryUse.story_id, Round.uid)
        .join(Round, Round.id == StoryUse.round_id)
        .join(Story, Story.id == StoryUse.story_id)
        .where(Story.owner_id == user.id)
        .order_by(Round.created_at)
    ):
        told.setdefault(story_id, []).append(round_uid)
    return [
        {
            "uid": story.uid,
            "title": story.title,
            **{key: getattr(story, key) for key in story_core.PART_KEYS},
            "dimensions": list(story.dimensions),
            "prompts": list(story.prompts),
            "created_at": _iso(story.created_at),
            "saved_at": _iso(story.saved_at),
            "drills": [
                {
                    "started_at": _iso(d.started_at),
                    "limit_seconds": d.limit_seconds,
                    "cue": d.cue,
                    "finished_at": _iso(d.finished_at),
                    "ratings": d.ratings,
                    "rated_at": _iso(d.rated_at),
                }
                for d in story.drills
            ],
            "told_in": told.get(story.id, []),
        }
        for story in stories_of(user)
    ]


def _code(code: RoundWork | None) -> dict | None:
    if code is None:
        return None
    return {"text": code.body, "language": code.language or DEFAULT_LANGUAGE, "saved_at": _iso(code.saved_at)}


# Uids of the copies an import makes when a file names a uid that is not the importer's to touch.
COPY_NAMESPACE = uuid.UUID("24a016f3-014c-45a9-a3fe-8554c74e890a")
COPY_ATTEMPTS = 8


def _copy_uids(user: User, uid: str):
    """The file's uid, then uids derived from (user, uid): the same file always maps to the same rows,
    so re-importing stays idempotent, and no uid another account holds is ever reused."""
    yield uid
    for _ in range(COPY_ATTEMPTS):
        uid = str(uuid.uuid5(COPY_NAMESPACE, f"{user.id}:{uid}"))
        yield uid


def _private(rnd: Round, user: User, now: datetime) -> bool:
    """Whether only `user` can see the round: they own it, hold every taken seat, and no invite is open."""
    if rnd.owner_id != user.id or {rnd.candidate_id, rnd.interviewer_id} - {user.id, None}:
        return False
    return (
        db.session.execute(
            db.select(Invite.id).where(
                Invite.round_id == rnd.id,
                Invite.accepted_at.is_(None),
                Invite.revoked_at.is_(None),
                Invite.expires_at > now,
            )
        ).first()
        is None
    )


def import_user(user: User, doc, now: datetime, audio_folder: Path | None = None) -> dict:
    """Add the rounds and scorecards the instance does not have yet (matched by uid) to `user`.

    The exporter becomes `user`; the other participant of a peer round has no account here, so their
    seat stays empty and their scorecards keep only their name. One transaction: all or nothing
    (audio files written before a failure are left unreferenced, and deleted with nothing).
    Recordings in the file are restored into audio_folder (none without it).

    An import only ever writes rows that belong to `user`, whatever uids the file names (a round's
    uid is in every calendar file): a round here is added to only if `user` alone can see it; a
    shared round `user` takes part in is already in their history and is skipped; a uid held by
    anyone else becomes `user`'s own copy under a derived uid.
    """
    data = export_format.validate(doc, now)
    added = dict.fromkeys(("rounds", "scorecards", "stories", "skipped_rounds", "skipped_scorecards"), 0)
    added["skipped_stories"] = 0
    told_rounds: dict[str, Round] = {}  # the file's round uid -> the round here it stands for
    try:
        for i, r in enumerate(data["rounds"]):
            rnd = _target_round(user, r, now, f"rounds[{i}]")
            if rnd is None:  # a shared round of theirs: nothing of it may change
                shared = db.session.execute(db.select(Round).filter_by(uid=r["uid"])).scalar_one_or_none()
                if shared is not None:
                    told_rounds[r["uid"]] = shared
                added["skipped_rounds"] += 1
                added["skipped_scorecards"] += len(r["scorecards"])
                continue
            told_rounds[r["uid"]] = rnd
            if rnd.id is None:
                db.session.add(rnd)
                db.session.flush()
                revisions.restore(rnd.id, r["history"])
                for m in r["markers"]:
                    author = user.id if r["my_role"] == Seat.INTERVIEWER else None
                    db.session.add(RoundMarker(round_id=rnd.id, author_id=author, at=m["at"], text=m["text"]))
                if audio_folder is not None:
                    for a in r["audio"]:
                        audio.restore(rnd, user, r["my_role"], a["started_at"], a["mime"], a["data"], audio_folder)
                added["rounds"] += 1
            else:
                added["skipped_rounds"] += 1
            for j, c in enumerate(r["scorecards"]):
                if _add_card(user, rnd, r, c, f"rounds[{i}].scorecards[{j}]"):
                    added["scorecards"] += 1
                else:
                    added["skipped_scorecards"] += 1
        for i, story in enumerate(data["stories"]):
            if _add_story(user, story, told_rounds, f"stories[{i}]"):
                added["stories"] += 1
            else:
                added["skipped_stories"] += 1
    except Exception:
        db.session.rollback()  # all or nothing, even when the caller answers the error and commits
        raise
    lifecycle.lock_due(now)  # a round exported while running may be long over by now
    return added


def stories_line(added: dict) -> str:
    """What an import did with the file's stories, for its report (nothing for a file without any)."""
    if not added["stories"] and not added["skipped_stories"]:
        return ""
    return f" Stories: {added['stories']} added, {added['skipped_stories']} already in your bank."


def _add_story(user: User, s: dict, told_rounds: dict[str, Round], path: str) -> bool:
    """Add the file's story to `user`'s bank unless it is there already (by uid); a uid another
    account's story holds becomes a copy under a derived uid. Its told-in marks link only to rounds
    of the file that `user` was the candidate of. Returns whether it was added."""
    for uid in _copy_uids(user, s["uid"]):
        owner = db.session.execute(db.select(Story.owner_id).filter_by(uid=uid)).scalar_one_or_none()
        if owner is None:
            break
        if owner == user.id:
            return False  # imported before, or exported from here: already in the bank
    else:
        raise Invalid(f"{path}.uid: expected a uid that does not collide with other accounts' stories")
    story = Story(
        uid=uid,
        owner_id=user.id,
        title=s["title"],
        **{key: s[key] for key in story_core.PART_KEYS},
        dimensions=s["dimensions"],
        prompts=s["prompts"],
        revision=1,
        created_at=s["created_at"],
        saved_at=s["saved_at"],
    )
    story.drills = [StoryDrill(**d) for d in s["drills"]]
    db.session.add(story)
    db.session.flush()
    told = {told_rounds[u].id: told_rounds[u] for u in s["told_in"] if u in told_rounds}
    for rnd in told.values():
        if role_of(rnd, user) == Seat.CANDIDATE:
            db.session.add(StoryUse(story_id=story.id, round_id=rnd.id, at=story.saved_at))
    db.session.flush()
    return True


def _target_round(user: User, r: dict, now: datetime, path: str) -> Round | None:
    """The round the file's round goes into: one only `user` can see (existing, or new and unsaved),
    or None for a shared round `user` takes part in, which stays as it is."""
    for uid in _copy_uids(user, r["uid"]):
        rnd = db.session.execute(db.select(Round).filter_by(uid=uid)).scalar_one_or_none()
        if rnd is None:
            return _new_round(user, r, uid)
        mine = role_of(rnd, user)
        if mine is None:
            continue  # someone else's round: the next uid
        if not _private(rnd, user, now):
            return None
        if mine == r["my_role"]:
            return rnd
        # Theirs alone, but with the other seat: not the round of the file, so the next uid.
    raise Invalid(f"{path}.uid: expected a uid that does not collide with other accounts' rounds")


def _new_round(user: User, r: dict, uid: str) -> Round:
    me_candidate = r["my_role"] == Seat.CANDIDATE
    rnd = Round(
        uid=uid,
        owner_id=user.id,
        candidate_id=user.id if me_candidate else None,
        interviewer_id=None if me_candidate else user.id,
        stage=r["stage"],
        prompt_slug=r["prompt_slug"],
        prompt_title=r["prompt_title"],
        minutes=r["minutes"],
        plan=r["plan"],
        mode=r["mode"],
        created_at=r["created_at"],
    )
    if r["scratchpad"]:
        rnd.work[WorkKind.SCRATCHPAD] = RoundWork(
            kind=WorkKind.SCRATCHPAD, body=r["scratchpad"], revision=1, saved_at=r["scratchpad_saved_at"]
        )
    if r["interviewer_notes"]:
        rnd.work[WorkKind.NOTES] = RoundWork(kind=WorkKind.NOTES, body=r["interviewer_notes"], revision=1)
    if r["code"]:
        code = r["code"]
        rnd.work[WorkKind.CODE] = RoundWork(
            kind=WorkKind.CODE, body=code["text"], revision=1, saved_at=code["saved_at"], language=code["language"]
        )
    if r["board"]:
        drawing = r["board"]
        rnd.work[WorkKind.BOARD] = RoundWork(
            kind=WorkKind.BOARD, body=drawing["text"], revision=1, saved_at=drawing["saved_at"]
        )
    for kind, steps in r["history"].items():  # a later save follows on from the last kept revision
        if steps:
            rnd.work.setdefault(kind, RoundWork(kind=kind, body="")).revision = steps[-1].revision
    if r["ai_chat"]:
        messages = [ai_chat.Message(**m) for m in r["ai_chat"]["messages"]]
        rnd.work[WorkKind.CHAT] = RoundWork(
            kind=WorkKind.CHAT, body=ai_chat.dump(messages), revision=1, saved_at=r["ai_chat"]["saved_at"]
        )
    rnd.runs.extend(RoundRun(**run) for run in r["runs"])
    for e in r["events"]:
        rnd.events.append(
            RoundEvent(
                kind=e["kind"],
                at=e["at"],
                recorded_at=e["recorded_at"],
                minutes=e["minutes"],
                actor_id=user.id if e["actor"] == "me" else None,
            )
        )
    state = rounds.state_of(rnd, max((e["at"] for e in r["events"]), default=r["created_at"]))
    rnd.status, rnd.lock_reason, rnd.locked_at, rnd.deadline_at = (
        state.status,
        state.lock_reason,
        state.locked_at,
        state.deadline,
    )
    return rnd


def _add_card(user: User, rnd: Round, r: dict, c: dict, path: str) -> bool:
    """Add the card to `rnd` (a round only `user` can see) unless it, or a card of its reviewer or
    role, is there already. Returns whether it was added."""
    held = db.session.execute(db.select(Scorecard.reviewer_id, Scorecard.role).filter_by(round_id=rnd.id)).all()
    reviewer_id = user.id if c["reviewer"] == "me" else None
    if any(role == c["role"] or (reviewer_id is not None and rid == reviewer_id) for rid, role in held):
        return False
    for uid in _copy_uids(user, c["uid"]):
        other = db.session.execute(db.select(Scorecard.round_id).filter_by(uid=uid)).first()
        if other is None:
            break
        if other.round_id == rnd.id:
            return False
    else:
        raise Invalid(f"{path}.uid: expected a uid that does not collide with other accounts' cards")
    candidate_id = rnd.candidate_id
    card = Scorecard(
        uid=uid,
        round_id=rnd.id,
        reviewer_id=reviewer_id,
        reviewer_name=c["reviewer_name"],
        candidate_id=candidate_id,
        role=c["role"],
        stage=rnd.stage,
        prompt_slug=rnd.prompt_slug,
        status=c["status"],
        overall=c["overall"],
        keep=c["keep"],
        stop=c["stop"],
        start=c["start"],
        rubric=c["rubric"],
        created_at=c["created_at"],
        submitted_at=c["submitted_at"],
        revision=1 if c["status"] == CardStatus.SUBMITTED else 0,
        **level_columns(rnd),  # from the runs, as the round has them here
    )
    for s in c["scores"]:
        card.scores.append(Score(candidate_id=candidate_id, role=c["role"], stage=rnd.stage, **s))
    db.session.add(card)
    db.session.flush()
    return True


def scorecards_csv(user: User) -> str:
    """One row per submitted scorecard the user gave or received."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["submitted_at", "stage", "prompt", "role", "reviewer", "overall", "levels", "keep", "stop", "start"]
    )
    cards = db.session.execute(
        db.select(Scorecard)
        .where(
            or_(Scorecard.reviewer_id == user.id, Scorecard.candidate_id == user.id),
            Scorecard.status == CardStatus.SUBMITTED,
        )
        .order_by(Scorecard.submitted_at)
    ).scalars()
    for card in cards:
        levels = ";".join(f"{s.dimension}={s.level}" for s in card.scores)
        writer.writerow(
            [
                _cell(v)
                for v in (
                    _iso(card.submitted_at),
                    card.stage,
                    card.prompt_slug,
                    card.role,
                    card.reviewer_label,
                    card.overall,
                    levels,
                    card.keep,
                    card.stop,
                    card.start,
                )
            ]
        )
    return out.getvalue()


FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")  # with full-width = + - @


def _cell(value):
    # A spreadsheet may run a cell that starts with = + - @ (or tab, CR, LF, or those after leading
    # spaces, which some trim) as a formula; user text must stay text, so it gets a leading quote.
    if isinstance(value, str) and value.lstrip(" ")[:1] in FORMULA_STARTS:
        return "'" + value
    return value
