from flask import abort, render_template, request
from flask_login import current_user, login_required

from ..content import content
from ..core import timer
from ..extensions import db
from ..models import Round
from . import bp


def _stage_or_404(slug: str):
    stage = content().loop.stage(slug)
    if stage is None:
        abort(404, description=f"There is no stage called {slug!r}.")
    return stage


@bp.get("/")
def home():
    loop = content().loop
    counts = {s.slug: len(content().catalog.for_stage(s.slug)) for s in loop.stages}
    return render_template("catalog/home.html", loop=loop, counts=counts)


@bp.get("/stages/<slug>")
@login_required
def stage(slug: str):
    stage = _stage_or_404(slug)
    catalog = content().catalog
    tag = request.args.get("tag") or None
    difficulty = request.args.get("difficulty", type=int)
    text = request.args.get("q", "")
    prompts = catalog.filter(stage.slug, tag=tag, difficulty=difficulty, text=text)
    return render_template("catalog/stage.html", stage=stage, prompts=prompts, tags=catalog.tags(stage.slug),
                           tag=tag, difficulty=difficulty, q=text, total=len(catalog.for_stage(stage.slug)))


def _prompt_or_404(stage_slug: str, slug: str):
    stage = _stage_or_404(stage_slug)
    prompt = content().catalog.get(stage.slug, slug)
    if prompt is None:
        abort(404, description=f"There is no prompt {slug!r} in {stage.title}.")
    return stage, prompt


@bp.get("/stages/<stage_slug>/prompts/<slug>")
@login_required
def prompt(stage_slug: str, slug: str):
    stage, prompt = _prompt_or_404(stage_slug, slug)
    minutes = prompt.default_minutes(stage)
    return render_template("catalog/prompt.html", stage=stage, prompt=prompt, minutes=minutes,
                           phases=prompt.plan(stage, minutes))


@bp.get("/stages/<stage_slug>/prompts/<slug>/guide")
@login_required
def guide(stage_slug: str, slug: str):
    stage, prompt = _prompt_or_404(stage_slug, slug)
    if _candidate_in_open_peer_round(prompt.slug):
        abort(403, description="You are the candidate in an open peer round on this prompt; its guide is "
                               "for your interviewer. It opens to you once the round is over.")
    return render_template("catalog/guide.html", stage=stage, prompt=prompt)


def _candidate_in_open_peer_round(prompt_slug: str) -> bool:
    return db.session.execute(
        db.select(Round.id).where(Round.candidate_id == current_user.id, Round.mode == "peer",
                                  Round.prompt_slug == prompt_slug, Round.status != timer.LOCKED)
    ).first() is not None
