"""users.is_admin goes: nothing ever checked it (there is no admin-only page or command).

Revision ID: 7c2e4a9d1f03
Revises: 1b5b111dc313
Create Date: 2026-12-10 12:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c2e4a9d1f03'
down_revision = '1b5b111dc313'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_admin')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_admin', sa.Boolean(), nullable=False, server_default=sa.false()))
