"""interviewer markers: timestamped words dropped during a peer round, and whether the interviewer
shared them (with their notes) with the candidate after the round.

Revision ID: 6f2d8b4a0e57
Revises: 3c9e5a7b1d24
Create Date: 2026-12-02 03:20:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '6f2d8b4a0e57'
down_revision = '3c9e5a7b1d24'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('round_markers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_round_markers_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_markers_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_markers'))
    )
    with op.batch_alter_table('round_markers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_markers_round_id'), ['round_id'], unique=False)
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notes_shared', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('notes_shared')
    with op.batch_alter_table('round_markers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_markers_round_id'))
    op.drop_table('round_markers')
