"""Runs record their tests and levels: a run of the example tests, a submit of the hidden tests, or
a move to the next level without passing; with the level and the counts passed and run.

Revision ID: 8e4b2f7a9c31
Revises: 5d8a3c6e2b17
Create Date: 2026-12-01 23:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8e4b2f7a9c31'
down_revision = '5d8a3c6e2b17'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('round_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=8), nullable=False, server_default='run'))
        batch_op.add_column(sa.Column('level', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('tests_passed', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('tests_total', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('round_runs', schema=None) as batch_op:
        for column in ('tests_total', 'tests_passed', 'level', 'kind'):
            batch_op.drop_column(column)
