"""Database models (SQLAlchemy 2 typed style). Times are stored as naive UTC and read back aware."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, attribute_keyed_dict, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from mockloop import clock
from mockloop.db import Model

# Werkzeug's scrypt at its own cost (2**15, 8, 1). The test suite lowers it (tests/conftest.py): a hash
# there would otherwise cost a tenth of a second for every user a test makes or logs in.
PASSWORD_METHOD = "scrypt"


class UTCDateTime(TypeDecorator):
    """Same on SQLite and PostgreSQL: naive UTC in the column, aware UTC in Python."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use aware UTC datetimes")
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=timezone.utc) if value is not None else None


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    timezone: Mapped[str | None] = mapped_column(String(64))  # IANA name; None: the browser's
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    # Bumped by database triggers whenever what the progress page shows of this user changes
    # (migration c5f2e8a1d7b3): web/review.py keeps the page's data per (user, review_version).
    review_version: Mapped[int] = mapped_column(default=0, server_default="0")

    # Not a column: the login session (accounts/sessions.py) this object was loaded or logged in with.
    session_token = None  # type: str | None

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        # What Flask-Login keeps in the cookie: the user and the server-side session it must still find.
        return f"{self.id}:{self.session_token}"


class LoginSession(Model):
    """One logged-in browser. Its cookie names the row, and every request must find it: deleting it
    (log-out, log out everywhere, a password change) ends that session wherever the cookie was copied."""

    __tablename__ = "login_sessions"

    # sha256 of the cookie's random token, so a copy of the database holds no usable session.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Round(Model):
    """One timed run of one stage with one prompt. Status and deadline_at are derived from the
    events (core.timer) and stored only so the scheduler and lists can query them cheaply."""

    __tablename__ = "rounds"
    __table_args__ = (
        Index("ix_rounds_status_deadline", "status", "deadline_at"),
        Index("ix_rounds_candidate_prompt_created", "candidate_id", "prompt_slug", "created_at"),
        Index("ix_rounds_candidate_created", "candidate_id", "created_at"),
        # When each stage was last practiced (readiness at a glance): one short walk per stage.
        Index("ix_rounds_candidate_stage_created", "candidate_id", "stage", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Identity across instances: export/import matches rounds by uid, so importing twice adds nothing.
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    interviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    stage: Mapped[str] = mapped_column(String(64))
    prompt_slug: Mapped[str] = mapped_column(String(100), index=True)
    prompt_title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int]
    plan: Mapped[list] = mapped_column(JSON)  # [[phase name, minutes], ...] as scaled at creation
    status: Mapped[str] = mapped_column(String(16), default="planned")
    lock_reason: Mapped[str | None] = mapped_column(String(16))
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)  # bumped by every event: the state's ETag
    mode: Mapped[str] = mapped_column(String(8), default="solo")  # solo | peer
    swapped_round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))
    # Scheduling: a round of a planned loop, or a peer round booked for later.
    loop_id: Mapped[int | None] = mapped_column(ForeignKey("loop_plans.id", ondelete="CASCADE"), index=True)
    loop_position: Mapped[int | None]
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # as planned or booked
    pinned: Mapped[bool] = mapped_column(default=False)  # keeps its own time in a loop (take-home window)
    candidate_joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    interviewer_joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    no_show: Mapped[str | None] = mapped_column(String(16))  # candidate | interviewer | both
    # The interviewer shared their notes and markers with the candidate, after the round (services/markers.py).
    notes_shared: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())

    candidate: Mapped[User | None] = relationship(foreign_keys=[candidate_id])
    interviewer: Mapped[User | None] = relationship(foreign_keys=[interviewer_id])
    events: Mapped[list[RoundEvent]] = relationship(
        back_populates="round", order_by="RoundEvent.id", cascade="all, delete-orphan"
    )
    # Keyed by kind; a kind without a row has never been saved (revision 0, empty).
    work: Mapped[dict[str, RoundWork]] = relationship(
        collection_class=attribute_keyed_dict("kind"), cascade="all, delete-orphan", passive_deletes=True
    )
    runs: Mapped[list[RoundRun]] = relationship(
        order_by="RoundRun.id", cascade="all, delete-orphan", passive_deletes=True
    )

    def text(self, kind: str) -> str:
        piece = self.work.get(kind)
        return piece.body if piece else ""

    def revision(self, kind: str) -> int:
        piece = self.work.get(kind)
        return piece.revision if piece else 0


class RoundWork(Model):
    """One piece of a round's work (core/work.py: the scratchpad, the interviewer's notes, the code),
    saved with a revision: a save names the revision it was written on, so a stale tab cannot
    overwrite a newer copy."""

    __tablename__ = "round_work"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    body: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(default=0)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(16))  # code: the candidate's language


