"""Round work gets one table for every piece (scratchpad, interviewer notes, code), and code runs are
recorded. The scratchpad and notes columns of rounds move into round_work, revisions and all.

Revision ID: 5d8a3c6e2b17
Revises: 7c2e4a9d1f03
Create Date: 2026-12-01 23:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d8a3c6e2b17'
down_revision = '7c2e4a9d1f03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'round_work',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('saved_at', sa.DateTime(), nullable=True),
        sa.Column('language', sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_work_round_id_rounds'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', 'kind', name=op.f('pk_round_work')),
    )
    op.create_table(
        'round_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.Column('stdout', sa.Text(), nullable=False),
        sa.Column('stderr', sa.Text(), nullable=False),
        sa.Column('truncated', sa.Boolean(), nullable=False),
        sa.Column('code_revision', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_runs_round_id_rounds'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_round_runs')),
    )
    op.create_index(op.f('ix_round_runs_round_id'), 'round_runs', ['round_id'], unique=False)
    op.execute(
        "INSERT INTO round_work (round_id, kind, body, revision, saved_at)"
        " SELECT id, 'scratchpad', scratchpad, scratchpad_rev, scratchpad_saved_at FROM rounds"
        " WHERE scratchpad_rev > 0 OR scratchpad <> ''"
    )
    op.execute(
        "INSERT INTO round_work (round_id, kind, body, revision)"
        " SELECT id, 'notes', interviewer_notes, notes_rev FROM rounds"
        " WHERE notes_rev > 0 OR interviewer_notes <> ''"
    )
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        for column in ('scratchpad', 'scratchpad_rev', 'scratchpad_saved_at', 'interviewer_notes', 'notes_rev'):
            batch_op.drop_column(column)


def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scratchpad', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('scratchpad_rev', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('scratchpad_saved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('interviewer_notes', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('notes_rev', sa.Integer(), nullable=False, server_default='0'))
    for kind, columns, values in (
        ('scratchpad', 'scratchpad, scratchpad_rev, scratchpad_saved_at', 'w.body, w.revision, w.saved_at'),
        ('notes', 'interviewer_notes, notes_rev', 'w.body, w.revision'),
    ):
        piece = f"FROM round_work w WHERE w.round_id = rounds.id AND w.kind = '{kind}'"
        op.execute(f"UPDATE rounds SET ({columns}) = (SELECT {values} {piece}) WHERE EXISTS (SELECT 1 {piece})")
    op.drop_index(op.f('ix_round_runs_round_id'), table_name='round_runs')
    op.drop_table('round_runs')
    op.drop_table('round_work')
