"""The story bank: prepared stories for the behavioral rounds, their coverage of the rubric, drills."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from mockloop.content import content
from mockloop.core import stories as core
from mockloop.core.errors import Conflict, Invalid
from mockloop.core.markup import render_user
from mockloop.core.vocabulary import Seat
from mockloop.db.models import Story
from mockloop.services import stories
from mockloop.services.seats import role_of
from mockloop.web.now import request_now
from mockloop.web.pages import format_clock
from mockloop.web.transaction import transaction

bp = Blueprint("stories", __name__)


@bp.context_processor
def _helpers() -> dict:
    return {"parts": core.PARTS, "drill_time": _drill_time}


def _drill_time(drill) -> str:
    """How long a telling took against its limit, as the drill table shows it: "01:52 of 02:00"."""
    end = drill.finished_at or drill.rated_at
    took = core.drill_state(drill.started_at, drill.limit_seconds, end, end).elapsed_s
    return f"{format_clock(int(took))} of {format_clock(drill.limit_seconds)}"


def story_tags() -> core.Tags:
    """What a story can be tagged with on this loop: its behavioral stages' dimensions and prompts."""
    loop, catalog = content().loop, content().catalog
    return core.tags_of(loop, ((s.slug, p.slug, p.title) for s in loop.behavioral for p in catalog.for_stage(s.slug)))


def _values(form) -> dict:
    """A story form's fields as parse_story reads them (the checkboxes as lists)."""
    return {
        "title": form.get("title", ""),
        **{key: form.get(key, "") for key in core.PART_KEYS},
        "dimensions": form.getlist("dimensions"),
        "prompts": form.getlist("prompts"),
    }


def _coverage() -> core.Coverage:
    return core.coverage(story_tags(), stories.facts_of(current_user))


@bp.get("/stories")
@login_required
def index():
    return render_template("stories/index.html", cov=_coverage(), tags=story_tags(), status_text=core.STATUS_TEXT)


@bp.route("/stories/new", methods=["GET", "POST"])
@login_required
@transaction()
def new():
    tags = story_tags()
    if request.method == "GET":
        # Links from the coverage grid and the practice plan preselect the gap they are about.
        values = {
            "title": "",
            **dict.fromkeys(core.PART_KEYS, ""),
            "dimensions": [k for k in request.args.getlist("dimension") if k in tags.dimensions],
            "prompts": [k for k in request.args.getlist("prompt") if k in tags.prompts],
        }
        return render_template("stories/new.html", values=values, tags=tags, error=None)
    values = _values(request.form)
    try:
        story = stories.create(current_user, core.parse_story(values, tags), request_now())
    except Invalid as exc:
        return render_template("stories/new.html", values=values, tags=tags, error=exc), 400
    flash("Story saved. It saves as you type from here on.", "success")
    return redirect(url_for("stories.story_page", story_id=story.id))


def _story_page(story: Story, values: dict | None = None, error: Exception | None = None, status: int = 200):
    rated = stories.latest_ratings([story.id]).get(story.id)
    return render_template(
        "stories/story.html",
        story=story,
        values=values or stories.story_payload(story),
        tags=story_tags(),
        error=error,
        latest=rated[0] if rated else None,
        drills=[d for d in reversed(story.drills) if d.ratings],
        told=stories.rounds_told(story),
        cue_card=core.cue_card({k: getattr(story, k) for k in core.PART_KEYS}),
        limits=(core.DRILL_MIN_SECONDS, core.DRILL_DEFAULT_SECONDS, core.DRILL_MAX_SECONDS),
        cues=core.CUES,
    ), status


@bp.route("/stories/<int:story_id>", methods=["GET", "POST"])
@login_required
@transaction()
def story_page(story_id: int):
    story = stories.own_story(current_user, story_id)
    if request.method == "GET":
        return _story_page(story)
    # The form posted without the autosave script (or its Save button): same revision rule.
    values = _values(request.form)
    raw = request.form.get("revision", "")
    revision = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else -1
    try:
        stories.save(story, core.parse_story(values, story_tags(), keep=_kept(story)), revision, request_now())
    except (Invalid, Conflict) as exc:
        # What was typed comes back with the message, on the revision the page was written on.
        return _story_page(story, {**values, "revision": revision}, exc, 409 if isinstance(exc, Conflict) else 400)
    flash("Story saved.", "success")
    return redirect(url_for("stories.story_page", story_id=story.id))


