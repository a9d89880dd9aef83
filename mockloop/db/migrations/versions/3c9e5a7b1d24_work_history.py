"""work history: every autosave of a round's work kept as a revision with its time, a full copy or
the edit from the revision before (core/revisions.py), for the replay.

Revision ID: 3c9e5a7b1d24
Revises: 3a7d5c1e9b42
Create Date: 2026-12-02 03:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c9e5a7b1d24'
down_revision = '3a7d5c1e9b42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('round_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.Column('full', sa.Boolean(), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_revisions_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_revisions')),
    sa.UniqueConstraint('round_id', 'kind', 'revision', name='uq_round_revisions_piece_revision')
    )


def downgrade():
    op.drop_table('round_revisions')
