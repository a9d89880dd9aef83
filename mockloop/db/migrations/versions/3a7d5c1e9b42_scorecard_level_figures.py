"""Scorecards carry their coding round's level figures (levels cleared, levels submitted, levels whose
first submit passed), so the history filter and the progress charts read no runs; indexes for the
"levels cleared" filter. Existing cards are backfilled from their round's recorded runs.

The backfill can only see runs: a card whose round recorded no run of tests, no submit and no move-on
keeps no figures (a later card of a new round gets them from its prompt, which the app knows).

Revision ID: 3a7d5c1e9b42
Revises: fc1c7267f4cd
Create Date: 2026-12-02 03:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3a7d5c1e9b42'
down_revision = 'fc1c7267f4cd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scorecards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('levels_cleared', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('levels_submitted', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('levels_first_passed', sa.Integer(), nullable=True))
        batch_op.create_index(
            'ix_scorecards_reviewer_cleared_submitted', ['reviewer_id', 'levels_cleared', 'submitted_at'], unique=False
        )
        batch_op.create_index(
            'ix_scorecards_candidate_role_cleared_submitted',
            ['candidate_id', 'role', 'levels_cleared', 'submitted_at'],
            unique=False,
        )
    _backfill(op.get_bind())


def _backfill(conn):
    # The arithmetic of mockloop/core/levels.py as it stands at this revision, written out here so
    # that later changes to the app cannot change what this migration did.
    rows = conn.execute(
        sa.text(
            "SELECT round_id, kind, level, tests_passed, tests_total FROM round_runs"
            " WHERE kind IN ('submit', 'move_on') OR tests_total IS NOT NULL ORDER BY id"
        )
    ).all()
    per_round: dict[int, dict[int, list[bool]]] = {}  # round -> level -> each submit: passed them all?
    for round_id, kind, level, passed, total in rows:
        levels = per_round.setdefault(round_id, {})
        if kind == 'submit':
            levels.setdefault(level or 1, []).append(bool(total) and passed == total)
    figures = [
        {
            'round_id': round_id,
            'cleared': sum(any(submits) for submits in levels.values()),
            'submitted': len(levels),
            'first_passed': sum(submits[0] for submits in levels.values()),
        }
        for round_id, levels in per_round.items()
    ]
    if figures:
        conn.execute(
            sa.text(
                "UPDATE scorecards SET levels_cleared = :cleared, levels_submitted = :submitted,"
                " levels_first_passed = :first_passed WHERE round_id = :round_id"
            ),
            figures,
        )


def downgrade():
    with op.batch_alter_table('scorecards', schema=None) as batch_op:
        batch_op.drop_index('ix_scorecards_candidate_role_cleared_submitted')
        batch_op.drop_index('ix_scorecards_reviewer_cleared_submitted')
        for column in ('levels_first_passed', 'levels_submitted', 'levels_cleared'):
            batch_op.drop_column(column)