def _kept(story: Story) -> list[str]:
    """Tags the story carries that the loop no longer offers: a save may keep them."""
    return [*story.dimensions, *story.prompts]


@bp.post("/stories/<int:story_id>/delete")
@login_required
@transaction()
def delete(story_id: int):
    story = stories.own_story(current_user, story_id)
    title = story.title
    stories.remove(story)
    flash(f"Deleted “{title}”, with its drills.", "success")
    return redirect(url_for("stories.index"))


@bp.post("/stories/<int:story_id>/drill")
@login_required
@transaction()
def start_drill(story_id: int):
    story = stories.own_story(current_user, story_id)
    raw = request.form.get("seconds", "")
    seconds: object = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else raw
    try:
        drill = stories.start_drill(story, seconds, request.form.get("cue"), request_now())
    except Invalid as exc:
        flash(exc.message, "error")
        return redirect(url_for("stories.story_page", story_id=story.id) + "#drill-h")
    return redirect(url_for("stories.drill_page", drill_id=drill.id))


@bp.get("/drills/<int:drill_id>")
@login_required
def drill_page(drill_id: int):
    return _drill_view(stories.own_drill(current_user, drill_id))


def _drill_view(drill, error: Invalid | None = None, typed: dict | None = None):
    story = drill.story
    now = request_now()
    tags = story_tags()
    return render_template(
        "stories/drill.html",
        drill=drill,
        story=story,
        state=core.drill_state(drill.started_at, drill.limit_seconds, drill.finished_at, now),
        cue_card=core.cue_card({k: getattr(story, k) for k in core.PART_KEYS}),
        names={**{k: k for k in story.dimensions}, **tags.dimensions},
        anchors=_anchors(),
        error=error,
        typed=typed or {f"rating_{k}": str(v) for k, v in (drill.ratings or {}).items()},
        render_user=render_user,
    ), 400 if error else 200


def _anchors() -> dict[str, tuple[str, ...]]:
    """Per behavioral dimension, the loop's level descriptions (of the first stage that scores it)."""
    out: dict[str, tuple[str, ...]] = {}
    for stage in content().loop.behavioral:
        for d in stage.rubric:
            out.setdefault(d.key, d.levels)
    return out


@bp.post("/drills/<int:drill_id>/finish")
@login_required
@transaction()
def finish_drill(drill_id: int):
    drill = stories.own_drill(current_user, drill_id)
    stories.finish_drill(drill, request_now())
    return redirect(url_for("stories.drill_page", drill_id=drill.id) + "#rate-h")


@bp.post("/drills/<int:drill_id>/rate")
@login_required
@transaction()
def rate_drill(drill_id: int):
    drill = stories.own_drill(current_user, drill_id)
    names = {**{k: k for k in drill.story.dimensions}, **story_tags().dimensions}
    try:
        ratings = core.parse_ratings(request.form, drill.story.dimensions, names)
    except Invalid as exc:
        return _drill_view(drill, error=exc, typed=request.form.to_dict())
    stories.rate_drill(drill, ratings, request_now())
    flash("Drill rated: the ratings are on the story and in your coverage grid.", "success")
    return redirect(url_for("stories.story_page", story_id=drill.story_id))


def round_panel(rnd, stage) -> dict | None:
    """The candidate's stories beside a behavioral round's brief (and its self-assessment): those that
    answer the round's prompt first, with their cue cards and whether they were told in it. None for
    anyone else, and in rounds that are not behavioral."""
    if stage is None or not stage.behavioral or role_of(rnd, current_user) != Seat.CANDIDATE:
        return None
    mine = sorted(stories.stories_of(current_user), key=lambda s: rnd.prompt_slug not in s.prompts)
    return {
        "stories": mine,
        "told": stories.used_in(rnd, current_user),
        "cues": {s.id: core.cue_card({k: getattr(s, k) for k in core.PART_KEYS}) for s in mine},
        "names": story_tags().dimensions,
    }
