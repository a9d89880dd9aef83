"""story bank: stories (private to their owner, saved with a revision), their drills and the rounds
they were told in; an index on rounds for when each stage was last practiced.

Revision ID: fc1c7267f4cd
Revises: 8e4b2f7a9c31
Create Date: 2026-12-01 23:06:56.220128

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'fc1c7267f4cd'
down_revision = '8e4b2f7a9c31'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('situation', sa.Text(), nullable=False),
    sa.Column('task', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('reflection', sa.Text(), nullable=False),
    sa.Column('dimensions', sa.JSON(), nullable=False),
    sa.Column('prompts', sa.JSON(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_stories_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stories')),
    sa.UniqueConstraint('uid', name=op.f('uq_stories_uid'))
    )
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stories_owner_id'), ['owner_id'], unique=False)

    op.create_table('story_drills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('limit_seconds', sa.Integer(), nullable=False),
    sa.Column('cue', sa.String(length=16), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('ratings', sa.JSON(), nullable=True),
    sa.Column('rated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_story_drills_story_id_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story_drills'))
    )
    with op.batch_alter_table('story_drills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_drills_story_id'), ['story_id'], unique=False)

    op.create_table('story_uses',
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_story_uses_round_id_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_story_uses_story_id_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('story_id', 'round_id', name=op.f('pk_story_uses'))
    )
    with op.batch_alter_table('story_uses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_uses_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.create_index('ix_rounds_candidate_stage_created', ['candidate_id', 'stage', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_index('ix_rounds_candidate_stage_created')

    with op.batch_alter_table('story_uses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_uses_round_id'))

    op.drop_table('story_uses')
    with op.batch_alter_table('story_drills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_drills_story_id'))

    op.drop_table('story_drills')
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stories_owner_id'))

    op.drop_table('stories')
