"""AI on the user's own model: the tokens each call used (the daily budget, and which rounds AI took
part in) and the runs of `mockloop ai calibrate`.

Revision ID: a7d3e5c91b24
Revises: 9b1e4c6d2a80
Create Date: 2026-12-02 03:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7d3e5c91b24'
down_revision = '9b1e4c6d2a80'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ai_usage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('feature', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('input_tokens', sa.Integer(), nullable=False),
    sa.Column('output_tokens', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_ai_usage_round_id_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ai_usage_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ai_usage'))
    )
    with op.batch_alter_table('ai_usage', schema=None) as batch_op:
        batch_op.create_index('ix_ai_usage_user_at', ['user_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ai_usage_round_id'), ['round_id'], unique=False)

    op.create_table('ai_calibrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.Column('kappa', sa.Double(), nullable=True),
    sa.Column('dimensions', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ai_calibrations'))
    )


def downgrade():
    op.drop_table('ai_calibrations')
    with op.batch_alter_table('ai_usage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ai_usage_round_id'))
        batch_op.drop_index('ix_ai_usage_user_at')
    op.drop_table('ai_usage')
