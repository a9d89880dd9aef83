"""Reading scorecards back: the history list, previous/next, and the figures behind the progress page.

Every query walks an index in submitted_at order and stops after a page, so the cost stays flat as a
user's history grows (see the 100,000-scorecard benchmark).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

from flask import current_app
from sqlalchemy import CompoundSelect, Select, and_, bindparam, func, literal, or_, union_all

from mockloop.core import readiness, timer
from mockloop.core.kept import Kept
from mockloop.core.levels import Figures
from mockloop.core.vocabulary import CardStatus, ReviewerRole, Seat
from mockloop.db import db
from mockloop.db.models import Round, RoundEvent, Score, Scorecard, User

PAGE_SIZE = 20
# The history filter: cards about the user as candidate, cards they gave as interviewer, self-assessments.
ROLES = {
    Seat.CANDIDATE: "as candidate",
    Seat.INTERVIEWER: "as interviewer",
    ReviewerRole.SELF: "self-assessment",
    ReviewerRole.AI: "AI reviewer",
}


@dataclass
class HistoryFilter:
    stage: str | None = None
    prompt: str | None = None
    prompts: frozenset[str] | None = None  # from a tag: the prompts that carry it
    role: str | None = None  # candidate | interviewer | self
    overall: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    cleared: tuple[int, ...] | None = None  # levels-cleared values a coding round's card may have


@dataclass
class Page:
    cards: list[Scorecard]
    older: str | None  # cursor for the next (older) page
    newer: str | None
    levels: dict[int, list[int]] = field(default_factory=dict)  # card id -> levels in rubric order


def _sources(user: User, role: str | None):
    """The (column, condition) pairs whose union is the user's history: cards they gave, cards about them."""
    gave = Scorecard.reviewer_id == user.id
    # Cards about the user by someone else are the interviewer cards of their rounds (a self card is
    # always by its candidate); this form walks the (candidate_id, role, submitted_at) index.
    about = and_(Scorecard.candidate_id == user.id, Scorecard.role == ReviewerRole.INTERVIEWER)
    # The AI reviewer's drafts of the user's rounds: the same index, a role of their own.
    drafted = and_(Scorecard.candidate_id == user.id, Scorecard.role == ReviewerRole.AI)
    if role == ReviewerRole.AI:
        return [drafted]
    if role == ReviewerRole.SELF:
        return [and_(gave, Scorecard.role == ReviewerRole.SELF)]
    if role == Seat.INTERVIEWER:
        return [and_(gave, Scorecard.role == ReviewerRole.INTERVIEWER)]
    if role == Seat.CANDIDATE:
        return [about]
    return [gave, about, drafted]


def _filtered(query, f: HistoryFilter):
    query = query.where(Scorecard.status == CardStatus.SUBMITTED)
    if f.stage:
        query = query.where(Scorecard.stage == f.stage)
    if f.prompt:
        query = query.where(Scorecard.prompt_slug == f.prompt)
    if f.prompts is not None:
        query = query.where(Scorecard.prompt_slug.in_(sorted(f.prompts) or [""]))
    if f.overall:
        query = query.where(Scorecard.overall == f.overall)
    if f.since:
        query = query.where(Scorecard.submitted_at >= f.since)
    if f.until:
        query = query.where(Scorecard.submitted_at < f.until)
    return query


def encode_cursor(card: Scorecard) -> str:
    assert card.submitted_at is not None  # history lists submitted cards only
    return f"{card.submitted_at.strftime('%Y%m%dT%H%M%S.%f')}_{card.id}"


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    try:
        stamp, card_id = (cursor or "").split("_")
        at, number = datetime.strptime(stamp, "%Y%m%dT%H%M%S.%f").replace(tzinfo=timezone.utc), int(card_id)
    except ValueError:
        return None
    # Ids fit a 32-bit database integer: a longer one would overflow in the driver (a 500).
    return (at, number) if card_id.isdigit() and number < 2**31 else None


def _walks(user: User, f: HistoryFilter):
    """The conditions whose union is the filtered history, each one index walk in submitted_at order:
    a levels-cleared filter splits every source into one walk per value ("at least 2" is 2, 3 and 4),
    so no walk reads cards it then throws away."""
    for condition in _sources(user, f.role):
        if f.cleared is None:
            yield condition
        else:
            yield from (and_(condition, Scorecard.levels_cleared == value) for value in f.cleared)


