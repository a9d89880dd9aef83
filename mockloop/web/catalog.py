"""Browsing the loop: stages, their phases and rubrics, and each stage's prompt bank."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from mockloop.content import content
from mockloop.services.seats import guide_closed
from mockloop.web.access import stage_or_404
from mockloop.web.now import request_now
from mockloop.web.review import readiness_view

bp = Blueprint("catalog", __name__)


@bp.get("/")
def home():
    loop = content().loop
    counts = {s.slug: len(content().catalog.for_stage(s.slug)) for s in loop.stages}
    ready = readiness_view() if current_user.is_authenticated else None
    return render_template("catalog/home.html", loop=loop, counts=counts, ready=ready)


@bp.get("/stages/<slug>")
@login_required
def stage(slug: str):
    stage = stage_or_404(slug)
    catalog = content().catalog
    tag = request.args.get("tag") or None
    difficulty = request.args.get("difficulty", type=int)
    text = request.args.get("q", "")
    prompts = catalog.filter(stage.slug, tag=tag, difficulty=difficulty, text=text)
    return render_template(
        "catalog/stage.html",
        stage=stage,
        prompts=prompts,
        tags=catalog.tags(stage.slug),
        tag=tag,
        difficulty=difficulty,
        q=text,
        total=len(catalog.for_stage(stage.slug)),
    )


def _prompt_or_404(stage_slug: str, slug: str):
    stage = stage_or_404(stage_slug)
    prompt = content().catalog.get(stage.slug, slug)
    if prompt is None:
        abort(404, description=f"There is no prompt {slug!r} in {stage.title}.")
    return stage, prompt


@bp.get("/stages/<stage_slug>/prompts/<slug>")
@login_required
def prompt(stage_slug: str, slug: str):
    stage, prompt = _prompt_or_404(stage_slug, slug)
    minutes = prompt.default_minutes(stage)
    return render_template(
        "catalog/prompt.html",
        stage=stage,
        prompt=prompt,
        minutes=minutes,
        phases=prompt.phases_for(stage, minutes),
        guide_closed=guide_closed(current_user, stage.slug, prompt.slug, request_now()),
    )


@bp.get("/stages/<stage_slug>/prompts/<slug>/guide")
@login_required
def guide(stage_slug: str, slug: str):
    stage, prompt = _prompt_or_404(stage_slug, slug)
    closed = guide_closed(current_user, stage.slug, prompt.slug, request_now())
    if closed:
        abort(403, description=closed)
    return render_template("catalog/guide.html", stage=stage, prompt=prompt)
