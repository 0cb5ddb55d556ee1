"""Outbox events remember when they were handled, so the relay can queue again an event whose
job a restarted Redis lost; and may carry a dedupe key, so an event that must happen once per
thing (a nudge about one draft) is written once however often its producer runs.

Reviewed by hand; runs on SQLite (batch mode) and PostgreSQL.

Revision ID: 0005_outbox_handled
Revises: 0004_notifications
Create Date: 2026-11-23 22:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005_outbox_handled'
down_revision = '0004_notifications'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=120), nullable=True))
        batch_op.create_index('ix_outbox_events_unhandled', ['handled_at', 'relayed_at'], unique=False)
        batch_op.create_unique_constraint('uq_outbox_events_dedupe_key', ['dedupe_key'])


def downgrade():
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.drop_constraint('uq_outbox_events_dedupe_key', type_='unique')
        batch_op.drop_index('ix_outbox_events_unhandled')
        batch_op.drop_column('dedupe_key')
        batch_op.drop_column('handled_at')