def history_page(
    user: User, f: HistoryFilter, older_than: str | None = None, newer_than: str | None = None, size: int = PAGE_SIZE
) -> Page:
    """One page of the user's scorecards, newest first, by keyset cursor (no OFFSET scans)."""
    after, before = decode_cursor(newer_than), decode_cursor(older_than)
    found: dict[int, datetime] = {}
    for condition in _walks(user, f):
        # Keys only: the walks may read several pages' worth, and only one page's cards are loaded.
        query = _filtered(db.select(Scorecard.id, Scorecard.submitted_at).where(condition), f)
        if before:
            query = query.where(
                or_(
                    Scorecard.submitted_at < before[0],
                    and_(Scorecard.submitted_at == before[0], Scorecard.id < before[1]),
                )
            )
        if after:
            query = query.where(
                or_(
                    Scorecard.submitted_at > after[0], and_(Scorecard.submitted_at == after[0], Scorecard.id > after[1])
                )
            )
            query = query.order_by(Scorecard.submitted_at.asc(), Scorecard.id.asc())
        else:
            query = query.order_by(Scorecard.submitted_at.desc(), Scorecard.id.desc())
        for card_id, at in db.session.execute(query.limit(size + 1)):
            found[card_id] = at
    ordered = sorted(found, key=lambda i: (found[i], i), reverse=not after)
    more = len(ordered) > size
    keys = ordered[:size]
    if after:  # walked upwards from an older page: show newest first, older ones certainly exist
        keys.reverse()
    loaded = db.session.execute(db.select(Scorecard).where(Scorecard.id.in_(keys))).scalars() if keys else ()
    by_id = {c.id: c for c in loaded}
    cards = [by_id[i] for i in keys]
    page = Page(cards, None, None)
    if after:
        page.newer = encode_cursor(cards[0]) if more and cards else None
        page.older = encode_cursor(cards[-1]) if cards else None
    elif cards:
        page.older = encode_cursor(cards[-1]) if more else None
        page.newer = encode_cursor(cards[0]) if before else None
    if cards:
        rows = db.session.execute(
            db.select(Score.scorecard_id, Score.level)
            .where(Score.scorecard_id.in_([c.id for c in cards]))
            .order_by(Score.scorecard_id, Score.position)
        ).all()
        for card_id, level in rows:
            page.levels.setdefault(card_id, []).append(level)
    return page


def neighbours(user: User, card: Scorecard) -> tuple[Scorecard | None, Scorecard | None]:
    """The cards just newer and just older than `card` in the user's history."""
    if card.submitted_at is None:
        return None, None
    newer = history_page(user, HistoryFilter(), newer_than=encode_cursor(card), size=1).cards
    older = history_page(user, HistoryFilter(), older_than=encode_cursor(card), size=1).cards
    return (newer[0] if newer else None), (older[0] if older else None)


# ---------- progress ----------

TREND_POINTS = 20  # rounds per stage on a trend chart
RECENT = 20  # rounds behind "recent average", pacing and calibration
COUNT_CAP = 1000


@dataclass
class StageProgress:
    stage: str
    rounds: int
    trends: dict[str, list[tuple[datetime, int]]]  # dimension -> (when, level), oldest first
    averages: dict[str, float]  # dimension -> mean of the recent levels


@lru_cache(maxsize=8)
def _trends_statement(dims: tuple[tuple[str, str], ...]) -> CompoundSelect | Select:
    parts = []
    for stage, dim in dims:  # each walks the (candidate, stage, dimension, scored_at) index for TREND_POINTS rows
        latest = (
            db.select(Score.stage, Score.dimension, Score.scored_at, Score.level)
            .where(
                Score.candidate_id == bindparam("user_id"),
                Score.stage == stage,
                Score.dimension == dim,
                Score.role != ReviewerRole.AI,  # trends are the human reviewers' word
            )
            .order_by(Score.scored_at.desc())
            .limit(TREND_POINTS)
            .subquery()
        )
        parts.append(db.select(latest.c.stage, latest.c.dimension, latest.c.scored_at, latest.c.level))
    return parts[0] if len(parts) == 1 else union_all(*parts)


