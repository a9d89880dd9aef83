"""Demo data: a long practice history for one user, for trying the review pages and benchmarking them."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from mockloop.core.catalog import Catalog
from mockloop.core.loop import Loop, Stage
from mockloop.core.rubric import snapshot
from mockloop.core.vocabulary import CardStatus, Mode, ReviewerRole
from mockloop.db import db
from mockloop.db.models import Round, RoundEvent, Score, Scorecard, User

BATCH = 2_000


def finished_rounds(
    user: User, stages: list[Stage], catalog: Catalog, count: int, now: datetime, rng: random.Random
) -> list[tuple[int, Stage, str, datetime]]:
    """Insert `count` solo rounds that ran to their deadline, half an hour apart, cycling through
    `stages`; return (round id, stage, prompt slug, end) for each. Bulk inserts, not the ORM unit of
    work, so 100,000 rounds take seconds."""
    made: list[tuple[int, Stage, str, datetime]] = []
    while len(made) < count:
        rows: list[dict[str, Any]] = []
        for i in range(len(made), min(len(made) + BATCH, count)):
            stage = stages[i % len(stages)]
            prompt = rng.choice(catalog.for_stage(stage.slug))
            minutes = stage.duration.default
            started = now - timedelta(minutes=30 * (count - i) + minutes)
            rows.append(
                {
                    "uid": str(uuid.uuid4()),
                    "owner_id": user.id,
                    "candidate_id": user.id,
                    "stage": stage.slug,
                    "prompt_slug": prompt.slug,
                    "prompt_title": prompt.title,
                    "minutes": minutes,
                    "plan": [[p.name, p.minutes] for p in prompt.phases_for(stage, minutes)],
                    "status": "locked",
                    "lock_reason": "time",
                    "locked_at": started + timedelta(minutes=minutes),
                    "version": 3,
                    "mode": Mode.SOLO,
                    "pinned": False,
                    "created_at": started,
                }
            )
        ids = db.session.execute(insert(Round).returning(Round.id, sort_by_parameter_order=True), rows).scalars().all()
        db.session.execute(
            insert(RoundEvent),
            [
                {"round_id": rid, "kind": kind, "at": at, "recorded_at": at, "minutes": 0.0}
                for rid, row in zip(ids, rows)
                for kind, at in (("start", row["created_at"]), ("expire", row["locked_at"]))
            ],
        )
        made += [
            (rid, stages[(len(made) + j) % len(stages)], row["prompt_slug"], row["locked_at"])
            for j, (rid, row) in enumerate(zip(ids, rows))
        ]
    return made


def _level_figures(levels: int | None, rng: random.Random) -> dict[str, int | None]:
    """Plausible figures for a coding round of a prompt with `levels` (None: no tests): a level whose
    first submit passed was cleared, and every cleared level was submitted."""
    if levels is None:
        return {"levels_cleared": None, "levels_submitted": None, "levels_first_passed": None}
    cleared = rng.randint(0, levels)
    return {
        "levels_cleared": cleared,
        "levels_submitted": rng.randint(cleared, levels),
        "levels_first_passed": rng.randint(0, cleared),
    }


def seed_history(user: User, loop: Loop, catalog: Catalog, count: int, now: datetime, seed: int = 7) -> int:
    """Add `count` finished rounds across the loop's stages, each with a submitted self-assessment
    (with level figures in coding stages)."""
    rng = random.Random(seed)
    stages = [s for s in loop.stages if catalog.for_stage(s.slug)]
    rubrics = {s.slug: snapshot(loop, s) for s in stages}
    overall = [r.key for r in loop.recommendation]
    rounds = finished_rounds(user, stages, catalog, count, now, rng)
    for start in range(0, len(rounds), BATCH):
        batch = rounds[start : start + BATCH]
        cards = [
            {
                "uid": str(uuid.uuid4()),
                "round_id": rid,
                "reviewer_id": user.id,
                "reviewer_name": user.display_name,
                "candidate_id": user.id,
                "role": ReviewerRole.SELF,
                "stage": stage.slug,
                "prompt_slug": slug,
                "status": CardStatus.SUBMITTED,
                "overall": rng.choice(overall),
                "keep": "Kept structure.",
                "stop": "Rushing.",
                "start": "Summarise.",
                "rubric": rubrics[stage.slug],
                "revision": 1,
                "created_at": done,
                "submitted_at": done,
                **_level_figures(prompt.level_count if (prompt := catalog.get(stage.slug, slug)) else None, rng),
            }
            for rid, stage, slug, done in batch
        ]
        card_ids = (
            db.session.execute(insert(Scorecard).returning(Scorecard.id, sort_by_parameter_order=True), cards)
            .scalars()
            .all()
        )
        db.session.execute(
            insert(Score),
            [
                {
                    "scorecard_id": cid,
                    "candidate_id": user.id,
                    "role": ReviewerRole.SELF,
                    "stage": stage.slug,
                    "dimension": d.key,
                    "position": pos,
                    "level": rng.randint(1, 4),
                    "evidence": "",
                    "scored_at": done,
                }
                for cid, (_, stage, _, done) in zip(card_ids, batch)
                for pos, d in enumerate(stage.rubric)
            ],
        )
    return len(rounds)
