"""A delivery records when it was claimed for sending (`claimed_at`, UTC), so that a claim
left by a worker that died mid-send can be marked `unknown` (maybe sent, never resent) once it
is older than any live send could be (issue 13, item 17's delivery promise).

Reviewed by hand; runs on SQLite (batch mode) and PostgreSQL.

Revision ID: 0023_claimed_at
Revises: 0012_review
Create Date: 2026-11-30 16:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0023_claimed_at'
down_revision = '0012_review'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_deliveries_status_claimed_at', ['status', 'claimed_at'])


def downgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_status_claimed_at')
        batch_op.drop_column('claimed_at')