@lru_cache(maxsize=8)
def _counts_statement(stages: tuple[str, ...]) -> CompoundSelect | Select:
    parts = []
    for stage in stages:
        # submitted_at is set exactly when a card is submitted, so this stays inside the index; the cap
        # keeps the cost flat for long histories (the page says "1,000+").
        capped = (
            db.select(Scorecard.id)
            .where(
                Scorecard.candidate_id == bindparam("user_id"),
                Scorecard.stage == stage,
                Scorecard.submitted_at.is_not(None),
                Scorecard.role != ReviewerRole.AI,
            )
            .limit(COUNT_CAP)
            .subquery()
        )
        parts.append(db.select(literal(stage).label("stage"), func.count()).select_from(capped))
    return parts[0] if len(parts) == 1 else union_all(*parts)


def stage_progress(user: User, dimensions: dict[str, list[str]]) -> dict[str, StageProgress]:
    """Per stage (with its rubric's dimension keys): trends and recent averages of how the user was
    scored as candidate (self and interviewer). Two statements, whatever the number of stages."""
    stages = tuple(dimensions)
    if not stages:
        return {}
    params = {"user_id": user.id}
    counts = {stage: n for stage, n in db.session.execute(_counts_statement(stages), params)}
    pairs = tuple((stage, dim) for stage in stages for dim in dimensions[stage])
    trends: dict[str, dict[str, list[tuple[datetime, int]]]] = {s: {d: [] for d in dimensions[s]} for s in stages}
    if pairs:
        for stage, dim, at, level in db.session.execute(_trends_statement(pairs), params):
            trends[stage][dim].append((at, level))
    out = {}
    for stage in stages:
        averages = {}
        for dim, points in trends[stage].items():
            points.sort(key=lambda p: p[0])  # oldest first
            recent = [level for _, level in points[-RECENT:]]
            if recent:
                averages[dim] = sum(recent) / len(recent)
        out[stage] = StageProgress(stage, counts.get(stage, 0), trends[stage], averages)
    return out


FINAL_STATES_KEPT = 20_000  # locked rounds whose final phase times a worker keeps (a few hundred bytes each)


def _final_states() -> Kept[timer.RoundState]:
    # On the app, not the module: every app (a test's, a worker's) has its own database and ids.
    return current_app.extensions.setdefault("mockloop.final_states", Kept(FINAL_STATES_KEPT))


@dataclass(frozen=True)
class CodePoint:
    """One scored coding round's level figures, dated by its newest card."""

    at: datetime
    prompt: str
    figures: Figures


_CODE_COLUMNS = (
    Scorecard.round_id,
    Scorecard.stage,
    Scorecard.prompt_slug,
    Scorecard.levels_cleared,
    Scorecard.levels_submitted,
    Scorecard.levels_first_passed,
)


def _figures(row) -> Figures | None:
    if row.levels_cleared is None:
        return None
    return Figures(row.levels_cleared, row.levels_submitted or 0, row.levels_first_passed or 0)


CODE_WINDOW = 4  # the level charts look at most this many times their points back


@lru_cache(maxsize=8)
def _code_cards_statement(stages: tuple[str, ...], count: int) -> CompoundSelect | Select:
    parts = []
    for stage in stages:
        # Each walks the (candidate, stage, submitted_at) index for the stage's last CODE_WINDOW x count
        # cards and keeps those with level figures: a bounded walk even when a long history of the
        # stage has none (rounds from before runs were recorded, prompts without tests).
        recent = (
            db.select(*_CODE_COLUMNS, Scorecard.submitted_at)
            .where(
                Scorecard.candidate_id == bindparam("user_id"),
                Scorecard.stage == stage,
                Scorecard.submitted_at.is_not(None),
            )
            .order_by(Scorecard.submitted_at.desc())
            .limit(CODE_WINDOW * count)
            .subquery()
        )
        parts.append(db.select(*recent.c).where(recent.c.levels_cleared.is_not(None)))
    return parts[0] if len(parts) == 1 else union_all(*parts)


def code_trends(user: User, stages: list[str], count: int = TREND_POINTS) -> dict[str, list[CodePoint]]:
    """Per coding stage, the level figures of the user's last `count` scored rounds as candidate,
    oldest first: one point per round, whose self and interviewer cards carry the same figures.
    One statement, whatever the number of stages."""
    if not stages:
        return {}
    rows = db.session.execute(_code_cards_statement(tuple(stages), 2 * count), {"user_id": user.id}).all()
    out: dict[str, list[CodePoint]] = {stage: [] for stage in stages}
    seen: set[int] = set()
    for row in sorted(rows, key=lambda r: r.submitted_at, reverse=True):
        figures = _figures(row)
        if figures is None or row.round_id in seen or len(out[row.stage]) >= count:
            continue
        seen.add(row.round_id)
        out[row.stage].append(CodePoint(row.submitted_at, row.prompt_slug, figures))
    return {stage: points[::-1] for stage, points in out.items()}


