"""Whether the AI reviewer may be trusted on this instance: a calibration (`mockloop ai calibrate`)
of the model in use over enough human-scored rounds reached the agreement open graders ask for."""

from __future__ import annotations

from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import datetime

from mockloop.config import AiSettings
from mockloop.core.agreement import Agreement, agreement
from mockloop.core.catalog import Catalog
from mockloop.core.errors import Unavailable
from mockloop.core.vocabulary import CardStatus, ReviewerRole
from mockloop.db import db
from mockloop.db.models import AiCalibration, Scorecard
from mockloop.services.ai import budget, review
from mockloop.services.ai.provider import Usage, provider_for

FEATURE = "calibration"

MIN_ROUNDS = 30
MIN_KAPPA = 0.67
NOT_CALIBRATED = "not calibrated on this instance"


def latest(settings: AiSettings) -> AiCalibration | None:
    return db.session.execute(
        db.select(AiCalibration)
        .filter_by(provider=settings.provider, model=settings.model)
        .order_by(AiCalibration.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def passed(found: AiCalibration | None) -> bool:
    return found is not None and found.rounds >= MIN_ROUNDS and (found.kappa or 0) >= MIN_KAPPA


def status(settings: AiSettings) -> str:
    """What an AI card says about how far to trust it."""
    found = latest(settings)
    if not passed(found):
        return NOT_CALIBRATED
    assert found is not None
    return f"calibrated on this instance: kappa {found.kappa:.2f} over {found.rounds} human-scored rounds"


@dataclass(frozen=True)
class Outcome:
    stored: AiCalibration
    per_dimension: list[tuple[str, Agreement]]  # ("stage/key", agreement), sorted
    overall: Agreement
    failed: list[tuple[str, str]]  # (round uid, why) for rounds the reviewer could not score


def human_cards(limit: int) -> list[Scorecard]:
    """The newest human-scored locked rounds' reference cards: the interviewer's where there is one,
    else the candidate's self-assessment. One card per round."""
    cards = db.session.execute(
        db.select(Scorecard)
        .where(Scorecard.status == CardStatus.SUBMITTED, Scorecard.role != ReviewerRole.AI)
        .order_by(Scorecard.submitted_at.desc(), Scorecard.id.desc())
    ).scalars()
    chosen: dict[int, Scorecard] = {}
    for card in cards:
        if card.role == ReviewerRole.INTERVIEWER or card.round_id not in chosen:
            chosen[card.round_id] = card
    return list(chosen.values())[:limit]


def run(settings: AiSettings, catalog: Catalog, limit: int, now: datetime) -> Outcome:
    """Score each human-scored round with the AI reviewer (no card is stored), compare the levels
    per dimension, and store the result. The tokens are recorded, outside every user's budget."""
    pairs: dict[str, list[tuple[int, int]]] = {}
    failed, scored = [], 0

    def spend(usage: Usage) -> None:
        budget.record(None, None, FEATURE, usage, now)

    with closing(provider_for(settings)) as provider:
        for card in human_cards(limit):
            rnd = card.round
            parts = review.material(rnd, catalog.get(rnd.stage, rnd.prompt_slug), card.rubric, now)
            try:
                answers, _ = review.score(provider, card.rubric, parts, spend)
            except Unavailable as exc:
                failed.append((rnd.uid, exc.message))
                continue
            scored += 1
            for s in card.scores:
                level = answers["levels"].get(s.dimension)
                if level is not None:
                    pairs.setdefault(f"{rnd.stage}/{s.dimension}", []).append((s.level, level))
    per_dimension = [(key, agreement(found)) for key, found in sorted(pairs.items())]
    overall = agreement([p for found in pairs.values() for p in found])
    stored = AiCalibration(
        at=now,
        provider=settings.provider,
        model=settings.model,
        rounds=scored,
        kappa=overall.kappa,
        dimensions=[{"dimension": key, **asdict(a)} for key, a in per_dimension],
    )
    db.session.add(stored)
    db.session.flush()
    return Outcome(stored, per_dimension, overall, failed)