class RoundRevision(Model):
    """One autosave of a piece of round work, kept for the replay (core/revisions.py): a full copy
    or the edit from the revision before it, compressed when that pays."""

    __tablename__ = "round_revisions"
    __table_args__ = (UniqueConstraint("round_id", "kind", "revision", name="uq_round_revisions_piece_revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int]
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    full: Mapped[bool]  # a full copy, where a chain of edits starts
    body: Mapped[bytes] = mapped_column(LargeBinary)


class RoundRun(Model):
    """A run of the candidate's code in their browser, as the browser reported it: the server never
    executes candidate code, so outcome and duration are the page's word, labelled as such."""

    __tablename__ = "round_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the server received the report
    language: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))  # core/work.py RUN_OUTCOMES
    duration_ms: Mapped[int]
    stdout: Mapped[str] = mapped_column(Text, default="")
    stderr: Mapped[str] = mapped_column(Text, default="")
    truncated: Mapped[bool] = mapped_column(default=False)
    code_revision: Mapped[int] = mapped_column(default=0)  # the saved code the run started from
    kind: Mapped[str] = mapped_column(String(8), default="run", server_default="run")  # core/work.py RUN_KINDS
    level: Mapped[int | None]  # of a leveled prompt: the level the run was on
    tests_passed: Mapped[int | None]  # example tests (a run, as reported) or hidden tests (a submit, as compared)
    tests_total: Mapped[int | None]


class RoundMarker(Model):
    """A few words the interviewer dropped at a moment of a peer round (services/markers.py)."""

    __tablename__ = "round_markers"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(String(200))


class RoundAudio(Model):
    """One participant's audio recording of a round (services/audio.py): its chunks are appended to
    a file under the instance folder (audio/<round id>/<id>), which goes with the round."""

    __tablename__ = "round_audio"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    seat: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mime: Mapped[str] = mapped_column(String(32))
    chunks: Mapped[int] = mapped_column(default=0)
    size: Mapped[int] = mapped_column(default=0)  # bytes in the file
    full: Mapped[bool] = mapped_column(default=False)  # the cap was reached: it stopped there


class RoundEvent(Model):
    __tablename__ = "round_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it took effect (an expiry: the deadline)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the server wrote it
    minutes: Mapped[float] = mapped_column(default=0.0)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    round: Mapped[Round] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class LoopPlan(Model):
    """A user's scheduled run through several stages; its rounds carry loop_id and loop_position."""

    __tablename__ = "loop_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    break_minutes: Mapped[int] = mapped_column(default=15)
    status: Mapped[str] = mapped_column(String(16), default="planned")  # planned | cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())

    rounds: Mapped[list[Round]] = relationship(order_by="Round.loop_position", foreign_keys="Round.loop_id")