def recent_phase_states(user: User, limit: int = RECENT * 6) -> list[tuple[str, timer.RoundState]]:
    """(stage, final state) of the user's latest finished rounds as candidate, for pacing.

    A locked round's events never change, so its final state is worked out once per worker (keyed by
    its lock time too, in case an id is reused after a deletion); plain rows rather than ORM objects.
    """
    rows = db.session.execute(
        db.select(Round.id, Round.stage, Round.locked_at)
        .where(Round.candidate_id == user.id, Round.status == timer.LOCKED, Round.locked_at.is_not(None))
        .order_by(Round.created_at.desc())
        .limit(limit)
    ).all()
    kept = _final_states()
    states: dict[int, timer.RoundState] = {}
    missing = []
    for r in rows:
        state = kept.get((r.id, r.locked_at))
        if state is None:
            missing.append(r.id)
        else:
            states[r.id] = state
    if missing:
        events: dict[int, list[timer.Event]] = {rid: [] for rid in missing}
        for rid, kind, at, minutes in db.session.execute(
            db.select(RoundEvent.round_id, RoundEvent.kind, RoundEvent.at, RoundEvent.minutes)
            .where(RoundEvent.round_id.in_(missing))
            .order_by(RoundEvent.id)
        ):
            events[rid].append(timer.Event(kind, at, minutes))
        for rid, plan, locked_at in db.session.execute(
            db.select(Round.id, Round.plan, Round.locked_at).where(Round.id.in_(missing))
        ):
            state = timer.round_state([(n, m) for n, m in plan], events[rid], locked_at)
            kept.put((rid, locked_at), state)
            states[rid] = state
    return [(r.stage, states[r.id]) for r in rows]


def calibration_pairs(
    user: User, against: ReviewerRole = ReviewerRole.INTERVIEWER, limit: int = RECENT * 6
) -> list[tuple[str, dict[str, int], dict[str, int]]]:
    """(stage, self levels, the other card's levels) for recent rounds where the user has both their
    self-assessment and a card of role `against` (the interviewer's, or the AI reviewer's)."""
    interviewer_cards = (
        db.session.execute(
            db.select(Scorecard)
            .where(
                Scorecard.candidate_id == user.id,
                Scorecard.role == against,
                Scorecard.submitted_at.is_not(None),
            )
            .order_by(Scorecard.submitted_at.desc())
            .limit(limit)
        )
        .scalars()
        .all()
    )
    if not interviewer_cards:
        return []
    self_cards = {
        c.round_id: c
        for c in db.session.execute(
            db.select(Scorecard).where(
                Scorecard.round_id.in_([c.round_id for c in interviewer_cards]),
                Scorecard.role == ReviewerRole.SELF,
                Scorecard.status == CardStatus.SUBMITTED,
            )
        ).scalars()
    }
    pairs = [(self_cards[c.round_id], c) for c in interviewer_cards if c.round_id in self_cards]
    if not pairs:
        return []
    ids = [card.id for pair in pairs for card in pair]
    levels: dict[int, dict[str, int]] = {}
    for card_id, dim, level in db.session.execute(
        db.select(Score.scorecard_id, Score.dimension, Score.level).where(Score.scorecard_id.in_(ids))
    ):
        levels.setdefault(card_id, {})[dim] = level
    return [(s.stage, levels.get(s.id, {}), levels.get(i.id, {})) for s, i in pairs]


@lru_cache(maxsize=8)
def _last_attempts_statement(prompt_slugs: tuple[str, ...]) -> CompoundSelect | Select:
    # One statement, a limited walk of the (candidate, prompt, created_at) index per prompt: the cost
    # stays flat however long the history, and it is built once per bank (the user is a parameter).
    parts = []
    for slug in prompt_slugs:
        latest = (
            db.select(Round.id, Round.prompt_slug, Round.created_at)
            .where(Round.candidate_id == bindparam("user_id"), Round.prompt_slug == slug)
            .order_by(Round.created_at.desc())
            .limit(1)
            .subquery()
        )
        parts.append(db.select(latest.c.id, latest.c.prompt_slug, latest.c.created_at))
    return parts[0] if len(parts) == 1 else union_all(*parts)


