"""Seasons get a `settings` JSON object for the per-season choices each capability reads
(answer length limits, review quotas, scoring aggregation, certificate issuers, ...). Each key is
documented where it is read; a missing key means that capability's default.

Reviewed by hand; runs on SQLite (batch mode) and PostgreSQL.

Revision ID: 0007_season_settings
Revises: 0006_conversation_flow
Create Date: 2026-11-30 13:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_season_settings'
down_revision = '0006_conversation_flow'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('seasons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settings', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('seasons', schema=None) as batch_op:
        batch_op.drop_column('settings')
