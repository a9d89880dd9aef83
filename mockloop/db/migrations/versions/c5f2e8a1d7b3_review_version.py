"""users.review_version: bumped by the database itself whenever anything the progress page shows of
that user changes (their scorecards as the candidate, their rounds, their stories and drills), so
a worker may keep the page's data for (user, review_version) and know when it is stale.

Triggers rather than application code, because the page's inputs are written by many paths (the
ORM, bulk inserts, foreign-key cascades, the scheduler's locking UPDATE) and every one must count.

SQLite's batch_alter_table copies a table to a new one and loses its triggers: a later migration
that batch-alters one of these tables must call create_triggers() again (tests/test_progress_cache.py
fails otherwise).

Revision ID: c5f2e8a1d7b3
Revises: b4e8c2a6d019
Create Date: 2026-12-02 07:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c5f2e8a1d7b3'
down_revision = 'b4e8c2a6d019'
branch_labels = None
depends_on = None

# table -> (the column naming whose page it is, None for a drill: its story's owner; the columns an
# UPDATE must change to count). Autosaves (round work, a card's draft, a story's text) change none
# of these, so they bump nothing: a story's autosave writes its title and tags too, unchanged. Scores
# need none: they are only ever written with their card's insert or its revision's bump.
WATCHED: dict[str, tuple[str | None, list[str]]] = {
    "scorecards": (
        "candidate_id",
        ["status", "overall", "submitted_at", "revision", "candidate_id", "role", "stage", "prompt_slug",
         "round_id", "levels_cleared", "levels_submitted", "levels_first_passed"],
    ),
    "rounds": ("candidate_id", ["status", "candidate_id", "stage", "prompt_slug", "created_at", "locked_at"]),
    "stories": ("owner_id", ["owner_id", "title", "dimensions", "prompts"]),
    "story_drills": (None, ["story_id", "finished_at", "ratings", "rated_at"]),
}


def _who(row: str, column: str | None) -> str:
    return f"{row}.{column}" if column else f"(SELECT owner_id FROM stories WHERE id = {row}.story_id)"


def _bump(row: str, column: str | None) -> str:
    return f"UPDATE users SET review_version = review_version + 1 WHERE id = {_who(row, column)};"


def _sqlite_triggers() -> list[str]:
    out = []
    for table, (column, cols) in WATCHED.items():
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in cols)
        new, old = _bump("NEW", column), _bump("OLD", column)
        out += [
            f"CREATE TRIGGER review_touch_{table}_insert AFTER INSERT ON {table} BEGIN {new} END",
            f"CREATE TRIGGER review_touch_{table}_delete AFTER DELETE ON {table} BEGIN {old} END",
            f"CREATE TRIGGER review_touch_{table}_update AFTER UPDATE OF {', '.join(cols)} ON {table} "
            f"WHEN {changed} BEGIN {new} {old} END",
        ]
    return out


def _pg_function(table: str, column: str | None) -> str:
    return f"""CREATE FUNCTION review_touch_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN {_bump("NEW", column)} END IF;
  IF TG_OP <> 'INSERT' THEN {_bump("OLD", column)} END IF;
  RETURN NULL;
END $$"""


def _pg_triggers() -> list[str]:
    out = []
    for table, (column, cols) in WATCHED.items():
        # As text: PostgreSQL's json type has no equality.
        changed = " OR ".join(f"OLD.{c}::text IS DISTINCT FROM NEW.{c}::text" for c in cols)
        run = f"FOR EACH ROW EXECUTE FUNCTION review_touch_{table}()"
        out += [
            _pg_function(table, column),
            f"CREATE TRIGGER review_touch_{table}_insert_delete AFTER INSERT OR DELETE ON {table} {run}",
            f"CREATE TRIGGER review_touch_{table}_update AFTER UPDATE OF {', '.join(cols)} ON {table} "
            f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION review_touch_{table}()",
        ]
    return out


def create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        statements = _pg_triggers()
    else:
        statements = _sqlite_triggers()
    for statement in statements:
        op.execute(statement)


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_version', sa.Integer(), server_default='0', nullable=False))
    create_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP FUNCTION review_touch_{table}() CASCADE")  # and its triggers
    else:
        for table in WATCHED:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER review_touch_{table}_{event}")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('review_version')
