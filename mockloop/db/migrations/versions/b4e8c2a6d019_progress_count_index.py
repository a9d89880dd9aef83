"""The (candidate, stage, submitted_at) index of scorecards carries the role too, so the progress
page counts a stage's human cards (AI drafts left out) from the index alone.

Revision ID: b4e8c2a6d019
Revises: a7d3e5c91b24
Create Date: 2026-12-02 04:35:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b4e8c2a6d019'
down_revision = 'a7d3e5c91b24'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scorecards', schema=None) as batch_op:
        batch_op.drop_index('ix_scorecards_candidate_stage_submitted')
        batch_op.create_index(
            'ix_scorecards_candidate_stage_submitted', ['candidate_id', 'stage', 'submitted_at', 'role'], unique=False
        )


def downgrade():
    with op.batch_alter_table('scorecards', schema=None) as batch_op:
        batch_op.drop_index('ix_scorecards_candidate_stage_submitted')
        batch_op.create_index(
            'ix_scorecards_candidate_stage_submitted', ['candidate_id', 'stage', 'submitted_at'], unique=False
        )
