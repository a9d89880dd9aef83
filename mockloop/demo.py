"""Demo data: a long practice history for one user, for trying the review pages and benchmarking them."""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert

from .core.catalog import Catalog
from .core.loop import Loop
from .core.rubric import snapshot
from .extensions import db
from .models import Round, RoundEvent, Score, Scorecard, User

BATCH = 2_000


def seed_history(user: User, loop: Loop, catalog: Catalog, count: int, now: datetime, seed: int = 7) -> int:
    """Add `count` finished solo rounds, each with a submitted self-assessment, spread over past days.

    Bulk inserts in batches (not the ORM unit of work), so 100,000 scorecards take seconds, not hours.
    """
    rng = random.Random(seed)
    stages = [(s, catalog.for_stage(s.slug), snapshot(loop, s)) for s in loop.stages if catalog.for_stage(s.slug)]
    overall = [r.key for r in loop.recommendation]
    made = 0
    while made < count:
        n = min(BATCH, count - made)
        rounds, cards, plans = [], [], []
        for i in range(n):
            stage, prompts, rubric = stages[(made + i) % len(stages)]
            prompt = rng.choice(prompts)
            minutes = stage.duration.default
            started = now - timedelta(minutes=30 * (count - made - i))
            rounds.append({"uid": str(uuid.uuid4()), "owner_id": user.id, "candidate_id": user.id, "stage": stage.slug,
                           "prompt_slug": prompt.slug, "prompt_title": prompt.title, "minutes": minutes,
                           "plan": [[p.name, p.minutes] for p in prompt.plan(stage, minutes)], "status": "locked",
                           "lock_reason": "time", "locked_at": started + timedelta(minutes=minutes),
                           "version": 3, "scratchpad": "", "scratchpad_rev": 0, "mode": "solo",
                           "interviewer_notes": "", "notes_rev": 0, "created_at": started})
            plans.append((stage, rubric, started + timedelta(minutes=minutes)))
        ids = db.session.execute(insert(Round).returning(Round.id), rounds).scalars().all()
        events = []
        for rid, row in zip(ids, rounds):
            events.append({"round_id": rid, "kind": "start", "at": row["created_at"], "recorded_at": row["created_at"],
                           "minutes": 0.0})
            events.append({"round_id": rid, "kind": "expire", "at": row["locked_at"], "recorded_at": row["locked_at"],
                           "minutes": 0.0})
        db.session.execute(insert(RoundEvent), events)
        for rid, row, (stage, rubric, done) in zip(ids, rounds, plans):
            cards.append({"uid": str(uuid.uuid4()), "round_id": rid, "reviewer_id": user.id,
                          "reviewer_name": user.display_name, "candidate_id": user.id, "role": "self",
                          "stage": stage.slug, "prompt_slug": row["prompt_slug"], "status": "submitted",
                          "overall": rng.choice(overall), "keep": "Kept structure.", "stop": "Rushing.",
                          "start": "Summarise.", "rubric": rubric, "revision": 1, "created_at": done,
                          "submitted_at": done})
        card_ids = db.session.execute(insert(Scorecard).returning(Scorecard.id), cards).scalars().all()
        scores = [{"scorecard_id": cid, "candidate_id": user.id, "role": "self", "stage": stage.slug,
                   "dimension": d.key, "position": pos, "level": rng.randint(1, 4), "evidence": "",
                   "scored_at": done}
                  for cid, (stage, _, done) in zip(card_ids, plans) for pos, d in enumerate(stage.rubric)]
        db.session.execute(insert(Score), scores)
        db.session.commit()
        made += n
    return made