def last_attempts(user: User, prompt_slugs: list[str]) -> list[tuple[str, datetime, str | None]]:
    """Per prompt: when the user last practiced it as candidate, and that round's overall result (the
    interviewer's when the round has both cards)."""
    if not prompt_slugs:
        return []
    rows = db.session.execute(_last_attempts_statement(tuple(prompt_slugs)), {"user_id": user.id}).all()
    overall: dict[int, str | None] = {}
    if rows:
        for round_id, value in db.session.execute(
            db.select(Scorecard.round_id, Scorecard.overall)
            .where(Scorecard.round_id.in_([r.id for r in rows]), Scorecard.status == CardStatus.SUBMITTED)
            .order_by(Scorecard.role.desc())  # "interviewer" is read last, so it wins
        ):
            overall[round_id] = value
    by_slug = {r.prompt_slug: r for r in rows}
    return [(slug, by_slug[slug].created_at, overall.get(by_slug[slug].id)) for slug in prompt_slugs if slug in by_slug]


# ---------- readiness at a glance ----------


@lru_cache(maxsize=8)
def _recent_cards_statement(stages: tuple[str, ...], count: int) -> CompoundSelect | Select:
    parts = []
    for stage in stages:  # each walks the (candidate, stage, submitted_at) index and stops at `count`
        recent = (
            db.select(Scorecard.id, *_CODE_COLUMNS, Scorecard.submitted_at)
            .where(
                Scorecard.candidate_id == bindparam("user_id"),
                Scorecard.stage == stage,
                Scorecard.submitted_at.is_not(None),
                Scorecard.role != ReviewerRole.AI,
            )
            .order_by(Scorecard.submitted_at.desc())
            .limit(count)
            .subquery()
        )
        parts.append(db.select(*recent.c))
    return parts[0] if len(parts) == 1 else union_all(*parts)


def recent_cards(user: User, stages: list[str], count: int) -> dict[str, list[readiness.Card]]:
    """Per stage, the user's last `count` submitted cards as candidate (self and interviewer alike),
    newest first, each with its levels (and a coding round's level figures). Two statements, whatever
    the number of stages."""
    if not stages:
        return {}
    cards = db.session.execute(_recent_cards_statement(tuple(stages), count), {"user_id": user.id}).all()
    levels: dict[int, dict[str, int]] = {c.id: {} for c in cards}
    if cards:
        for card_id, dim, level in db.session.execute(
            db.select(Score.scorecard_id, Score.dimension, Score.level).where(Score.scorecard_id.in_(list(levels)))
        ):
            levels[card_id][dim] = level
    out: dict[str, list[readiness.Card]] = {stage: [] for stage in stages}
    for c in sorted(cards, key=lambda c: (c.submitted_at, c.id), reverse=True):
        out[c.stage].append(readiness.Card(c.submitted_at, levels[c.id], c.round_id, c.prompt_slug, _figures(c)))
    return out


@lru_cache(maxsize=8)
def _last_practiced_statement(stages: tuple[str, ...]) -> CompoundSelect | Select:
    parts = []
    for stage in stages:  # the (candidate, stage, created_at) index, walked back to the first real round
        latest = (
            db.select(Round.stage, Round.created_at)
            .where(
                Round.candidate_id == bindparam("user_id"),
                Round.stage == stage,
                Round.status != timer.PLANNED,
                or_(Round.lock_reason.is_(None), Round.lock_reason != "cancelled"),
            )
            .order_by(Round.created_at.desc())
            .limit(1)
            .subquery()
        )
        parts.append(db.select(latest.c.stage, latest.c.created_at))
    return parts[0] if len(parts) == 1 else union_all(*parts)


def last_practiced(user: User, stages: list[str]) -> dict[str, datetime]:
    """Per stage, when the user last started a round of it as candidate (a planned or cancelled round
    does not count)."""
    if not stages:
        return {}
    rows = db.session.execute(_last_practiced_statement(tuple(stages)), {"user_id": user.id}).all()
    return {stage: at for stage, at in rows}
