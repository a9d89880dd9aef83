"""The story bank in the database: stories private to their owner, saved with a revision; drills
and their ratings; the rounds a story was told in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update

from mockloop.core import stories as core
from mockloop.core import timer
from mockloop.core.errors import Conflict, Invalid, NotFound
from mockloop.core.vocabulary import Seat
from mockloop.db import db, dml
from mockloop.db.models import Round, Story, StoryDrill, StoryUse, User
from mockloop.services.seats import role_of

NOT_FOUND = "There is no such story, or it is not yours."


def own_story(owner: User, story_id: int) -> Story:
    """The story if `owner` wrote it; NotFound otherwise, so nobody learns that someone else's exists."""
    story = db.session.get(Story, story_id)
    if story is None or story.owner_id != owner.id:
        raise NotFound(NOT_FOUND)
    return story


def own_drill(owner: User, drill_id: int) -> StoryDrill:
    drill = db.session.get(StoryDrill, drill_id)
    if drill is None or drill.story.owner_id != owner.id:
        raise NotFound("There is no such drill, or it is not yours.")
    return drill


def stories_of(owner: User) -> list[Story]:
    return list(
        db.session.execute(db.select(Story).filter_by(owner_id=owner.id).order_by(Story.title, Story.id)).scalars()
    )


def create(owner: User, text: core.StoryText, now: datetime) -> Story:
    story = Story(owner_id=owner.id, revision=1, created_at=now, saved_at=now)
    _fill(story, text)
    db.session.add(story)
    db.session.flush()
    return story


def _fill(story: Story, text: core.StoryText) -> None:
    story.title = text.title
    for key in core.PART_KEYS:
        setattr(story, key, text.parts[key])
    story.dimensions, story.prompts = list(text.dimensions), list(text.prompts)


def save(story: Story, text: core.StoryText, base_revision: int, now: datetime) -> int:
    """Store the story if it was written on top of its latest revision; return the new revision.

    One conditional UPDATE decides between two tabs saving at once, as the scratchpad's save does."""
    values = {
        "title": text.title,
        **text.parts,
        "dimensions": list(text.dimensions),
        "prompts": list(text.prompts),
        "revision": Story.revision + 1,
        "saved_at": now,
    }
    won = dml(
        update(Story)
        .where(Story.id == story.id, Story.revision == base_revision)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(story)  # the UPDATE bypassed the ORM
    if not won:
        raise Conflict(
            "This story was saved from another tab or device after you opened it, and that newer copy is the "
            "one kept. Your text is still here, unsaved.",
            reason="stale",
            revision=story.revision,
        )
    return story.revision


def remove(story: Story) -> None:
    db.session.delete(story)
    db.session.flush()


def story_payload(story: Story) -> dict:
    """The saved copy as the edit page's autosave reads it back."""
    return {
        "title": story.title,
        **{key: getattr(story, key) for key in core.PART_KEYS},
        "dimensions": list(story.dimensions),
        "prompts": list(story.prompts),
        "revision": story.revision,
    }


# ---------- drills ----------


def start_drill(story: Story, limit_seconds: object, cue: object, now: datetime) -> StoryDrill:
    seconds, cue_mode = core.check_drill(limit_seconds, cue)
    if not story.dimensions:
        raise Invalid("Tag the story with the dimensions it shows first: a drill is rated on them.", field="dimensions")
    drill = StoryDrill(story_id=story.id, started_at=now, limit_seconds=seconds, cue=cue_mode)
    db.session.add(drill)
    db.session.flush()
    return drill


def finish_drill(drill: StoryDrill, now: datetime) -> None:
    """Stop the drill's clock, once: a second press (another tab, a double click) changes nothing."""
    dml(
        update(StoryDrill)
        .where(StoryDrill.id == drill.id, StoryDrill.finished_at.is_(None))
        .values(finished_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(drill)


def rate_drill(drill: StoryDrill, ratings: dict[str, int], now: datetime) -> None:
    """Record the teller's ratings; a drill is rated once it is done (rating it again replaces them)."""
    if drill.finished_at is None:
        drill.finished_at = now
    drill.ratings, drill.rated_at = ratings, now
    db.session.flush()


def latest_ratings(story_ids: list[int]) -> dict[int, tuple[dict[str, int], datetime]]:
    """Per story, the ratings of its latest rated drill and when they were given."""
    out: dict[int, tuple[dict[str, int], datetime]] = {}
    if not story_ids:
        return out
    rows = db.session.execute(
        db.select(StoryDrill.story_id, StoryDrill.ratings, StoryDrill.rated_at)
        .where(StoryDrill.story_id.in_(story_ids), StoryDrill.rated_at.is_not(None))
        .order_by(StoryDrill.rated_at, StoryDrill.id)
    ).all()
    for story_id, ratings, rated_at in rows:  # oldest first: the latest wins
        out[story_id] = (dict(ratings or {}), rated_at)
    return out


def facts_of(owner: User) -> list[core.StoryFacts]:
    """The owner's stories as coverage reads them."""
    mine = stories_of(owner)
    rated = latest_ratings([s.id for s in mine])
    return [
        core.StoryFacts(s.id, s.title, tuple(s.dimensions), tuple(s.prompts), rated[s.id][0] if s.id in rated else {})
        for s in mine
    ]


# ---------- stories told in a round ----------


def _candidate_of(rnd: Round, user: User) -> None:
    if role_of(rnd, user) != Seat.CANDIDATE:
        raise NotFound("Only the round's candidate records the stories they told.")


def mark_used(rnd: Round, story: Story, used: bool, user: User, now: datetime) -> None:
    """Record (or take back) that the round's candidate told their story in it. A cancelled round
    has no telling to record."""
    _candidate_of(rnd, user)
    if story.owner_id != user.id:
        raise NotFound(NOT_FOUND)
    if rnd.status == timer.LOCKED and rnd.lock_reason == "cancelled":
        raise Conflict("This round was cancelled, so no story was told in it.", reason="cancelled")
    existing = db.session.get(StoryUse, (story.id, rnd.id))
    if used and existing is None:
        db.session.add(StoryUse(story_id=story.id, round_id=rnd.id, at=now))
    elif not used and existing is not None:
        db.session.execute(delete(StoryUse).where(StoryUse.story_id == story.id, StoryUse.round_id == rnd.id))
    db.session.flush()


def used_in(rnd: Round, user: User) -> set[int]:
    """Ids of `user`'s stories told in the round (only the teller sees which)."""
    return set(
        db.session.execute(
            db.select(StoryUse.story_id)
            .join(Story, Story.id == StoryUse.story_id)
            .where(StoryUse.round_id == rnd.id, Story.owner_id == user.id)
        ).scalars()
    )


def rounds_told(story: Story) -> list[Round]:
    """The rounds the story was told in, newest first."""
    return list(
        db.session.execute(
            db.select(Round)
            .join(StoryUse, StoryUse.round_id == Round.id)
            .where(StoryUse.story_id == story.id)
            .order_by(Round.created_at.desc())
        ).scalars()
    )
