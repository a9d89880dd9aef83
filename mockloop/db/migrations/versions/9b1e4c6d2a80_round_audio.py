"""round audio: each participant's optional recording of a round, its chunks appended to a file
under the instance folder.

Revision ID: 9b1e4c6d2a80
Revises: 6f2d8b4a0e57
Create Date: 2026-12-02 03:50:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9b1e4c6d2a80'
down_revision = '6f2d8b4a0e57'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('round_audio',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('seat', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('mime', sa.String(length=32), nullable=False),
    sa.Column('chunks', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('full', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_audio_round_id_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_round_audio_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_audio'))
    )
    with op.batch_alter_table('round_audio', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_audio_round_id'), ['round_id'], unique=False)


def downgrade():
    with op.batch_alter_table('round_audio', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_audio_round_id'))
    op.drop_table('round_audio')
