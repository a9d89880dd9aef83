"""Looking back: scorecard history, progress charts, the practice plan, export and import."""

import json
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, timezone

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup

from mockloop.content import content
from mockloop.core import levels, readiness, suggestions, timeline
from mockloop.core import stories as story_core
from mockloop.core.charts import level_table, level_trend
from mockloop.core.code_tests import MAX_LEVELS
from mockloop.core.errors import Invalid
from mockloop.core.export_format import FILE_LIMIT, decode
from mockloop.core.kept import Kept
from mockloop.core.loop import Stage
from mockloop.core.vocabulary import ReviewerRole
from mockloop.services import exchange, history, stories
from mockloop.web.audio import folder as audio_folder
from mockloop.web.now import request_now
from mockloop.web.stories import story_tags
from mockloop.web.transaction import transaction

bp = Blueprint("review", __name__)


def _date(name: str, problems: list[str], end: bool = False) -> datetime | None:
    """A filter date, or None (empty, or a problem added: the filter is then left out)."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    earliest, latest = _date_range()
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        problems.append(f"Enter dates as year-month-day, like {latest.isoformat()}.")
        return None
    if not earliest <= day <= latest:
        # 9999-12-31 plus the day that makes "until" inclusive would overflow
        problems.append(f"Dates go from {earliest.isoformat()} to {latest.isoformat()}.")
        return None
    moment = datetime.combine(day, time(), tzinfo=timezone.utc)
    return moment + timedelta(days=1) if end else moment


# The history's "levels cleared" filter: its URL values and what each lets through.
CLEARED_CHOICES = {"none": "none", **{str(n): f"at least {n}" for n in range(1, MAX_LEVELS + 1)}}


def _cleared(problems: list[str]) -> tuple[int, ...] | None:
    raw = request.args.get("cleared", "")
    if not raw:
        return None
    if raw not in CLEARED_CHOICES:
        problems.append(f"Code levels cleared: choose none, or at least 1 to {MAX_LEVELS}.")
        return None
    return (0,) if raw == "none" else tuple(range(int(raw), MAX_LEVELS + 1))


def _date_range():
    return timeline.EARLIEST.date(), (request_now() + timeline.MAX_AHEAD).date()


@bp.get("/history")
@login_required
def history_list():
    catalog, loop = content().catalog, content().loop
    args = {
        k: request.args.get(k, "") for k in ("stage", "prompt", "tag", "role", "overall", "cleared", "since", "until")
    }
    tag_prompts = None
    if args["tag"]:
        tag_prompts = frozenset(p.slug for p in catalog.prompts.values() if args["tag"] in p.tags)
    problems: list[str] = []
    f = history.HistoryFilter(
        stage=args["stage"] or None,
        prompt=args["prompt"] or None,
        prompts=tag_prompts,
        role=args["role"] if args["role"] in history.ROLES else None,
        overall=args["overall"] or None,
        since=_date("since", problems),
        until=_date("until", problems, end=True),
        cleared=_cleared(problems),
    )
    cursors = {k: request.args.get(k) for k in ("older", "newer")}
    for key, cursor in cursors.items():
        if cursor is not None and history.decode_cursor(cursor) is None:
            problems.append("That page link is broken; this is the newest page.")
            cursors[key] = None
    page = history.history_page(current_user, f, older_than=cursors["older"], newer_than=cursors["newer"])
    stages = {s.slug: s for s in loop.stages}
    tags = sorted({t for p in catalog.prompts.values() for t in p.tags})
    filters = {k: v for k, v in args.items() if v}
    return render_template(
        "review/history.html",
        page=page,
        stages=stages,
        args=args,
        filters=filters,
        tags=tags,
        roles=history.ROLES,
        recommendation=loop.recommendation,
        titles={p.slug: p.title for p in catalog.prompts.values()},
        level_counts={p.slug: p.level_count for p in catalog.prompts.values()},
        cleared_choices=CLEARED_CHOICES,
        prompts=sorted(catalog.prompts.values(), key=lambda p: (p.stage, p.title)),
        problems=problems,
        date_range=_date_range(),
    ), 400 if problems else 200


# What the progress page shows of a user's history, kept by each worker per (user, review_version):
# database triggers bump the version whenever any of it changes (migration c5f2e8a1d7b3), so a kept
# entry is never stale, and reading the version costs nothing (the user loader loads the user row).
# Only what depends on the request or the moment (the suggested rounds, the start buttons' CSRF
# token) is computed every time. An entry is about 250 KB at 100k scorecards.
PAGES_KEPT = 16


@dataclass(frozen=True)
class _ProgressData:
    stages_html: Markup  # the stage sections, rendered
    coverage: story_core.Coverage | None
    calibration: list
    self_vs_ai: list


@dataclass(frozen=True)
class _ReadinessData:
    cards: dict[str, list[readiness.Card]]
    practiced: dict[str, datetime]
    attempts: list[tuple[str, datetime, str | None]]


def _kept(name: str) -> Kept:
    return current_app.extensions.setdefault(f"mockloop.kept_{name}", Kept(PAGES_KEPT))


def _review_key() -> tuple[int, int]:
    return (current_user.id, current_user.review_version)


@bp.get("/progress")
@login_required
def progress():
    data = _kept("progress").get(_review_key())
    if data is None:
        data = _progress_data()
        _kept("progress").put(_review_key(), data)
    return render_template(
        "review/progress.html",
        ready=readiness_view(),
        coverage=data.coverage,
        status_text=story_core.STATUS_TEXT,
        stages_html=data.stages_html,
        calibration=data.calibration,
        self_vs_ai=data.self_vs_ai,
    )


def _progress_data() -> _ProgressData:
    loop = content().loop
    stages = []
    progress = history.stage_progress(current_user, {s.slug: [d.key for d in s.rubric] for s in loop.stages})
    for stage in loop.stages:
        data = progress[stage.slug]
        if not data.rounds:
            continue
        charts = [
            (
                d,
                level_trend(
                    [lv for _, lv in data.trends[d.key]], f"{d.name} in {stage.title}", f"c-{stage.slug}-{d.key}"
                ),
                level_table(data.trends[d.key], f"{d.name} by round"),
                data.averages.get(d.key),
            )
            for d in stage.rubric
        ]
        stages.append((stage, data, charts))
    cov = story_core.coverage(story_tags(), stories.facts_of(current_user))
    coding = {s.slug: s for s, _, _ in stages if any(p.testable for p in content().catalog.for_stage(s.slug))}
    stages_html = render_template(
        "review/_progress_stages.html",
        stages=stages,
        code={
            slug: _code_view(coding[slug], points)
            for slug, points in history.code_trends(current_user, list(coding)).items()
        },
        pacing=_pacing(),
        cap=history.COUNT_CAP,
    )
    return _ProgressData(
        Markup(stages_html),
        cov if cov.stories else None,
        _calibration(ReviewerRole.INTERVIEWER),
        _calibration(ReviewerRole.AI),
    )


def _with_total(stage: str, prompt: str, figures: levels.Figures) -> levels.Figures:
    """The figures with the number of levels the prompt has (as the bank has it now), when it is known."""
    found = content().catalog.get(stage, prompt)
    return replace(figures, total=found.level_count if found else None)


def _code_view(stage: Stage, points: list[history.CodePoint]) -> dict | None:
    """A coding stage's level charts, levels cleared and first-run pass rate per scored round, and
    the rows behind them (when, prompt, figures) for the table that says the same in words."""
    if not points:
        return None
    catalog = content().catalog
    rows = []
    for p in points:
        prompt = catalog.get(stage.slug, p.prompt)
        rows.append((p.at, prompt.title if prompt else p.prompt, _with_total(stage.slug, p.prompt, p.figures)))
    figures = [f for _, _, f in rows]
    rates = [round(100 * rate) for f in figures if (rate := f.first_run_rate) is not None]
    return {
        "rows": rows,
        "cleared_chart": level_trend(
            [f.cleared for f in figures],
            f"Levels cleared in {stage.title}",
            f"c-{stage.slug}-levels",
            low=0,
            high=max([f.total or f.cleared for f in figures] + [1]),
        ),
        "rate_chart": level_trend(
            rates,
            f"First-run pass rate in {stage.title}",
            f"c-{stage.slug}-first-run",
            low=0,
            high=100,
            ticks=(0, 50, 100),
            unit="%",
        ),
        "recent": levels.pooled(figures),
    }


def _pacing():
    """Per stage and phase: in how many recent rounds the phase ran over its plan (was extended)."""

    out: dict[str, dict[str, list[int]]] = {}
    for stage, state in history.recent_phase_states(current_user):
        counts = out.setdefault(stage, {})
        for phase in state.phases:
            over, seen = counts.setdefault(phase.name, [0, 0])
            counts[phase.name] = [over + (phase.used_s > phase.planned_s + 1), seen + (phase.used_s > 0)]
    return out


def _calibration(against: ReviewerRole):
    """Mean of (self level - the other card's level) per stage and dimension, the other being the
    interviewer's or the AI reviewer's: + means you rate yourself higher."""
    sums: dict[tuple[str, str], list[int]] = {}
    for stage, mine, theirs in history.calibration_pairs(current_user, against):
        for dim in mine.keys() & theirs.keys():
            sums.setdefault((stage, dim), []).append(mine[dim] - theirs[dim])
    names = {(s.slug, d.key): (s.title, d.name) for s in content().loop.stages for d in s.rubric}
    return [(names.get(k, k), sum(v) / len(v), len(v)) for k, v in sorted(sums.items())]


def _prompt_stages() -> dict[str, list[str]]:
    catalog = content().catalog
    return {s.slug: [p.slug for p in catalog.for_stage(s.slug)] for s in content().loop.stages}


def _last_attempts() -> list[tuple[str, datetime, str | None]]:
    return history.last_attempts(current_user, [slug for slugs in _prompt_stages().values() for slug in slugs])


def _practice_plan(
    cards: dict[str, list[readiness.Card]], last: list[tuple[str, datetime, str | None]]
) -> list[suggestions.Suggestion]:
    """One suggested round per stage, weakest first, from the user's recent cards and last attempts."""
    loop = content().loop
    scores = [
        suggestions.ScorePoint(stage, dim, level, card.at)
        for stage, stage_cards in cards.items()
        for card in stage_cards
        for dim, level in card.levels.items()
    ]
    prompts = _prompt_stages()
    stage_of = {slug: stage for stage, slugs in prompts.items() for slug in slugs}
    attempts = [
        suggestions.Attempt(slug, stage_of[slug], at, overall) for slug, at, overall in last if slug in stage_of
    ]
    code: dict[str, list[levels.Figures]] = {}
    for stage, stage_cards in cards.items():
        seen = set()  # a round's self and interviewer cards carry the same figures: count it once
        for card in stage_cards:
            if card.code is not None and card.round_id not in seen:
                seen.add(card.round_id)
                code.setdefault(stage, []).append(_with_total(stage, card.prompt, card.code))
    return suggestions.suggest(
        [(s.slug, s.title) for s in loop.stages],
        prompts,
        {s.slug: {d.key: d.name for d in s.rubric} for s in loop.stages},
        scores,
        attempts,
        request_now(),
        code,
    )


def readiness_view() -> dict:
    """Readiness at a glance, for the top of the progress page and (shorter) the home page: per stage
    the recent level, trend, weakest dimension, last practice and the suggested next round; the
    dimension-by-stage map. Five statements, whatever the history's length, and none while the
    user's history is unchanged (kept like the progress page's data)."""
    loop = content().loop
    got = _kept("readiness").get(_review_key())
    if got is None:
        slugs = [s.slug for s in loop.stages]
        got = _ReadinessData(
            history.recent_cards(current_user, slugs, 2 * readiness.RECENT_CARDS),
            history.last_practiced(current_user, slugs),
            _last_attempts(),
        )
        _kept("readiness").put(_review_key(), got)
    cards = got.cards
    ready = {s.slug: readiness.stage_readiness(s, cards[s.slug], got.practiced.get(s.slug)) for s in loop.stages}
    plan = {p.stage: p for p in _practice_plan(cards, got.attempts)}
    return {
        "rows": [(ready[s.slug], plan.get(s.slug)) for s in loop.stages],
        "heat": readiness.heat_map(loop.stages, ready),
        "stages": loop.stages,
        "catalog": content().catalog,
        "recent": readiness.RECENT_CARDS,
        "any": any(r.level is not None or r.last_practiced for r in ready.values()),
    }


@bp.get("/next")
@login_required
def next_round():
    loop, catalog = content().loop, content().catalog
    cards = history.recent_cards(current_user, [s.slug for s in loop.stages], suggestions.WINDOW)
    cov = story_core.coverage(story_tags(), stories.facts_of(current_user))
    return render_template(
        "review/next.html",
        suggestions=_practice_plan(cards, _last_attempts()),
        stages={s.slug: s for s in loop.stages},
        catalog=catalog,
        story_steps=suggestions.story_steps(cov),
        has_behavioral=bool(loop.behavioral),
    )


@bp.get("/export.json")
@login_required
@transaction()
def export_json():
    # ?audio=1: with your audio recordings (base64: about 19 MB an hour of sound).
    folder = audio_folder() if request.args.get("audio") == "1" else None
    body = json.dumps(exchange.export_user(current_user, request_now(), folder), indent=1)
    return Response(
        body, mimetype="application/json", headers={"Content-Disposition": "attachment; filename=mockloop-export.json"}
    )


@bp.get("/export.csv")
@login_required
def export_csv():
    return Response(
        exchange.scorecards_csv(current_user),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=mockloop-scorecards.csv"},
    )


@bp.route("/import", methods=["GET", "POST"])
@login_required
@transaction()
def import_page():
    if request.method == "GET":
        return render_template("review/import.html", error=None)
    upload = request.files.get("file")
    error = None
    if upload is None or not upload.filename:
        error = "Choose a mockloop export file (.json) to import."
    else:
        try:
            doc = decode(upload.read(FILE_LIMIT + 1))  # one byte more tells "too big"
            added = exchange.import_user(current_user, doc, request_now(), audio_folder())
        except Invalid as exc:
            error = f"Nothing was imported. {exc}"
        else:
            flash(
                f"Imported {added['rounds']} rounds and {added['scorecards']} scorecards "
                f"({added['skipped_rounds']} rounds and {added['skipped_scorecards']} scorecards were already here)."
                + exchange.stories_line(added),
                "success",
            )
            return redirect(url_for("review.history_list"))
    return render_template("review/import.html", error=error), 400