class Notice(Model):
    """Something the scheduler tells a user at a time: a round opening, a reminder, a no-show.

    fired_at is set by one conditional UPDATE, so each notice fires once whatever process fires it.
    """

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("round_id", "user_id", "kind", name="uq_notices_round_user_kind"),
        Index("ix_notices_fired_due", "fired_at", "due_at"),
        Index("ix_notices_user_fired", "user_id", "fired_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # open | reminder | no_show
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(String(300), default="")

    round: Mapped[Round] = relationship()


class Invite(Model):
    """A link that seats a peer in a round. Only a hash of the token is stored."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # the seat it offers: candidate | interviewer
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposed_times: Mapped[list | None] = mapped_column(JSON)  # ISO UTC times the invitee picks from

    round: Mapped[Round] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])


class Scorecard(Model):
    """One reviewer's rubric for one round: a self-assessment or the interviewer's card.

    candidate_id, stage and prompt_slug repeat the round's so history filters need no join.
    """

    __tablename__ = "scorecards"
    __table_args__ = (
        UniqueConstraint("round_id", "reviewer_id", name="uq_scorecards_round_reviewer"),
        Index("ix_scorecards_candidate_role_submitted", "candidate_id", "role", "submitted_at"),
        # role last: the progress page counts a stage's human cards from the index alone
        Index("ix_scorecards_candidate_stage_submitted", "candidate_id", "stage", "submitted_at", "role"),
        Index("ix_scorecards_reviewer_submitted", "reviewer_id", "submitted_at"),
        # The history's "levels cleared" filter walks one of these per source and value, in order.
        Index("ix_scorecards_reviewer_cleared_submitted", "reviewer_id", "levels_cleared", "submitted_at"),
        Index(
            "ix_scorecards_candidate_role_cleared_submitted", "candidate_id", "role", "levels_cleared", "submitted_at"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    # Null for a card imported from another instance whose author has no account here.
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewer_name: Mapped[str] = mapped_column(String(80), default="")
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(16))  # self | interviewer
    stage: Mapped[str] = mapped_column(String(64))
    prompt_slug: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | submitted
    overall: Mapped[str | None] = mapped_column(String(32))
    keep: Mapped[str] = mapped_column(Text, default="")
    stop: Mapped[str] = mapped_column(Text, default="")
    start: Mapped[str] = mapped_column(Text, default="")
    rubric: Mapped[dict] = mapped_column(JSON)  # the rubric as it was when scoring began
    draft: Mapped[dict | None] = mapped_column(JSON)  # raw form fields, autosaved
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revision: Mapped[int] = mapped_column(default=0)  # bumped by every submit: stale edits get 409
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the first submit
    # A coding round's level figures (core/levels.py), fixed when the card is made (the round is
    # locked by then); None where the prompt has no hidden tests.
    levels_cleared: Mapped[int | None]
    levels_submitted: Mapped[int | None]
    levels_first_passed: Mapped[int | None]

    round: Mapped[Round] = relationship()
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])

    @property
    def reviewer_label(self) -> str:
        return self.reviewer.display_name if self.reviewer else (self.reviewer_name or "a former member")

    scores: Mapped[list[Score]] = relationship(
        back_populates="scorecard", cascade="all, delete-orphan", order_by="Score.position"
    )
    edits: Mapped[list[ScorecardEdit]] = relationship(
        back_populates="scorecard", cascade="all, delete-orphan", order_by="ScorecardEdit.id"
    )


class Score(Model):
    """One dimension's level on a submitted scorecard: a row each, so trends are one indexed query."""

    __tablename__ = "scores"
    __table_args__ = (Index("ix_scores_candidate_stage_dim", "candidate_id", "stage", "dimension", "scored_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(64))
    dimension: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    level: Mapped[int]
    evidence: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime)

    scorecard: Mapped[Scorecard] = relationship(back_populates="scores")


class ScorecardEdit(Model):
    __tablename__ = "scorecard_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    changes: Mapped[list] = mapped_column(JSON)

    scorecard: Mapped[Scorecard] = relationship(back_populates="edits")
    editor: Mapped[User | None] = relationship()


class Story(Model):
    """A prepared story for the behavioral rounds, private to its owner: STAR text plus a reflection,
    tagged with the behavioral dimensions it shows and the prompts it answers. Saved with a revision,
    like round work: a save names the revision it was written on, so a stale tab gets a 409."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    situation: Mapped[str] = mapped_column(Text, default="")
    task: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    reflection: Mapped[str] = mapped_column(Text, default="")
    dimensions: Mapped[list] = mapped_column(JSON, default=list)  # rubric keys of behavioral stages
    prompts: Mapped[list] = mapped_column(JSON, default=list)  # prompt slugs of behavioral stages
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())

    drills: Mapped[list[StoryDrill]] = relationship(
        back_populates="story", order_by="StoryDrill.id", cascade="all, delete-orphan", passive_deletes=True
    )


class StoryDrill(Model):
    """One telling of a story against a timer, then the teller's rating of it (1-4 per dimension)."""

    __tablename__ = "story_drills"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    limit_seconds: Mapped[int]
    cue: Mapped[str] = mapped_column(String(16))  # hidden | bullets: what the teller sees meanwhile
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ratings: Mapped[dict | None] = mapped_column(JSON)  # dimension key -> level, once rated
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    story: Mapped[Story] = relationship(back_populates="drills")


class StoryUse(Model):
    """A story its owner told in a round (as its candidate): the round's scorecards list it."""

    __tablename__ = "story_uses"

    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    story: Mapped[Story] = relationship()


class AiUsage(Model):
    """The tokens one call to the AI provider used: the daily budget sums a user's, and a round with
    any is one that AI took part in (the round says so)."""

    __tablename__ = "ai_usage"
    __table_args__ = (Index("ix_ai_usage_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for `mockloop ai calibrate`, run by whoever runs the instance, outside any user's budget.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    feature: Mapped[str] = mapped_column(String(16))  # interviewer | reviewer | calibration
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    input_tokens: Mapped[int] = mapped_column(default=0)
    output_tokens: Mapped[int] = mapped_column(default=0)


class AiCalibration(Model):
    """One run of `mockloop ai calibrate`: the AI reviewer's agreement with human scorecards on this
    instance, for the model it ran with. AI cards count as calibrated only after a good enough one."""

    __tablename__ = "ai_calibrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    provider: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(200))
    rounds: Mapped[int]  # rounds the reviewer scored and compared
    kappa: Mapped[float | None]  # quadratic-weighted, over every dimension's pairs together
    dimensions: Mapped[list] = mapped_column(JSON)  # per dimension: key, pairs, kappa, mae, exact, adjacent
